@preconcurrency import Glibc
import SyncOS

/// The password for a store connection, as libpq finds it: `PGPASSWORD` when set, else the first matching line of
/// the password file, `PGPASSFILE` or `~/.pgpass`.
///
/// A line is `hostname:port:database:username:password`; each of the first four fields is a value or `*` (any),
/// `\:` and `\\` escape a colon and a backslash, and lines starting with `#` are comments. For a Unix socket
/// connection the host field matches `localhost` or the socket directory. As with libpq, a file that its group or
/// others can read is ignored (with a warning): chmod 0600 it.
package enum PostgresPassfile {
    /// The password for `address`, and a warning when a password file was ignored.
    package static func password(
        for address: PostgresAddress, environment: Environment.Lookup = Environment.value
    ) -> (password: String?, warning: String?) {
        if let password = environment("PGPASSWORD") { return (password, nil) }
        let path: String
        if let explicit = environment("PGPASSFILE"), !explicit.isEmpty {
            path = explicit
        } else if let home = environment("HOME"), !home.isEmpty {
            path = home + "/.pgpass"
        } else {
            return (nil, nil)
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o170000 == 0o100000 else { return (nil, nil) }
        if info.st_mode & 0o077 != 0 {
            return (
                nil,
                "password file \(path) is ignored: its group or others can read it (mode "
                    + "\(String(info.st_mode & 0o777, radix: 8))); chmod 0600 it"
            )
        }
        guard let contents = try? read(path) else { return (nil, nil) }
        return (lookup(contents, for: address), nil)
    }

    /// The password of the first line of `contents` that matches `address`.
    package static func lookup(_ contents: String, for address: PostgresAddress) -> String? {
        let hosts = address.isSocket ? ["localhost", address.host] : [address.host]
        for line in contents.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            let fields = split(line)
            guard fields.count == 5 else { continue }
            func matches(_ field: String, _ values: [String]) -> Bool { field == "*" || values.contains(field) }
            if matches(fields[0], hosts) && matches(fields[1], [String(address.port)])
                && matches(fields[2], [address.database]) && matches(fields[3], [address.user])
            {
                return fields[4]
            }
        }
        return nil
    }

    /// The fields of a line: split on `:`, with `\:` and `\\` unescaped.
    private static func split(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else if character != "\r" {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    private static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Descriptor.Failure(code: errno) }
        defer { close(fd) }
        var data: [UInt8] = []
        while case let chunk = try Descriptor.readSome(fd), !chunk.isEmpty { data += chunk }
        return String(decoding: data, as: UTF8.self)
    }
}
