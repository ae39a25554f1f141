import Foundation
import SyncTestSupport
import Testing

/// What `scripts/install.sh --prefix <temporary>` left: its output and the prefix it filled.
struct Installation: Sendable {
    /// The repository, found from this source file (the tests run from the package directory or not).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The executables the script installs.
    static let programs = ["sync-agent", "syncctl", "sync-top"]
    /// Where the toolchain lives on this machine and in CI; hidden from the installed programs under test.
    static let toolchain = "/opt/swift"

    /// The install's exit status, stdout and stderr.
    let result: RunningProcess.Result
    /// The `--prefix` given to the script.
    let prefix: String

    var bin: String { prefix + "/bin" }
    func path(_ relative: String) -> String { prefix + "/" + relative }

    /// The installation the suite's tests share, set by ``InstalledOnce`` around them.
    @TaskLocal static var shared: Installation?

    /// Runs the install script into `prefix`; `arguments` come after `--prefix prefix`.
    static func run(prefix: String, _ arguments: [String] = []) async throws -> RunningProcess.Result {
        // The script builds with the toolchain on PATH like any user's shell; nothing of the test's own build
        // (its scratch path) is given to it, so it builds in .build-install as documented. Under SCHED_IDLE: the
        // other tests run meanwhile, and a release build must not take the CPU from them. `nice` is not enough:
        // swift-build's threads set their own nice value, and the compilers they start inherit it; a scheduling
        // policy is inherited by every thread and process below.
        try await RunningProcess.run(
            "/usr/bin/chrt",
            ["--idle", "0", "/bin/bash", repository + "/scripts/install.sh", "--prefix", prefix] + arguments)
    }

    /// Runs an installed `program` with the toolchain out of reach: in a mount namespace of its own, with an empty
    /// tmpfs over ``toolchain``, PATH without it, and no LD_LIBRARY_PATH. The shell first checks that the
    /// toolchain really is gone, then becomes the program (same pid, so a signal reaches it).
    func runHidden(_ program: String, _ arguments: [String]) throws -> RunningProcess {
        let script = """
            mount -t tmpfs -o size=1m,mode=755 sync-test-no-toolchain \(Installation.toolchain) || {
                echo 'cannot hide \(Installation.toolchain): mounting needs root, as in CI' >&2; exit 90
            }
            if [ -e \(Installation.toolchain)/usr ] || command -v swift >/dev/null 2>&1; then
                echo 'the toolchain is still reachable' >&2; exit 91
            fi
            exec "$@"
            """
        return try RunningProcess(
            "/usr/bin/unshare", ["--mount", "--", "/bin/sh", "-c", script, "sh"] + [program] + arguments,
            environment: ["PATH": bin + ":/usr/bin:/bin", "LD_LIBRARY_PATH": ""])
    }

    /// Runs an installed program (or `ldd`) to the end with the toolchain hidden.
    func hidden(_ program: String, _ arguments: String...) async throws -> RunningProcess.Result {
        try await runHidden(program, arguments).finish()
    }
}

/// Installs once, into a temporary prefix, for every test of the suite it marks; removes the prefix afterwards.
/// The release build it runs takes minutes the first time (seconds when `.build-install` is up to date).
struct InstalledOnce: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory(prefix: "install")
        defer { directory.remove() }
        let prefix = directory.file("prefix")
        let result = try await Installation.run(prefix: prefix)
        try await Installation.$shared.withValue(Installation(result: result, prefix: prefix)) {
            try await function()
        }
    }
}

extension Trait where Self == InstalledOnce {
    /// Runs `scripts/install.sh` once before the suite; its tests read ``Installation/shared``.
    static var installedOnce: Self { Self() }
}
