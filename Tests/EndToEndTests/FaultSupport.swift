import Foundation
import SyncClient
import SyncProtocol
import SyncTestSupport

/// Helpers for fault tests with the real binaries: run as another user, mount a small file system, count an agent's
/// open file descriptors.
enum Fault {
    /// Runs a command to the end: its status (-1 when it could not start) and its output.
    static func run(_ executable: String, _ arguments: [String]) async -> (status: Int32, output: String) {
        guard let result = try? await RunningProcess.run(executable, arguments) else { return (-1, "") }
        return (result.status, result.stdout + result.stderr)
    }

    /// Whether this test process may run the built binaries as another user (root, `setpriv`, and products that
    /// other users can read). Tests that need it are skipped otherwise.
    static let canSwitchUsers: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        probe.arguments = [
            "--reuid", "65534", "--regid", "65534", "--clear-groups", Products.path("syncctl"), "--version",
        ]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// Whether this test process may mount a tmpfs (root, and a kernel and container that allow it).
    static let canMount: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        let directory = TemporaryDirectory(prefix: "mnt")
        defer { directory.remove() }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", directory.path]
        mount.standardError = FileHandle.nullDevice
        guard (try? mount.run()) != nil else { return false }
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return false }
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [directory.path]
        try? umount.run()
        umount.waitUntilExit()
        return true
    }()

    /// `setpriv` arguments that run `executable` as `uid` (same gid, no supplementary groups).
    static func asUser(_ uid: UInt32, _ executable: String, _ arguments: [String]) -> (String, [String]) {
        ("/usr/bin/setpriv", ["--reuid", "\(uid)", "--regid", "\(uid)", "--clear-groups", executable] + arguments)
    }

    /// A uid no account uses, different for each test process so runs do not meet in /tmp.
    static let strangerUID = UInt32(60_000 + getpid() % 5_000)

    /// A small tmpfs mounted on a fresh directory, unmounted by ``unmount()``.
    struct Mount {
        let directory: TemporaryDirectory
        var path: String { directory.path }

        static func tmpfs(size: String = "64k") async throws -> Mount {
            let directory = TemporaryDirectory(prefix: "fs")
            let result = await Fault.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", directory.path])
            guard result.status == 0 else {
                directory.remove()
                throw POSIXError(.EPERM)
            }
            return Mount(directory: directory)
        }

        func remount(readOnly: Bool) async -> Bool {
            await Fault.run("/bin/mount", ["-o", "remount,\(readOnly ? "ro" : "rw")", path]).status == 0
        }

        /// Bytes free on the file system.
        var freeBytes: Int {
            var info = statvfs()
            guard statvfs(path, &info) == 0 else { return 0 }
            return Int(info.f_bavail) * Int(info.f_frsize)
        }

        func unmount() async {
            _ = await Fault.run("/bin/umount", ["-l", path])
            directory.remove()
        }
    }

    /// Open file descriptors of process `pid`.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }
}
