@preconcurrency import Glibc
import SyncCore

/// The process's clocks, for the executables and the agent; the core is always given the time, never reads it.
public enum SystemClock {
    /// Wall-clock time, for event timestamps.
    @Sendable public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    /// Microseconds of a clock that never jumps, for intervals and frame pacing.
    public static func monotonic() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    /// The local time zone's offset from UTC now, in seconds (from `TZ` and the system zone).
    public static func utcOffset() -> Int {
        var seconds = time(nil)
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return 0 }
        return Int(local.tm_gmtoff)
    }
}
