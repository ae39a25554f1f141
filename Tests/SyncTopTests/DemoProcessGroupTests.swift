@preconcurrency import Glibc
import SyncClient
import Testing

@testable import sync_top

/// `sync-top --demo` keeps its agent up until the scripts' process group has ended: how it sees that group.
@Suite("Demo process group")
struct DemoProcessGroupTests {
    @Test func aGroupIsAliveWhileItsProcessRunsAndEndsWithIt() async throws {
        let child = try ChildProcess.spawn(["sleep", "30"], environment: [:], newProcessGroup: true)
        #expect(Demo.groupAlive(child.pid))
        child.signalGroup(SIGTERM)
        #expect(await child.wait() == .signaled(SIGTERM))
        #expect(!Demo.groupAlive(child.pid))
        #expect(Demo.waitForGroupEnd(child.pid, milliseconds: 0))
    }

    @Test func anOrphanKeepsTheGroupAliveAfterItsLeaderEnded() async throws {
        // The leader exits at once; the sleep it started lives on in its group, as a service outlives its script. It
        // sleeps far longer than the test can take on a loaded machine (a 30 s sleep had ended by the time a wait
        // resumed, 156 s later, in a loaded full run), and the test kills it.
        let child = try ChildProcess.spawn(
            ["sh", "-c", "sleep 3600 & exit 0"], environment: [:], newProcessGroup: true)
        #expect(await child.wait() == .exited(0))
        #expect(Demo.groupAlive(child.pid))
        #expect(!Demo.waitForGroupEnd(child.pid, milliseconds: 30))
        child.signalGroup(SIGKILL)
        #expect(Demo.waitForGroupEnd(child.pid, milliseconds: 5_000), "a killed orphan is a zombie at most")
    }

    @Test func entriesListTheNamesButNotTheDots() {
        let names = Demo.entries(of: "/proc/self")
        #expect(names.contains("stat") && !names.contains(".") && !names.contains(".."))
        #expect(Demo.entries(of: "/nonexistent-folder").isEmpty)
    }
}
