@preconcurrency import Glibc

/// Where the PostgreSQL store is, from the `--store` URL: `postgres://USER@HOST:PORT/DB` over TCP, or a Unix socket
/// directory as the host (`postgres:///DB?host=/run/postgresql&user=USER`, or the directory percent-encoded in the
/// host: `postgres://USER@%2Frun%2Fpostgresql/DB`). `postgresql://` works too.
///
/// Defaults, as libpq's: host the Unix socket directory `/var/run/postgresql`, port 5432, user the agent's own user
/// name, database the user's name. Query parameters: `host`, `port`, `user`, `dbname`, and `sslmode` `disable`,
/// `allow` or `prefer` (the agent speaks without TLS for now; `require` and stronger are refused).
///
/// A password never goes in the URL (it would show in `ps` and in shell history): a URL carrying one is refused, and
/// the password comes from `PGPASSWORD` or the password file (see ``PostgresPassfile``).
package struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    /// A Unix socket directory (starts with `/`) or a host name or address.
    package var host: String
    package var port: Int
    package var user: String
    package var database: String

    /// Whether ``host`` is a Unix socket directory.
    package var isSocket: Bool { host.hasPrefix("/") }

    /// The socket file of a Unix socket connection: `DIR/.s.PGSQL.PORT`.
    package var socketPath: String { host + "/.s.PGSQL.\(port)" }

    /// The URL again, in one spelling (no password): `postgres://USER@HOST:PORT/DB` or
    /// `postgres://USER@/DB?host=DIR&port=PORT`.
    package var description: String {
        if isSocket { return "postgres://\(user)@/\(database)?host=\(host)&port=\(port)" }
        let shown = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shown):\(port)/\(database)"
    }

    /// The URL could not be used; the message says what is wrong and how to write it.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static let defaultSocketDirectory = "/var/run/postgresql"

    package init(host: String, port: Int, user: String, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
    }

    /// Reads `url`. - Parameter defaultUser: the user when the URL names none (the agent's own user name).
    package init(url: String, defaultUser: String = PostgresAddress.currentUser()) throws(Failure) {
        func failure(_ problem: String) -> Failure {
            Failure(
                description: "store URL \(Self.redacted(url)): \(problem). Write it as postgres://USER@HOST:PORT/DB, "
                    + "or postgres:///DB?host=/socket/directory&user=USER for a Unix socket")
        }
        var rest: Substring
        if url.hasPrefix("postgres://") {
            rest = url.dropFirst("postgres://".count)
        } else if url.hasPrefix("postgresql://") {
            rest = url.dropFirst("postgresql://".count)
        } else {
            throw failure("it does not start with postgres:// or postgresql://")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var user: String?
        if let userInfo {
            if userInfo.contains(":") {
                throw Self.passwordRefusal(url)
            }
            user = try Self.decode(userInfo, failure)
        }
        var host: String?
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw failure("an opening [ of the host has no ]") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw failure("the host [\(host ?? "")] is followed by \(rest)") }
                port = try Self.port(rest.dropFirst(), failure)
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = try Self.decode(rest[..<colon], failure)
            port = try Self.port(rest[rest.index(after: colon)...], failure)
        } else if !rest.isEmpty {
            host = try Self.decode(rest, failure)
        }
        var database = path.isEmpty ? nil : try Self.decode(path, failure)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = try Self.decode(parts.count > 1 ? parts[1] : "", failure)
            switch key {
            case "host": host = value
            case "port": port = try Self.port(Substring(value), failure)
            case "user": user = value
            case "dbname": database = value
            case "password":
                throw Self.passwordRefusal(url)
            case "sslmode":
                guard ["disable", "allow", "prefer"].contains(value) else {
                    throw failure("sslmode=\(value) is not supported: the agent connects without TLS for now")
                }
            default:
                throw failure("parameter \(key) is not supported (host, port, user, dbname, sslmode are)")
            }
        }
        let resolvedUser = user.flatMap { $0.isEmpty ? nil : $0 } ?? defaultUser
        self.host = host.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultSocketDirectory
        self.port = port ?? 5432
        self.user = resolvedUser
        self.database = database.flatMap { $0.isEmpty ? nil : $0 } ?? resolvedUser
        if database?.contains("/") == true { throw failure("the database name \(database ?? "") contains a /") }
    }

    private static func passwordRefusal(_ url: String) -> Failure {
        Failure(
            description: "store URL \(redacted(url)) carries a password: a password in a URL shows in ps and in "
                + "shell history, so the agent refuses it. Remove it from the URL and set PGPASSWORD, or put it in "
                + "~/.pgpass (or the file PGPASSFILE names, mode 0600)")
    }

    /// The agent's user name (`getpwuid`), else `postgres`.
    package static func currentUser() -> String {
        getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "postgres"
    }

    /// `url` with anything between `://` and `@` that holds a `:` replaced, so that a refusal does not print the
    /// password it refuses.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else {
            return url.replacingPassword()
        }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url.replacingPassword() }
        return (String(url[..<colon]) + ":***" + String(url[at...])).replacingPassword()
    }

    private static func port(_ text: Substring, _ failure: (String) -> Failure) throws(Failure) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw failure("port \(text) is not a number 1-65535")
        }
        return port
    }

    /// Percent-decoding (`%2F` → `/`).
    private static func decode(_ text: Substring, _ failure: (String) -> Failure) throws(Failure) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { throw failure("\(text) holds a % that is not followed by two hex digits") }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// `password=…` in a query replaced by `password=***`.
    fileprivate func replacingPassword() -> String {
        guard let range = firstRange(of: "password=") else { return self }
        let end = self[range.upperBound...].firstIndex(of: "&") ?? endIndex
        return String(self[..<range.upperBound]) + "***" + String(self[end...])
    }
}
