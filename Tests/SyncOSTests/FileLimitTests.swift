import SyncOS
import Testing

@preconcurrency import Glibc

@Suite("FileLimit")
struct FileLimitTests {
    @Test func raisesTheSoftLimitToTheHardOne() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let raised = FileLimit.raiseToHardLimit()
        #expect(raised == Int(limit.rlim_max))
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect(limit.rlim_cur == limit.rlim_max)
    }
}
