@preconcurrency import Glibc

/// A service for the readiness benchmark that becomes ready when the bench says: a file created, a port that starts
/// listening, an HTTP server that starts answering. ``becomeReady()`` makes it ready and returns the moment it did.
protocol ReadinessService {
    /// The `--when` check that sees it ready, e.g. `tcp:127.0.0.1:40123`.
    var check: String { get }
    /// Makes the service ready. - Returns: the monotonic time just before the step that made it so (ns).
    func becomeReady() -> UInt64
    /// Releases what the service holds.
    func close()
}

/// `file:PATH`: ready when PATH is created.
struct FileService: ReadinessService {
    let path: String
    var check: String { "file:" + path }

    func becomeReady() -> UInt64 {
        let now = Syscalls.nanos()
        Glibc.close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600))
        return now
    }

    func close() { unlink(path) }
}

/// `tcp:127.0.0.1:PORT` or `http://127.0.0.1:PORT/`: a socket bound to an ephemeral port at once but listening only
/// from ``becomeReady()`` on, so every probe before is refused and no other program can take the port meanwhile.
/// As an HTTP server, a thread of its own answers `200 OK` to every request from then on.
final class PortService: ReadinessService {
    let descriptor: Int32
    let port: UInt16
    private let http: Bool
    private var server: BenchThread?

    init(http: Bool) throws(BenchError) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .errno("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw .errno("bind 127.0.0.1:0")
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
        self.http = http
    }

    var check: String { http ? "http://127.0.0.1:\(port)/" : "tcp:127.0.0.1:\(port)" }

    func becomeReady() -> UInt64 {
        let now = Syscalls.nanos()
        Glibc.listen(descriptor, 64)
        if http { server = BenchThread { [descriptor] in Self.serve(descriptor) } }
        return now
    }

    /// Stops the server thread (shutting the listening socket down ends its `accept`) and closes the socket.
    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        server?.join()
        server = nil
        Glibc.close(descriptor)
    }

    /// Answers every connection with `200 OK` once its request head has arrived, until `accept` fails.
    private static func serve(_ listener: Int32) {
        let answer = Array("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var request: [UInt8] = []
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
                FrameSocket.waitReadable(connection, milliseconds: 1000)
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                request += buffer[..<count]
            }
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            Glibc.close(connection)
        }
    }
}

/// A child process whose stdout and stderr the bench reads, to learn when it reached a point it prints a line at
/// (and what went wrong when it ends instead).
final class WatchedChild {
    let pid: pid_t
    /// The monotonic time just before the spawn (ns).
    let started: UInt64
    private let output: Int32
    private(set) var text = ""

    init(_ path: String, _ arguments: [String], environment: [String]) throws(BenchError) {
        let pipe = try Syscalls.makePipe()
        started = Syscalls.nanos()
        do {
            pid = try Spawn.start(
                path, arguments, stdout: .descriptor(pipe.write), stderr: .descriptor(pipe.write),
                environment: environment)
        } catch {
            Glibc.close(pipe.read)
            Glibc.close(pipe.write)
            throw error
        }
        Glibc.close(pipe.write)
        output = pipe.read
    }

    /// Reads the child's output until it contains `needle`. - Throws: when it ends or 10 s pass first.
    func awaitOutput(_ needle: String) throws(BenchError) {
        let deadline = Syscalls.nanos() + 10_000_000_000
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !text.contains(needle) {
            let left = Int64(deadline) - Int64(Syscalls.nanos())
            guard left > 0 else { throw BenchError("no '\(needle)' from the child within 10 s; it printed: \(text)") }
            FrameSocket.waitReadable(output, milliseconds: Int32(left / 1_000_000) + 1)
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count == 0 { throw BenchError("the child ended before printing '\(needle)'; it printed: \(text)") }
            if count > 0 { text += String(decoding: buffer[..<count], as: UTF8.self) }
        }
    }

    /// Waits for the child to end. - Returns: its exit status (see ``Spawn/wait(_:)``).
    func finish() -> Int32 { finishWithUsage().status }

    /// Waits for the child to end. - Returns: its exit status and the CPU time (user + system) it used over its
    /// whole life, in nanoseconds (see ``Spawn/waitWithUsage(_:)``).
    func finishWithUsage() -> (status: Int32, cpuNanos: UInt64) {
        let (status, cpu) = Spawn.waitWithUsage(pid)
        // What is left, without waiting for a grandchild that may still hold the pipe.
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            text += String(decoding: buffer[..<count], as: UTF8.self)
        }
        Glibc.close(output)
        return (status, cpu)
    }
}

/// A POSIX thread for blocking work beside the bench's own (a server's `accept` loop); ``join()`` waits for it.
final class BenchThread {
    private var thread = pthread_t()

    init(_ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, box)
        precondition(created == 0, "pthread_create failed")
    }

    func join() { pthread_join(thread, nil) }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
