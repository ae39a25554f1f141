@preconcurrency import Glibc

/// Where the PostgreSQL store is, from the `--store` URL: `postgres://USER@HOST:PORT/DB` over TCP, or a Unix socket
/// directory as the host (`postgres:///DB?host=/run/postgresql&user=USER`, or the directory percent-encoded in the
/// host: `postgres://USER@%2Frun%2Fpostgresql/DB`). `postgresql://` works too.
///
/// Defaults, as libpq's: host the Unix socket directory `/var/run/postgresql`, port 5432, user the agent's own user
/// name, database the user's name. Query parameters: `host`, `port`, `user`, `dbname`, `sslmode`, `sslrootcert`,
/// `sslcert` and `sslkey` (see ``TLSMode``: as libpq, `prefer` by default, and no TLS over a Unix socket).
///
/// A password never goes in the URL (it would show in `ps` and in shell history): a URL carrying one is refused, and
/// the password comes from `PGPASSWORD` or the password file (see ``PostgresPassfile``).
package struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    /// A Unix socket directory (starts with `/`) or a host name or address.
    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    /// Whether and how a TCP connection speaks TLS (`sslmode`); a Unix socket never does.
    package var tls: TLSMode = .prefer
    /// The certificates a server's must chain to, for ``TLSMode/verifyCA`` and ``TLSMode/verifyFull``: a PEM file
    /// (`sslrootcert=PATH`; without it libpq's `~/.postgresql/root.crt`), or `system` for the system's trust store.
    package var rootCertificate: String?
    /// The agent's own certificate and its private key (`sslcert`, `sslkey`), for a server that authenticates
    /// clients by certificate; without them libpq's `~/.postgresql/postgresql.crt` and `.key`, when they exist.
    package var clientCertificate: String?
    package var clientKey: String?

    /// `sslmode`, as libpq reads it. The certificate checks are those of libpq: `require` encrypts but accepts any
    /// certificate (unless `sslrootcert` is given, when it is `verify-ca`), `verify-ca` checks that the server's
    /// certificate chains to ``rootCertificate``, `verify-full` also that it names the host.
    package enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Never TLS.
        case disable
        /// Without TLS (libpq would try TLS when the server refuses a plain connection; the agent does not).
        case allow
        /// TLS when the server offers it, any certificate accepted; else plain. libpq's default.
        case prefer
        /// Always TLS, any certificate accepted; a server without TLS is refused.
        case require
        /// Always TLS, the server's certificate checked against ``PostgresAddress/rootCertificate``.
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate must name the host (so the host must be a name, not an address).
        case verifyFull = "verify-full"

        /// Whether the server's certificate is checked.
        package var verifies: Bool { self == .verifyCA || self == .verifyFull }
    }

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
            // A URL that seems to carry a password is shown with it hidden, and so is the problem: it could quote a
            // piece of the password (`user:pa/ss@host` reads as host `user`, port `pa`).
            let shown = Self.redacted(url)
            let problem =
                shown == url ? problem : "it cannot be read (what it says is not shown: it may hold a password)"
            return Failure(
                description: "store URL \(shown): \(problem). Write it as postgres://USER@HOST:PORT/DB, "
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
        var tls = TLSMode.prefer
        var rootCertificate: String?
        var clientCertificate: String?
        var clientKey: String?
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
                guard let mode = TLSMode(rawValue: value) else {
                    throw failure(
                        "sslmode=\(value) is not one of "
                            + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                tls = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw failure("sslrootcert is empty: give a PEM file, or system") }
                rootCertificate = value
            case "sslcert", "sslkey":
                guard !value.isEmpty else { throw failure("\(key) is empty: give a PEM file") }
                if key == "sslcert" { clientCertificate = value } else { clientKey = value }
            default:
                throw failure(
                    "parameter \(key) is not supported (host, port, user, dbname, sslmode, sslrootcert, sslcert, "
                        + "sslkey are)")
            }
        }
        // As libpq: a root certificate given makes `require` check the chain.
        if tls == .require, rootCertificate != nil { tls = .verifyCA }
        let resolvedUser = user.flatMap { $0.isEmpty ? nil : $0 } ?? defaultUser
        self.host = host.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultSocketDirectory
        self.port = port ?? 5432
        self.user = resolvedUser
        self.database = database.flatMap { $0.isEmpty ? nil : $0 } ?? resolvedUser
        if database?.contains("/") == true { throw failure("the database name \(database ?? "") contains a /") }
        self.tls = tls
        self.rootCertificate = rootCertificate
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        if tls == .verifyFull, !isSocket, Self.isAddress(self.host) {
            throw failure(
                "sslmode=verify-full checks that the certificate names the host, and \(self.host) is an address: "
                    + "connect by the name the certificate holds, or use sslmode=verify-ca")
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
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
    /// Every parameter of the query whose name, percent-decoded, starts with `password` (`password=…`, but also
    /// `password%3D…`, which holds the whole value in its name) replaced by `password=***`.
    fileprivate func replacingPassword() -> String {
        guard let mark = firstIndex(of: "?") else { return self }
        let pairs = self[index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map { pair in
            let name = pair.prefix { $0 != "=" }
            return Self.lenientlyDecoded(name).lowercased().hasPrefix("password") ? "password=***" : String(pair)
        }
        return String(self[...mark]) + pairs.joined(separator: "&")
    }

    /// `text` with each `%XX` decoded, and a `%` not followed by two hex digits kept as it is.
    private static func lenientlyDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                let value = UInt8(String(decoding: utf8[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
