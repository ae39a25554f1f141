@preconcurrency import Glibc
import Testing

@testable import SyncPostgres

/// `--store` URLs and the password file: what each form names, and a password in the URL refused without echoing it.
@Suite("PostgreSQL store address")
struct PostgresAddressTests {
    @Test func aTCPURLNamesHostPortUserAndDatabase() throws {
        let address = try PostgresAddress(url: "postgres://ci@127.0.0.1:5433/graphs", defaultUser: "me")
        #expect(address == PostgresAddress(host: "127.0.0.1", port: 5433, user: "ci", database: "graphs"))
        #expect(!address.isSocket)
        #expect(address.description == "postgres://ci@127.0.0.1:5433/graphs")
        let v6 = try PostgresAddress(url: "postgresql://ci@[::1]/graphs", defaultUser: "me")
        #expect(v6 == PostgresAddress(host: "::1", port: 5432, user: "ci", database: "graphs"))
        #expect(v6.description == "postgres://ci@[::1]:5432/graphs")
    }

    @Test func aSocketDirectoryGoesInTheHostParameterOrPercentEncodedInTheHost() throws {
        let query = try PostgresAddress(
            url: "postgres:///graphs?host=/tmp/pg%20sock&user=ci&port=5999", defaultUser: "me")
        #expect(query == PostgresAddress(host: "/tmp/pg sock", port: 5999, user: "ci", database: "graphs"))
        #expect(query.isSocket)
        #expect(query.socketPath == "/tmp/pg sock/.s.PGSQL.5999")
        let encoded = try PostgresAddress(url: "postgres://ci@%2Frun%2Fpostgresql/graphs", defaultUser: "me")
        #expect(encoded.host == "/run/postgresql")
    }

    @Test func whatTheURLLeavesOutDefaultsAsLibpqDoes() throws {
        let address = try PostgresAddress(url: "postgres://", defaultUser: "me")
        #expect(address == PostgresAddress(host: "/var/run/postgresql", port: 5432, user: "me", database: "me"))
    }

    @Test func sslmodeIsReadAsLibpqReadsIt() throws {
        #expect(try PostgresAddress(url: "postgres://db/g", defaultUser: "me").tls == .prefer)
        for mode in PostgresAddress.TLSMode.allCases {
            let address = try PostgresAddress(url: "postgres://db/g?sslmode=\(mode.rawValue)", defaultUser: "me")
            #expect(address.tls == mode)
            #expect(address.rootCertificate == nil)
        }
        // A root certificate makes `require` check the chain, as libpq does.
        let pinned = try PostgresAddress(url: "postgres://db/g?sslmode=require&sslrootcert=/ca.pem", defaultUser: "me")
        #expect(pinned.tls == .verifyCA)
        #expect(pinned.rootCertificate == "/ca.pem")
        // verify-ca checks no name, so an address is fine.
        let byAddress = try PostgresAddress(url: "postgres://10.0.0.7/g?sslmode=verify-ca", defaultUser: "me")
        #expect(byAddress.tls == .verifyCA)
        // A Unix socket with verify-full: no TLS is spoken there, so its "host" is never checked.
        let socket = try PostgresAddress(url: "postgres:///g?host=/run/pg&sslmode=verify-full", defaultUser: "me")
        #expect(socket.isSocket)
    }

    @Test func aRootCertificateThatCannotBeReadIsNamedWithWhatToDo() {
        var address = PostgresAddress(host: "db.example", port: 5432, user: "ci", database: "g")
        address.tls = .verifyFull
        address.rootCertificate = "/nonexistent/ca.pem"
        #expect {
            _ = try PostgresEventStore.tlsConfiguration(for: address)
        } throws: { error in
            let text = "\(error)"
            return text.contains("/nonexistent/ca.pem cannot be read (No such file or directory)")
                && text.contains("sslrootcert=PATH")
        }
        address.rootCertificate = "/etc/hostname"
        #expect {
            _ = try PostgresEventStore.tlsConfiguration(for: address)
        } throws: { error in
            "\(error)".contains("cannot use /etc/hostname for TLS to db.example")
        }
    }

    @Test(arguments: [
        "postgres://ci:hunter2@db.example/graphs", "postgres:///graphs?user=ci&password=hunter2",
    ])
    func aPasswordInTheURLIsRefusedWithoutEchoingIt(_ url: String) {
        #expect {
            _ = try PostgresAddress(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains("carries a password") && text.contains("PGPASSWORD") && text.contains("~/.pgpass")
                && !text.contains("hunter2")
        }
    }

    @Test(arguments: [
        ("mysql://db/graphs", "does not start with postgres://"),
        ("postgres://db:http/graphs", "port http is not a number"),
        ("postgres://db/graphs?sslmode=sometimes", "sslmode=sometimes is not one of disable, allow, prefer, require"),
        ("postgres://db/graphs?sslmode=verify-ca&sslrootcert=", "sslrootcert is empty"),
        ("postgres://10.0.0.7/graphs?sslmode=verify-full", "10.0.0.7 is an address: connect by the name"),
        ("postgres://[::1]/graphs?sslmode=verify-full", "::1 is an address"),
        ("postgres://db/graphs?timeout=3", "parameter timeout is not supported"),
    ])
    func aBadURLSaysWhatIsWrong(_ url: String, _ problem: String) {
        #expect {
            _ = try PostgresAddress(url: url)
        } throws: { error in
            "\(error)".contains(problem) && "\(error)".contains("Write it as postgres://USER@HOST:PORT/DB")
        }
    }

    @Test func thePasswordFileMatchesItsFirstLineWithWildcardsAndEscapes() {
        let file = """
            # comment
            db.example:5432:other:ci:wrong
            db.example:*:graphs:ci:p\\:a\\\\ss
            *:*:*:*:fallback
            """
        let tcp = PostgresAddress(host: "db.example", port: 5433, user: "ci", database: "graphs")
        #expect(PostgresPassfile.lookup(file, for: tcp) == "p:a\\ss")
        let socket = PostgresAddress(host: "/run/postgresql", port: 5432, user: "ci", database: "graphs")
        #expect(PostgresPassfile.lookup("localhost:5432:graphs:ci:local\n", for: socket) == "local")
        #expect(PostgresPassfile.lookup(file, for: socket) == "fallback")
        #expect(PostgresPassfile.lookup("db.example:5432:graphs:other:x\n", for: tcp) == nil)
    }

    @Test func pgpasswordComesFirstAndAPasswordFileOthersCanReadIsIgnored() throws {
        let address = PostgresAddress(host: "db.example", port: 5432, user: "ci", database: "graphs")
        let fromEnvironment = PostgresPassfile.password(for: address) { $0 == "PGPASSWORD" ? "secret" : nil }
        #expect(fromEnvironment.password == "secret")
        let path = "/tmp/pgpass-test-\(getpid())"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = "*:*:*:*:filed\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        chmod(path, 0o644)
        let lookup: @Sendable (String) -> String? = { $0 == "PGPASSFILE" ? path : nil }
        let open = PostgresPassfile.password(for: address, environment: lookup)
        #expect(open.password == nil)
        #expect(open.warning?.contains("its group or others can read it (mode 644); chmod 0600 it") == true)
        chmod(path, 0o600)
        #expect(PostgresPassfile.password(for: address, environment: lookup).password == "filed")
    }
}
