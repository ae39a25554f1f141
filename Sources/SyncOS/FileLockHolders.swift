@preconcurrency import Glibc

/// Who holds an `flock(2)` lock on a file, as /proc/locks tells. Only looks: taking the lock to test it would make
/// an agent starting at that moment fail as if another one held it.
public enum FileLockHolders {
    /// The pids holding an `flock` on the file at `path`: empty when nobody does, `nil` when the file or
    /// /proc/locks cannot be read.
    public static func pids(of path: String) -> [Int32]? {
        var info = stat()
        guard stat(path, &info) == 0, let table = FileContents.text("/proc/locks") else { return nil }
        let key = deviceAndInode(info)
        var pids: [Int32] = []
        for line in table.split(separator: "\n") {
            // `1: FLOCK  ADVISORY  WRITE 23607 fe:00:16226398 0 EOF`; a blocked waiter has `->` after the number.
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == key, let pid = Int32(fields[4]) else {
                continue
            }
            pids.append(pid)
        }
        return pids
    }

    /// How /proc/locks names the file: `MAJOR:MINOR:INODE`, the device numbers in hex (at least two digits).
    static func deviceAndInode(_ info: stat) -> Substring {
        let device = UInt64(info.st_dev)
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return text.count < 2 ? "0" + text : text
        }
        return Substring("\(hex(major)):\(hex(minor)):\(info.st_ino)")
    }
}
