import Foundation
import SyncTestSupport
import Testing

/// Attacks on the promise "never a password" (docs/MULTI-HOST.md): a password put in the store URL however it is
/// written, and a real `PGPASSWORD` that a server asks for, must never show in an error, a log line, a reply, a push,
/// `syncctl`'s output or its notes.
extension AttackSuites {
    @Suite("Attack: the store's password never shows", .timeLimit(.minutes(3)))
    struct AttackSecretTests {
        static let secret = "Zq7s3cr3tW0rd"

        /// URLs that carry the password in every place an outsider might put it, most of them also malformed: the agent
        /// must refuse each before it starts (exit 2) without printing the password or any part of it a reader could
        /// take for it.
        @Test(
            arguments: [
                "postgres://ci:\(secret)@db.internal/graph",
                // A password holding a character that ends the authority (unencoded, as a hurried user writes it).
                "postgres://ci:\(secret)/x@db.internal/graph",
                "postgres://ci:\(secret)?x@db.internal/graph",
                "postgres://ci:\(secret)#x@db.internal/graph",
                "postgres://ci:\(secret):x@db.internal/graph",
                "postgres://ci:\(secret)@db.internal:notaport/graph",
                "postgres://ci:\(secret)@[db.internal/graph",
                "postgres://db.internal/graph?password=\(secret)",
                "postgres://db.internal/graph?password=x&password=\(secret)",
                "postgres://db.internal/graph?sslmode=bogus&password=\(secret)",
                "postgres://db.internal/graph?password%3D\(secret)",
                "postgres://db.internal/graph?pass%77ord=\(secret)",
            ])
        func aPasswordInTheURLIsNeverPrinted(url: String) async throws {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            for (arguments, environment) in [
                (["--store", url], [String: String]()), ([], ["SYNC_AGENT_STORE": url]),
            ] {
                let result = try await RunningProcess.run(
                    Products.path("sync-agent"), ["--socket-path", directory.socket] + arguments,
                    environment: environment)
                #expect(result.status == 2, "\(result)")
                #expect(result.stderr.contains("store URL"), "\(result)")
                // Neither the password nor its first half (a message that cut it at a `/` or `?`).
                #expect(!result.stderr.contains(String(Self.secret.prefix(6))), "\(result)")
                #expect(!result.stdout.contains(String(Self.secret.prefix(6))), "\(result)")
            }
        }

        /// A server that asks for the password (SCRAM): the agent logs in with `PGPASSWORD`, and nothing it says, at
        /// debug level, through an outage and back, nor anything syncctl prints, holds it; a wrong one is refused with a
        /// message that does not hold it either.
        @Test func aPasswordTheServerAsksForShowsNowhere() async throws {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            let server = try await PostgresServer()
            // The role logs in with a password over the socket; everyone else is trusted as before.
            let hba = server.root + "/data/pg_hba.conf"
            let rules = try String(contentsOfFile: hba, encoding: .utf8)
            try ("local all secretuser scram-sha-256\n" + rules).write(toFile: hba, atomically: false, encoding: .utf8)
            try await server.run { server in
                await server.waitUntilAcceptingConnections()
                let created = try await server.psql([
                    "-c", "create role secretuser login superuser password '\(Self.secret)'",
                ])
                #expect(created.status == 0, "\(created)")
                let url = "postgres:///postgres?host=\(server.socketDirectory)&user=secretuser"
                let wrong = try await RunningProcess.run(
                    Products.path("sync-agent"), ["--socket-path", directory.socket, "--store", url],
                    environment: ["PGPASSWORD": Self.secret + "-wrong"])
                #expect(wrong.status == 1, "\(wrong)")
                #expect(wrong.stderr.contains("secretuser"), "the refusal names the user: \(wrong)")
                #expect(!(wrong.stdout + wrong.stderr).contains(Self.secret), "\(wrong)")

                let agent = try RunningProcess(
                    Products.path("sync-agent"),
                    ["--socket-path", directory.socket, "--store", url, "--log-level", "debug"],
                    environment: ["PGPASSWORD": Self.secret])
                await agent.waitForOutput(containing: "agent listening")
                #expect(!agent.hasEnded, "\(agent.outputSoFar)")
                let environment = ["SYNC_AGENT_SOCKET_PATH": directory.socket, "SYNC_AGENT_AUTOSTART": "0"]
                func syncctl(_ arguments: String...) async throws -> RunningProcess.Result {
                    try await RunningProcess.run(Products.path("syncctl"), arguments, environment: environment)
                }
                var outputs: [String] = []
                let wire = try WireClient(path: directory.socket)
                defer { wire.close() }
                outputs.append(try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#))
                outputs.append(try await wire.exchange(#"{"id":1,"type":"subscribe"}"#))
                let watch = try RunningProcess(Products.path("syncctl"), ["watch"], environment: environment)
                #expect(try await syncctl("want", "app", "db").status == 0)
                for command in [["doctor"], ["doctor", "-o", "json"], ["status", "app", "-o", "json"], ["list"]] {
                    let result = try await RunningProcess.run(
                        Products.path("syncctl"), command, environment: environment)
                    outputs += [result.stdout, result.stderr]
                }
                _ = await server.stop()
                // The stream says the store is gone; the reads say so too, with their note.
                var line = try await wire.line()
                while !line.contains(#""push":"store""#) {
                    outputs.append(line)
                    line = try await wire.line()
                }
                outputs.append(line)
                #expect(line.contains(#""reachable":false"#), "\(line)")
                await watch.waitForOutput(containing: "is unreachable")
                for command in [["status", "app"], ["list", "-o", "json"], ["want", "x", "y"], ["doctor"]] {
                    let result = try await RunningProcess.run(
                        Products.path("syncctl"), command, environment: environment)
                    outputs += [result.stdout, result.stderr]
                }
                try server.start()
                await server.waitUntilAcceptingConnections()
                line = try await wire.line()
                outputs.append(line)
                #expect(line.contains(#""reachable":true"#), "\(line)")
                watch.signal(SIGINT)
                let watched = await watch.finish()
                agent.signal(SIGTERM)
                let stopped = await agent.finish()
                #expect(stopped.status == 0, "\(stopped)")
                outputs += [watched.stdout, watched.stderr, stopped.stdout, stopped.stderr]
                #expect(stopped.stderr.contains("shared store reached again"), "\(stopped)")
                for output in outputs { #expect(!output.contains(Self.secret), "\(output)") }
            }
        }
    }
}
