import SyncTestSupport
import Testing

@preconcurrency import Glibc

/// The harness the tests and sync-bench share: `TemporaryDirectory` and `withAgent`.
@Suite("SyncAgentHarness")
struct HarnessTests {
    @Test func removeTakesNestedDirectoriesAndLinksButNotWhatTheyPointTo() throws {
        let outside = TemporaryDirectory(prefix: "keep")
        defer { outside.remove() }
        let kept = outside.file("kept")
        try #require(creat(kept, 0o600) >= 0)
        let directory = TemporaryDirectory()
        try #require(mkdir(directory.file("a"), 0o700) == 0 && mkdir(directory.file("a/b"), 0o700) == 0)
        try #require(creat(directory.file("a/b/f"), 0o600) >= 0)
        try #require(symlink(outside.path, directory.file("link")) == 0)
        directory.remove()
        #expect(access(directory.path, F_OK) != 0)
        #expect(access(kept, F_OK) == 0, "the link was removed, not followed")
    }

    @Test func withAgentKeepsAJournalWhenAsked() async throws {
        let directory = TemporaryDirectory()
        let journalExisted = try await withAgent(in: directory, journaled: true) { agent in
            let client = try await agent.client()
            try await client.want("a", dependsOn: ["b"])
            return access(directory.file("journal"), F_OK) == 0
        }
        #expect(journalExisted)
        #expect(access(directory.path, F_OK) != 0, "the directory is removed afterwards")
    }
}
