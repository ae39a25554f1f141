import SyncOS
import Testing

@preconcurrency import Glibc

@Suite("Environment")
struct EnvironmentTests {
    @Test func readsASetVariableAndNilForAnUnsetOne() {
        let name = "SYNC_OS_TEST_\(getpid())"
        setenv(name, "a value with spaces", 1)
        #expect(Environment.value(name) == "a value with spaces")
        unsetenv(name)
        #expect(Environment.value(name) == nil)
    }

    @Test func anEmptyValueIsNotNil() {
        let name = "SYNC_OS_EMPTY_\(getpid())"
        setenv(name, "", 1)
        #expect(Environment.value(name) == "")
        unsetenv(name)
    }
}
