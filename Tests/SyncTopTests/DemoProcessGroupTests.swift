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
        // The leader exits at once; the sleep it started lives on in its group, as a service outlives its script.
        let child = try ChildProcess.spawn(["sh", "-c", "sleep 30 & exit 0"], environment: [:], newProcessGroup: true)
        #expect(await child.wait() == .exited(0))
        #expect(Demo.groupAlive(child.pid), "kill(-group, 0) gives \(kill(-child.pid, 0)), errno \(errno)")
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
