@preconcurrency import Glibc

/// A journal deleted, moved away or replaced while the agent runs would take every later change with it: the
/// agent would go on writing to a file no restart reads. Before each write the journal checks that its path still
/// names the file it writes (an `fstat` and an `lstat`), and if not, puts a complete copy back at the path.
extension Journal {
    /// What happened to the file at the path, if it is no longer the journal's.
    enum PathChange: String {
        case deleted = "deleted (or moved away)"
        case replaced
    }

    /// Whether the path still names the open file; `nil` when it does (or when that cannot be told).
    func pathChange() -> PathChange? {
        var own = stat()
        guard fstat(fd, &own) == 0 else { return nil }
        var there = stat()
        guard lstat(path, &there) == 0 else { return errno == ENOENT ? .deleted : nil }
        return there.st_dev == own.st_dev && there.st_ino == own.st_ino ? nil : .replaced
    }

    /// Puts the journal back at its path when it was deleted or replaced: the synced content of the open file is
    /// copied beside the path, synced and renamed over it. A file that took its place is kept under
    /// `<path>.replaced-<time>`. - Returns: what happened and where a replacing file went, for the log.
    func restorePath() throws(Failure) -> (change: PathChange, keptAs: String?)? {
        guard pathChange() != nil else { return nil }
        let (change, keptAs) = try install(String(decoding: try committedContent(), as: UTF8.self))
        return change.map { ($0, keptAs) }
    }

    /// Writes `text`, a complete journal, to a fresh `<path>.compacting`, syncs it and renames it over the path;
    /// writes go to it from then on. The path never names less than a complete journal. A file that had taken the
    /// path is kept aside first (see ``keepStranger()``).
    /// - Returns: what had happened to the path, if anything, and where a file that took it went.
    func install(_ text: String) throws(Failure) -> (change: PathChange?, keptAs: String?) {
        let temporary = path + ".compacting"
        let newFD = try Self.createFresh(temporary)
        var result: (change: PathChange?, keptAs: String?) = (nil, nil)
        do throws(Failure) {
            try Self.write(newFD, text, path: temporary)
            guard fsync(newFD) == 0 else {
                throw Failure(description: "sync \(temporary): \(Self.errorText())", code: errno)
            }
            result.change = pathChange()
            if result.change == .replaced { result.keptAs = keepStranger() }
            guard rename(temporary, path) == 0 else {
                throw Failure(description: "replace journal \(path): \(Self.errorText())", code: errno)
            }
        } catch {
            Glibc.close(newFD)
            unlink(temporary)
            throw error
        }
        Self.syncDirectory(of: path)
        replaceDescriptor(with: newFD)
        return result
    }

    /// Keeps the file now at the path under another name (a hard link, so the path never goes missing), unless it
    /// is only the journal's own leftover. - Returns: its new name, if it was kept.
    func keepStranger() -> String? {
        var there = stat()
        guard lstat(path, &there) == 0, there.st_size > 0 else { return nil }
        let aside = "\(path).replaced-\(time(nil))-\(there.st_ino)"
        return link(path, aside) == 0 ? aside : nil
    }

    /// The synced part of the open file.
    func committedContent() throws(Failure) -> [UInt8] {
        var content = [UInt8](repeating: 0, count: committedLength)
        var offset = 0
        while offset < committedLength {
            let count = content.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + offset, committedLength - offset, off_t(offset))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw Failure(description: "read back journal \(path): \(Self.errorText())", code: errno)
            }
            offset += count
        }
        return content
    }
}
