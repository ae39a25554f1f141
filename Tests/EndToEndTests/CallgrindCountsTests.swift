import Foundation
import SyncAgentHarness
import SyncTestSupport
import Testing

/// scripts/callgrind-counts.sh: its comparison of measured instruction counts with the committed table (from files,
/// without valgrind), and one real case counted under valgrind with the debug build.
@Suite("callgrind counts script")
struct CallgrindCountsTests {
    static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/callgrind-counts.sh").path
    }()

    static let table = """
        # Counts
        <!-- callgrind-counts -->
        | case | instructions | tolerance | what is counted |
        |---|--:|--:|---|
        | `want` | 10,000 | 2 % | one want |
        | `complete-1` | 50,000 | 5 % | one complete |
        <!-- /callgrind-counts -->
        | `not-a-case` | 1 | 1 % | outside the markers |
        """

    /// Runs the script on the committed `table` and these measured `CASE COUNT` lines.
    func compare(_ measured: String) async throws -> RunningProcess.Result {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try Self.table.write(toFile: directory.file("expected.md"), atomically: true, encoding: .utf8)
        try measured.write(toFile: directory.file("measured"), atomically: true, encoding: .utf8)
        return try await RunningProcess.run(
            Self.script, ["--expected", directory.file("expected.md"), "--measured", directory.file("measured")])
    }

    @Test func countsWithinTheirToleranceAreOK() async throws {
        let result = try await compare("want 10150\ncomplete-1 52400\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ok (within 2 %)"))
        #expect(!result.stdout.contains("not-a-case"))
    }

    @Test func aCountOverItsToleranceIsARegressionWithItsNumbers() async throws {
        let result = try await compare("want 10100\ncomplete-1 53000\n")
        #expect(result.status == 1, "\(result)")
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("complete-1 ") }.map(String.init) ?? ""
        #expect(line.contains("50000") && line.contains("53000") && line.contains("+6.00%"), "\(result.stdout)")
        #expect(line.contains("REGRESSION"))
    }

    @Test func aCountFarUnderAsksForTheTableToBeUpdated() async throws {
        let result = try await compare("want 9000\ncomplete-1 50000\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("update the table"))
    }

    @Test func aCaseNotMeasuredFailsApart() async throws {
        let result = try await compare("want 10000\n")
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.contains("NOT MEASURED"))
    }

    @Test func theCommittedTableNamesEveryCase() async throws {
        let benchmarks = try String(
            contentsOfFile: URL(fileURLWithPath: Self.script).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("docs/BENCHMARKS.md").path, encoding: .utf8)
        for name in [
            "want", "complete-1", "complete-1000", "fanout-0", "fanout-10", "top-frame-1000", "syncctl-complete",
        ] {
            let committed = benchmarks.contains("| `\(name)` |")
            #expect(committed, "\(name) has no committed count in docs/BENCHMARKS.md")
        }
    }

    /// Counts `name` with the build the tests run (debug: far more instructions than the release counts
    /// committed, so only counted, not compared). - Returns: the count the script printed, and its run.
    private func countReal(_ name: String) async throws -> (count: Int?, result: RunningProcess.Result) {
        let result = try await RunningProcess.run(
            Self.script, ["--bin-dir", Products.directory, "--print", "--case", name])
        let count = result.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            .flatMap { Int($0.split(separator: " ")[1]) }
        return (count, result)
    }

    /// One in-process case under valgrind.
    @Test func aRealCaseIsCountedUnderValgrind() async throws {
        let (count, result) = try await countReal("want")
        #expect(result.status == 0, "\(result)")
        #expect((count ?? 0) > 1000, "\(result)")
    }

    /// The whole-process case: the script starts its own ephemeral agent and counts one real `syncctl complete`
    /// from exec to exit.
    @Test func aWholeSyncctlCompleteIsCountedUnderValgrind() async throws {
        let (count, result) = try await countReal("syncctl-complete")
        #expect(result.status == 0, "\(result)")
        // Exec, the runtime's start-up and one request are millions of instructions even in a release build.
        #expect((count ?? 0) > 1_000_000, "\(result)")
    }
}
