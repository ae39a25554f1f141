@preconcurrency import Glibc

/// Waits on thousands of sockets at once (`poll()` would scan all of them on every call).
///
/// Glibc's Swift module does not export `<sys/epoll.h>`, so the three calls are looked up with `dlsym` and the
/// `struct epoll_event` is laid out by hand: `uint32_t events; uint64_t data`, packed (12 bytes) on x86_64,
/// naturally aligned (16 bytes) elsewhere.
final class Epoll {
    private typealias Create = @convention(c) (Int32) -> Int32
    private typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    #if arch(x86_64)
        private static let eventSize = 12
        private static let dataOffset = 4
    #else
        private static let eventSize = 16
        private static let dataOffset = 8
    #endif
    private static let capacity = 1024

    private let fd: Int32
    private let control: Control
    private let waitCall: Wait
    private let events: UnsafeMutableRawPointer

    init() throws(BenchError) {
        let handle = dlopen(nil, RTLD_NOW)
        guard let create = dlsym(handle, "epoll_create1"), let control = dlsym(handle, "epoll_ctl"),
            let wait = dlsym(handle, "epoll_wait")
        else { throw BenchError("epoll is not available") }
        self.control = unsafeBitCast(control, to: Control.self)
        waitCall = unsafeBitCast(wait, to: Wait.self)
        fd = unsafeBitCast(create, to: Create.self)(Int32(O_CLOEXEC))
        guard fd >= 0 else { throw .errno("epoll_create1") }
        events = .allocate(byteCount: Self.eventSize * Self.capacity, alignment: 8)
    }

    deinit {
        close(fd)
        events.deallocate()
    }

    /// Watches `descriptor` for input; ``wait(milliseconds:)`` reports it as `tag`.
    func add(_ descriptor: Int32, tag: Int) throws(BenchError) {
        let event = UnsafeMutableRawPointer.allocate(byteCount: Self.eventSize, alignment: 8)
        defer { event.deallocate() }
        event.initializeMemory(as: UInt8.self, repeating: 0, count: Self.eventSize)
        event.storeBytes(of: UInt32(1), as: UInt32.self)  // EPOLLIN
        event.storeBytes(of: UInt64(tag), toByteOffset: Self.dataOffset, as: UInt64.self)
        guard control(fd, 1, descriptor, event) == 0 else { throw .errno("epoll_ctl") }  // EPOLL_CTL_ADD
    }

    /// Waits until some watched sockets are readable. - Returns: their tags (empty after the timeout).
    func wait(milliseconds: Int32) -> [Int] {
        let count = waitCall(fd, events, Int32(Self.capacity), milliseconds)
        guard count > 0 else { return [] }
        return (0..<Int(count)).map {
            Int(events.loadUnaligned(fromByteOffset: $0 * Self.eventSize + Self.dataOffset, as: UInt64.self))
        }
    }
}
