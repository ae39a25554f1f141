@preconcurrency import Glibc

/// The limit on open files (`RLIMIT_NOFILE`).
public enum FileLimit {
    /// Lifts the soft limit to the hard one, so that a program holding many connections is bounded by its own
    /// limits, not by a default `ulimit -n` of 1024. Does nothing when the limits cannot be read.
    /// - Returns: the soft limit afterwards.
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
