@preconcurrency import Glibc

/// A TCP socket on 127.0.0.1 and an ephemeral port, bound at once but listening only when the test says so:
/// until then a connection to the port is refused, with no race for the port.
final class TestListener {
    let descriptor: Int32
    let port: UInt16

    init() {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                precondition(bind(descriptor, $0, length) == 0, "bind failed")
                precondition(getsockname(descriptor, $0, &length) == 0, "getsockname failed")
            }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    func listen() {
        precondition(Glibc.listen(descriptor, 16) == 0, "listen failed")
    }

    /// Accepts one connection, reads the request up to its blank line, answers `response`, closes; the request.
    func answerOnce(_ response: String) -> String {
        let connection = accept(descriptor, nil, nil)
        defer { close(connection) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !request.ends(with: Array("\r\n\r\n".utf8)) {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            request += buffer[0..<count]
        }
        _ = Array(response.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return String(decoding: request, as: UTF8.self)
    }

    deinit { close(descriptor) }
}

extension Array where Element: Equatable {
    func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}

/// Runs `body` on a thread of its own (not the test's cooperative pool, since it blocks); ``join()`` waits for it.
final class TestThread: @unchecked Sendable {
    private var thread = pthread_t()

    init(_ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        precondition(
            pthread_create(
                &thread, nil,
                { raw in
                    let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                    box.body()
                    return nil
                }, box) == 0)
    }

    func join() {
        pthread_join(thread, nil)
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
