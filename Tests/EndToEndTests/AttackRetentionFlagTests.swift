import Foundation
import SyncTestSupport
import Testing

/// Attacks on `--retention N` / `SYNC_AGENT_RETENTION` (docs/MULTI-HOST.md): "a whole number from 1 to 100,000,000,
/// else the agent does not start (exit 2, a message naming it)". The bounds are accepted (the agent then fails
/// later, exit 1, on the store that is not there), everything around them refused by name, and the flag wins over
/// the environment.
extension AttackSuites {
    @Suite("Attack: --retention's values")
    struct AttackRetentionFlagTests {
        static let unreachable = "postgres:///nowhere?host=/nonexistent"

        static func run(_ arguments: [String], _ environment: [String: String] = [:]) async throws
            -> RunningProcess.Result
        {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            return try await RunningProcess.run(
                Products.path("sync-agent"),
                ["--socket-path", directory.socket, "--store", unreachable] + arguments, environment: environment)
        }

        @Test(arguments: ["1", "100000000", "+5", "007"])
        func theBoundsAndOtherWholeNumbersAreAccepted(value: String) async throws {
            for (arguments, environment) in [(["--retention", value], [:]), ([], ["SYNC_AGENT_RETENTION": value])] {
                let result = try await Self.run(arguments, environment)
                #expect(result.status == 1 && result.stderr.contains("cannot connect to PostgreSQL"), "\(result)")
            }
        }

        @Test(arguments: [
            "0", "100000001", "-1", "1e3", "0x10", " 5", "5 ", "5.0", "½", "٣", "99999999999999999999999", "",
        ])
        func everythingElseIsRefusedByName(value: String) async throws {
            // By flag (written --retention=VALUE, so that -1 is not read as a flag), and by the environment variable.
            let flag = try await Self.run(["--retention=\(value)"])
            #expect(flag.status == 2, "\(flag)")
            #expect(flag.stderr.contains("--retention"), "\(flag)")
            guard !value.isEmpty else { return }  // an empty variable counts as unset, as the others do
            let variable = try await Self.run([], ["SYNC_AGENT_RETENTION": value])
            #expect(variable.status == 2, "\(variable)")
            #expect(variable.stderr.contains("SYNC_AGENT_RETENTION must be a whole number of events"), "\(variable)")
        }

        @Test func theFlagWinsOverTheEnvironment() async throws {
            let good = try await Self.run(["--retention", "5"], ["SYNC_AGENT_RETENTION": "nonsense"])
            #expect(good.status == 1, "\(good)")
            let bad = try await Self.run(["--retention", "0"], ["SYNC_AGENT_RETENTION": "5"])
            #expect(bad.status == 2 && bad.stderr.contains("--retention must be"), "\(bad)")
        }
    }
}
