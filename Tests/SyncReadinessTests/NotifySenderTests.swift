@preconcurrency import Glibc
import Testing

@testable import SyncReadiness

/// Real programs speaking sd_notify to a ``NotifySocket``: systemd's own `systemd-notify` from a shell script, and a
/// hand-written Python client. A missing program fails the test, saying what to install (`.ci/run` installs both).
@Suite struct NotifySenderTests {
    /// systemd-notify (systemd 252 and later) follows its message with `BARRIER=1` and a pipe, and waits up to 5 s
    /// for the receiver to read it; the socket's `recv` releases the pipe at once, so it exits 0 without waiting.
    @Test func systemdNotifyFromAShellScript() throws {
        guard requireInstalled("systemd-notify", package: "systemd") else { return }
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let script = """
            systemd-notify --status="starting" || exit 11
            systemd-notify --ready --status="accepting connections" || exit 12
            """
        let sender = try #require(
            SpawnedProgram(["/bin/sh", "-c", script], environment: ["NOTIFY_SOCKET": socket.path]))
        let messages = socket.collect { $0.contains(.status("accepting connections")) }
        #expect(sender.wait() == 0)
        let meaningful = messages.filter { $0 != .other(key: "BARRIER", value: "1") }
        #expect(meaningful == [.status("starting"), .ready, .status("accepting connections")])
    }

    @Test func handWrittenClientSendsStatusExtendTimeoutAndErrno() throws {
        guard requireInstalled("python3", package: "python3") else { return }
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let client = """
            import os, socket
            address = os.environ["NOTIFY_SOCKET"]
            if address.startswith("@"):
                address = "\\0" + address[1:]
            sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            for datagram in ["STATUS=starting", "EXTEND_TIMEOUT_USEC=30000000",
                             "STATUS=migrating 3/10\\nEXTEND_TIMEOUT_USEC=5000000\\n", "ERRNO=28"]:
                sender.sendto(datagram.encode(), address)
            """
        let sender = try #require(
            SpawnedProgram(["python3", "-c", client], environment: ["NOTIFY_SOCKET": socket.path]))
        let messages = socket.collect { $0.contains(.errno(28)) }
        #expect(sender.wait() == 0)
        #expect(
            messages == [
                .status("starting"), .extendTimeout(microseconds: 30_000_000), .status("migrating 3/10"),
                .extendTimeout(microseconds: 5_000_000), .errno(28),
            ])
    }
}

/// Whether `program` is on PATH; records a failure naming the Debian package to install when it is not (never a
/// silent skip).
func requireInstalled(_ program: String, package: String) -> Bool {
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    if path.split(separator: ":").contains(where: { access("\($0)/\(program)", X_OK) == 0 }) { return true }
    let message =
        "\(program) is not installed (not on PATH \(path)): install the Debian package \(package) "
        + "(apt-get install \(package)); .ci/run does so"
    Issue.record(Comment(rawValue: message))
    return false
}
