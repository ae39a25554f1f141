@preconcurrency import Glibc
import SyncOS
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
        let readiness = FileReadiness(path: path)
        #expect(readiness.check() == .notYet("does not exist yet"))
        let creator = TestThread { self.create(path) }
        #expect(readiness.wait(deadline: nil) == .passed)
        creator.join()
    }

    @Test func missingDirectoriesOnTheWayAreWatchedToo() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        let path = directory + "/run/app/ready"
        let readiness = FileReadiness(path: path)
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
        let readiness = FileReadiness(path: directory + "/ready")
        #expect(readiness.check() != .passed)
        rename(directory + "/tmp", directory + "/ready")
        #expect(readiness.wait(deadline: nil) == .passed)
    }

    @Test func deadlinePassedSaysNotYet() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        let readiness = FileReadiness(path: directory + "/never")
        #expect(readiness.wait(deadline: 0) == .notYet("does not exist yet"))
    }

    @Test func existingFilePassesAtOnce() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        create(directory + "/here")
        #expect(FileReadiness(path: directory + "/here").check() == .passed)
    }

    @Test(arguments: [("/a/b", "/a"), ("/a", "/"), ("a", "."), ("a/b/", "a"), ("/", "/"), (".", ".")])
    func parents(path: String, parent: String) {
        #expect(FileReadiness.parent(of: path) == parent)
    }

    /// Without inotify (a user's 128 instances taken by other programs), the check still passes when the file
    /// appears: it looks at the path on a schedule that backs off to a cap, and says when to look next.
    @Test func withoutTheKernelTheFileIsLookedAtOnABackoffSchedule() throws {
        let directory = temporaryDirectory()
        defer { remove(directory) }
        let path = directory + "/run/app.ready"
        let readiness = FileReadiness(path: path, kernel: false)
        #expect(!readiness.isWatched)
        var delays: [Int64] = []
        for _ in 0..<9 {
            #expect(readiness.check() == .notYet("does not exist yet"))
            let next = try #require(readiness.nextCheck)
            delays.append(next - SystemClock.monotonic())
        }
        #expect(delays.last! <= FileReadiness.maxPollDelay && delays.last! > FileReadiness.maxPollDelay / 2)
        #expect(delays.first! <= FileReadiness.firstPollDelay)
        let creator = TestThread {
            mkdir(directory + "/run", 0o700)
            self.create(path)
        }
        #expect(readiness.wait(deadline: nil) == .passed)
        creator.join()
        readiness.close()
    }

    /// Watched by the kernel, nothing is scheduled; refused by it (this user's inotify instances all taken by other
    /// programs at that moment), a look is: the two never go together.
    @Test func aWatchedFileNeedsNoScheduledLook() {
        let readiness = FileReadiness(path: "/tmp")
        _ = readiness.check()
        #expect(readiness.isWatched == (readiness.descriptor >= 0))
        #expect((readiness.nextCheck == nil) == readiness.isWatched)
        readiness.close()
    }
}
