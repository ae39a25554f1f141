@preconcurrency import Glibc
import SyncOS

/// A TCP connection made with a deadline, for the tcp and http probes: `getaddrinfo`, then a nonblocking `connect`
/// and `poll` on each address in turn until one connects. Owns its descriptor; ``close()`` releases it.
///
/// The deadline bounds the connection, not the name lookup: the C library's `getaddrinfo` has no timeout of its
/// own (a DNS server that does not answer holds it for the resolver's timeouts, ~5 s per try by default). Numeric
/// addresses (the default 127.0.0.1) and names in /etc/hosts never wait on the network.
struct SocketConnection {
    let descriptor: Int32

    /// Connects to `host` (a name or IPv4 address; "localhost" may give ::1 and 127.0.0.1) on `port`, by `deadline`
    /// (microseconds, monotonic).
    /// - Returns: the connection, or the reason there is none ("connection refused", "no answer within 250 ms").
    static func connect(host: String, port: UInt16, deadline: Int64) -> Result<SocketConnection, ProbeFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            return .failure(ProbeFailure("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var failure = ProbeFailure("no address for \(host)")
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry?.pointee {
            entry = address.ai_next
            switch connect(address, deadline: deadline) {
            case .success(let connection): return .success(connection)
            case .failure(let reason): failure = reason
            }
        }
        return .failure(failure)
    }

    private static func connect(_ address: addrinfo, deadline: Int64) -> Result<SocketConnection, ProbeFailure> {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(address.ai_family, type, 0)
        guard descriptor >= 0 else { return .failure(ProbeFailure(errno: errno)) }
        let connection = SocketConnection(descriptor: descriptor)
        if Glibc.connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 { return .success(connection) }
        let code = errno
        guard code == EINPROGRESS || code == EINTR else {
            connection.close()
            return .failure(ProbeFailure(errno: code))
        }
        if let failure = connection.wait(for: Int16(POLLOUT), deadline: deadline) {
            connection.close()
            return .failure(failure)
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            connection.close()
            return .failure(ProbeFailure(errno: error))
        }
        return .success(connection)
    }

    /// Waits until the descriptor is ready for `events`; nil when it is, the reason when the deadline passed first.
    func wait(for events: Int16, deadline: Int64) -> ProbeFailure? {
        while true {
            let left = deadline - SystemClock.monotonic()
            guard left > 0 else { return .noAnswer }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(Int64(Int32.max), (left + 999) / 1000)))
            if ready > 0 { return nil }
            if ready < 0 && errno != EINTR { return ProbeFailure(errno: errno) }
        }
    }

    /// Sends all of `bytes` by `deadline`.
    func send(_ bytes: [UInt8], deadline: Int64) -> ProbeFailure? {
        var offset = 0
        while offset < bytes.count {
            if let failure = wait(for: Int16(POLLOUT), deadline: deadline) { return failure }
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return ProbeFailure(errno: errno)
            }
            offset += sent
        }
        return nil
    }

    /// Reads until `complete` says the bytes so far suffice, the peer closes, or `limit` bytes arrived.
    func receive(limit: Int, deadline: Int64, complete: ([UInt8]) -> Bool) -> Result<[UInt8], ProbeFailure> {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while received.count < limit && !complete(received) {
            if let failure = wait(for: Int16(POLLIN), deadline: deadline) { return .failure(failure) }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(ProbeFailure(errno: errno))
            }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        return .success(received)
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}

/// Why a probe's attempt failed, in a few lowercase words.
struct ProbeFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    /// The C library's words for `errno`, first letter lowercased: "connection refused".
    init(errno code: Int32) {
        reason = errorText(code)
    }
    static let noAnswer = ProbeFailure("no answer in time")
}
