@preconcurrency import Glibc
import Testing

@testable import SyncReadiness

@Suite struct FileReadinessTests {
    private func temporaryDirectory() -> String {
        var template = Array("/tmp/readiness-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    private func remove(_ directory: String) {
        #expect(CommandProbe(command: "rm -rf '\(directory)'").probe() == .passed)
    }

    private func create(_ path: String) {
        let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        precondition(descriptor >= 0)
        Glibc.close(descriptor)
    }

    @Test func fileCreatedLateFromAnotherThreadIsSeen() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        let path = directory + "/app.ready"
        let readiness = try FileReadiness(path: path)
        #expect(readiness.check() == .notYet("does not exist yet"))
        let creator = TestThread { self.create(path) }
        #expect(readiness.wait(deadline: nil) == .passed)
        creator.join()
    }

    @Test func missingDirectoriesOnTheWayAreWatchedToo() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        let path = directory + "/run/app/ready"
        let readiness = try FileReadiness(path: path)
        #expect(readiness.check() == .notYet("does not exist yet"))
        let creator = TestThread {
            mkdir(directory + "/run", 0o700)
            mkdir(directory + "/run/app", 0o700)
            self.create(path)
        }
        #expect(readiness.wait(deadline: nil) == .passed)
        creator.join()
    }

    @Test func fileMovedInCounts() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        create(directory + "/tmp")
        let readiness = try FileReadiness(path: directory + "/ready")
        #expect(readiness.check() != .passed)
        rename(directory + "/tmp", directory + "/ready")
        #expect(readiness.wait(deadline: nil) == .passed)
    }

    @Test func deadlinePassedSaysNotYet() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        let readiness = try FileReadiness(path: directory + "/never")
        #expect(readiness.wait(deadline: 0) == .notYet("does not exist yet"))
    }

    @Test func existingFilePassesAtOnce() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        create(directory + "/here")
        #expect(try FileReadiness(path: directory + "/here").check() == .passed)
    }

    @Test(arguments: [("/a/b", "/a"), ("/a", "/"), ("a", "."), ("a/b/", "a"), ("/", "/"), (".", ".")])
    func parents(path: String, parent: String) {
        #expect(FileReadiness.parent(of: path) == parent)
    }
}
