@preconcurrency import Glibc

/// The `posix_spawn` attributes of every child the tools start: the child begins with no blocked signals and with
/// INT, TERM, HUP, QUIT and PIPE at their default action, whatever the spawning thread had blocked or ignored (a
/// child spawned from a worker thread would otherwise inherit a mask that blocks SIGTERM, and never stop).
public final class SpawnAttributes {
    /// For `posix_spawn`/`posix_spawnp`; valid for as long as this object lives.
    public let pointer: UnsafeMutablePointer<posix_spawnattr_t>

    /// - Parameter newProcessGroup: put the child in a process group of its own (its pid), so that one signal to
    ///   the group reaches everything it starts.
    /// - Parameter newSession: make the child the leader of a session of its own (`setsid`): no controlling
    ///   terminal, out of the spawner's process group, so the terminal's and the group's signals never reach it.
    public init(newProcessGroup: Bool = false, newSession: Bool = false) {
        pointer = .allocate(capacity: 1)
        posix_spawnattr_init(pointer)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(pointer, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(pointer, &mask)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if newProcessGroup {
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(pointer, 0)
        }
        if newSession { flags |= Self.setsid }
        posix_spawnattr_setflags(pointer, Int16(flags))
    }

    /// `POSIX_SPAWN_SETSID` (glibc 2.26), which Swift's Glibc module does not export.
    static let setsid: Int32 = 0x80

    deinit {
        posix_spawnattr_destroy(pointer)
        pointer.deallocate()
    }
}
