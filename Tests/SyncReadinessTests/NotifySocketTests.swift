@preconcurrency import Glibc
import Testing

@testable import SyncReadiness

@Suite struct NotifySocketTests {
    @Test func bindsAPrivateSocketInTheDirectory() throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        #expect(socket.path == directory.path + "/notify.sock")
        var info = stat()
        #expect(lstat(socket.path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(socket.descriptor >= 0)
        #expect(fcntl(socket.descriptor, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(socket.descriptor, F_GETFD) & FD_CLOEXEC != 0)
        #expect(socket.receive().isEmpty)
    }

    @Test func datagramsArriveInOrderAndEachOnce() throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        try NotifySocket.send("STATUS=starting", to: socket.path)
        try NotifySocket.send("EXTEND_TIMEOUT_USEC=30000000\nSTATUS=migrating 3/10", to: socket.path)
        try NotifySocket.send("READY=1\n", to: socket.path)
        #expect(
            socket.receive() == [
                .status("starting"), .extendTimeout(microseconds: 30_000_000), .status("migrating 3/10"), .ready,
            ])
        #expect(socket.receive().isEmpty)
    }

    @Test func aDatagramTooLargeIsDroppedWholeAndTheNextStillArrives() throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let large = String(repeating: "a", count: 60_000)
        try NotifySocket.send("STATUS=\(large)", to: socket.path)
        try NotifySocket.send("STATUS=" + String(repeating: "b", count: 100_000) + "\nREADY=1", to: socket.path)
        try NotifySocket.send("STATUS=after", to: socket.path)
        #expect(socket.receive() == [.status(large), .status("after")])
    }

    @Test func relativeDirectoryGivesAnAbsolutePath() throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let cwd = String(cString: getcwd(&buffer, buffer.count))
        let depth = cwd.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + directory.path.dropFirst()
        let expected = cwd + "/" + relative + "/notify.sock"
        guard expected.utf8.count <= NotifySocket.pathLimit else {
            #expect(throws: NotifySocket.Failure.self) { try NotifySocket(directory: relative) }
            return
        }
        let socket = try NotifySocket(directory: relative)
        defer { socket.close() }
        #expect(socket.path == expected)
        #expect(access(directory.path + "/notify.sock", F_OK) == 0)
    }

    @Test func pathTooLongForASocketAddressIsAClearError() {
        let long = "/tmp/" + String(repeating: "d", count: 120)
        #expect(throws: NotifySocket.Failure.self) { try NotifySocket(directory: long) }
        do {
            _ = try NotifySocket(directory: long)
        } catch {
            #expect(error.message.contains(long + "/notify.sock"))
            #expect(error.message.contains("at most \(NotifySocket.pathLimit)"))
        }
    }

    @Test func missingDirectoryIsAnErrorNamingThePath() {
        do {
            _ = try NotifySocket(directory: "/nonexistent-notify-dir")
            Issue.record("bound a socket in a directory that does not exist")
        } catch {
            #expect(error.message.contains("/nonexistent-notify-dir/notify.sock"))
            #expect(error.message.contains("no such file or directory"))
        }
    }

    @Test func closeRemovesTheSocketAndStopsReceiving() throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        try NotifySocket.send("READY=1", to: socket.path)
        socket.close()
        #expect(access(socket.path, F_OK) != 0)
        #expect(socket.descriptor == -1)
        #expect(socket.receive().isEmpty)
        socket.close()
        #expect(throws: NotifySocket.Failure.self) { try NotifySocket.send("READY=1", to: socket.path) }
    }

    @Test func sendReachesAnAbstractSocketNamedWithAt() throws {
        let name = "@sync-notify-test-\(getpid())"
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(receiver) }
        var (address, length) = NotifySocket.address(name)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, length) }
        }
        #expect(bound == 0)
        try NotifySocket.send("READY=1", to: name)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(receiver, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        #expect(count == 7)
        #expect(NotifyMessage.parse(Array(buffer.prefix(max(count, 0)))) == [.ready])
    }

    @Test func sendRefusesARelativeSocket() {
        #expect(throws: NotifySocket.Failure.self) { try NotifySocket.send("READY=1", to: "notify.sock") }
    }
}
