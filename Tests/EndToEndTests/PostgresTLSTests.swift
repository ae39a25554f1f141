import Foundation
import SyncTestSupport
import Testing

/// `sync-agent --store` over TLS, against a real PostgreSQL server whose TCP port refuses connections without TLS
/// (so an agent that serves at all has spoken TLS), with a certificate for `localhost` and 127.0.0.1 signed by the
/// server's own authority.
@Suite("sync-agent's store over TLS")
struct PostgresTLSTests {
    private func startAgent(_ directory: TemporaryDirectory, store: String) throws -> RunningProcess {
        try RunningProcess(
            Products.path("sync-agent"),
            ["--socket-path", directory.file("a.sock"), "--store", store, "--workspace", "tls"])
    }

    private func syncctl(_ directory: TemporaryDirectory, _ arguments: String...) async throws -> RunningProcess.Result
    {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.file("a.sock")])
    }

    /// Each mode that encrypts, by name or by address, with or without the authority: the agent serves, a change
    /// goes through, and the server says the agent's session is encrypted.
    @Test(arguments: [
        ("localhost", "sslmode=verify-full&sslrootcert=CA"), ("127.0.0.1", "sslmode=verify-ca&sslrootcert=CA"),
        ("127.0.0.1", "sslmode=require"), ("127.0.0.1", "sslmode=require&sslrootcert=CA"), ("127.0.0.1", ""),
    ])
    func theAgentSpeaksTLS(_ host: String, _ query: String) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer(tls: true).run { server in
            await server.waitUntilAcceptingConnections()
            let authority = try #require(server.certificateAuthority)
            let parameters = query.replacingOccurrences(of: "sslrootcert=CA", with: "sslrootcert=\(authority)")
            let store =
                "postgres://\(server.user)@\(host):\(server.port)/postgres"
                + (parameters.isEmpty ? "" : "?" + parameters)
            let agent = try startAgent(directory, store: store)
            await agent.waitForOutput(containing: "agent listening")
            #expect(try await syncctl(directory, "start", "db").status == 0)
            #expect(try await syncctl(directory, "complete", "db").status == 0)
            let session = try await server.psql([
                "-tAc",
                "select s.ssl from pg_stat_ssl s join pg_stat_activity a using (pid) "
                    + "where a.application_name like 'sync-agent%'",
            ])
            #expect(session.stdout == "t\n", "\(session)")
            agent.signal(SIGTERM)
            let stopped = await agent.finish()
            #expect(stopped.status == 0, "\(stopped)")
        }
    }

    /// Without TLS the server refuses the agent, and with an authority that did not sign the server's certificate
    /// the agent refuses the server: either way it exits at once and says why.
    @Test func aConnectionThatCannotBeTrustedIsRefusedAndSaysWhy() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let stranger = directory.file("stranger.crt")
        let made = try await RunningProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=someone else",
                "-keyout", directory.file("stranger.key"), "-out", stranger,
            ])
        try #require(made.status == 0, "\(made)")
        try await PostgresServer(tls: true).run { server in
            await server.waitUntilAcceptingConnections()
            let base = "postgres://\(server.user)@localhost:\(server.port)/postgres"

            let plain = try startAgent(directory, store: base + "?sslmode=disable")
            let refused = await plain.finish()
            #expect(refused.status != 0, "\(refused)")
            #expect(refused.stderr.contains("cannot connect to PostgreSQL at"), "\(refused)")
            #expect(refused.stderr.contains("no encryption"), "\(refused)")

            let untrusted = try startAgent(directory, store: base + "?sslmode=verify-full&sslrootcert=\(stranger)")
            let distrusted = await untrusted.finish()
            #expect(distrusted.status != 0, "\(distrusted)")
            #expect(distrusted.stderr.contains("cannot connect to PostgreSQL at"), "\(distrusted)")
            #expect(
                distrusted.stderr.contains("TLS certificate was not accepted (CERTIFICATE_VERIFY_FAILED)"),
                "\(distrusted)")
            #expect(!distrusted.stderr.contains("Check that the server runs"), "\(distrusted)")

            let missing = try startAgent(directory, store: base + "?sslmode=verify-ca")
            let unread = await missing.finish()
            #expect(unread.status != 0, "\(unread)")
            #expect(unread.stderr.contains("/.postgresql/root.crt cannot be read"), "\(unread)")
        }
    }
}

extension PostgresTLSTests {
    /// A server that accepts clients only by certificate: the agent with `sslcert` and `sslkey` serves; without
    /// them it is refused with the server's reason; a key others may read is refused before anything is sent.
    @Test func aServerThatWantsAClientCertificateGetsTheOneTheURLNames() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer(tls: true, clientCertificates: true).run { server in
            await server.waitUntilAcceptingConnections()
            let authority = try #require(server.certificateAuthority)
            let base =
                "postgres://\(server.user)@localhost:\(server.port)/postgres?sslmode=verify-full"
                + "&sslrootcert=\(authority)"

            let anonymous = try startAgent(directory, store: base)
            let refused = await anonymous.finish()
            #expect(refused.status != 0, "\(refused)")
            #expect(refused.stderr.contains("certificate"), "\(refused)")

            let key = directory.file("client.key")
            try FileManager.default.copyItem(atPath: server.clientKey, toPath: key)
            chmod(key, 0o644)
            let exposed = try startAgent(
                directory, store: base + "&sslcert=\(server.clientCertificate)&sslkey=\(key)")
            let unsafe = await exposed.finish()
            #expect(unsafe.status != 0, "\(unsafe)")
            #expect(unsafe.stderr.contains("can be read by others (mode 644): chmod 0600 it"), "\(unsafe)")

            chmod(key, 0o600)
            let agent = try startAgent(directory, store: base + "&sslcert=\(server.clientCertificate)&sslkey=\(key)")
            await agent.waitForOutput(containing: "agent listening")
            #expect(try await syncctl(directory, "start", "db").status == 0)
            let session = try await server.psql([
                "-tAc",
                "select s.client_dn from pg_stat_ssl s join pg_stat_activity a using (pid) "
                    + "where a.application_name like 'sync-agent%'",
            ])
            #expect(session.stdout == "/CN=\(server.user)\n", "\(session)")
            agent.signal(SIGTERM)
            #expect(await agent.finish().status == 0)
        }
    }
}

extension PostgresTLSTests {
    /// A certificate signed by the right authority for another name: `verify-full` refuses it (someone else's
    /// certificate, as a machine in the middle would show), `verify-ca` accepts it, as libpq's modes do. (The
    /// certificate holds no IP address: the TLS library also accepts a certificate that names the address the
    /// connection reached, whatever the host name.)
    @Test func verifyFullRefusesACertificateForAnotherName() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer(tls: true, certifiedNames: ["DNS:db.invalid"]).run { server in
            await server.waitUntilAcceptingConnections()
            let authority = try #require(server.certificateAuthority)
            let base = "postgres://\(server.user)@localhost:\(server.port)/postgres?sslrootcert=\(authority)"

            let strict = try startAgent(directory, store: base + "&sslmode=verify-full")
            let refused = await strict.finish()
            #expect(refused.status != 0, "\(refused)")
            #expect(refused.stderr.contains("TLS certificate does not name the host"), "\(refused)")

            let lenient = try startAgent(directory, store: base + "&sslmode=verify-ca")
            await lenient.waitForOutput(containing: "agent listening")
            #expect(try await syncctl(directory, "start", "db").status == 0)
            lenient.signal(SIGTERM)
            #expect(await lenient.finish().status == 0)
        }
    }
}
