import Foundation
import SyncOS
import Testing

@preconcurrency import Glibc

@Suite("Environment")
struct EnvironmentTests {
    // Without setenv: the test process's other threads spawn children meanwhile, and a setenv racing with their
    // reading of `environ` can crash them.
    @Test func readsASetVariableAsTheProcessHasIt() throws {
        let path = try #require(ProcessInfo.processInfo.environment["PATH"])
        #expect(Environment.value("PATH") == path)
    }

    @Test func anUnsetVariableIsNil() {
        #expect(Environment.value("SYNC_OS_NEVER_SET_\(getpid())") == nil)
    }
}
