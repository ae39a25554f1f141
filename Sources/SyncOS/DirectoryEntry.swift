@preconcurrency import Glibc

/// Reading a directory entry that `readdir(3)` returned.
public enum DirectoryEntry {
    /// The entry's name, read up to its terminating NUL from the record itself.
    ///
    /// Never through `entry.pointee`: that copies the whole `struct dirent`, 256 bytes of `d_name` included, while
    /// the kernel's record ends after the name (`d_reclen`), so a record at the end of readdir's buffer would be read
    /// past, and a page beyond it may not be mapped.
    public static func name(_ entry: UnsafeMutablePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
    }
}
