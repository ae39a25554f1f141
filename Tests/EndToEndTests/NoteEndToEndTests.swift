import Foundation
import SyncTestSupport
import Testing

/// `syncctl note` through the built binaries: what it prints, what `status`, `list -o json` and `why` show, and its
/// exit codes.
@Suite("Notes through the binaries")
struct NoteEndToEndTests {
    @Test func aNoteIsShownByStatusListAndWhy() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "db")
            let note = try await agent.syncctl("note", "db", "migrating 3/10")
            #expect(note.status == 0)
            #expect(note.stdout == "Unit \"db\" noted: \"migrating 3/10\"\n")
            let status = try await agent.syncctl("status", "db")
            #expect(status.stdout.contains("Ready: true\nNote: migrating 3/10\n\nDependencies:\n"))
            let list = try await agent.syncctl("list", "-o", "json")
            #expect(list.stdout.contains(#""note": "migrating 3/10""#))
            #expect(try await agent.syncctl("why", "db").stdout.contains(#"; note: "migrating 3/10""#))

            let cleared = try await agent.syncctl("note", "db", "")
            #expect(cleared.status == 0)
            #expect(cleared.stdout == "Unit \"db\" note cleared\n")
            #expect(try await agent.syncctl("status", "db").stdout.contains("Note:") == false)
            #expect(try await agent.syncctl("list", "-o", "json").stdout.contains("note") == false)
        }
    }

    @Test func aNoteOnAnUnknownUnitExitsOneAndRegistersNothing() async throws {
        try await withAgentProcess { agent in
            let note = try await agent.syncctl("note", "nobody", "x")
            #expect(note.status == 1)
            #expect(note.stdout.isEmpty)
            #expect(
                note.stderr
                    == "error: note unit failed: cannot note unit \"nobody\": unit \"nobody\" must be registered "
                    + "first: unit not found\n")
            #expect(try await agent.syncctl("list").stdout == "No units registered\n")
            let usage = try await agent.syncctl("note", "db")
            #expect(usage.status == 2)
        }
    }
}
