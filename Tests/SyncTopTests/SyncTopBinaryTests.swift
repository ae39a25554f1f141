import Foundation
import SyncOS
import Testing

@testable import sync_top

/// The built `sync-top` binary, run with its stdout piped.
@Suite("sync-top binary")
struct SyncTopBinaryTests {
    /// Runs the binary beside the test bundle with `arguments` and a fixed environment.
    private func run(_ arguments: [String], locale: String = "C.UTF-8") throws -> (
        status: Int32, out: String, err: String
    ) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sync-top")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ["LC_ALL": locale, "TZ": "UTC", "TERM": "xterm-256color", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = try readToEnd(out.fileHandleForReading.fileDescriptor)
        let errors = try readToEnd(err.fileHandleForReading.fileDescriptor)
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self)
        )
    }

    /// Everything until the end of `fd`, with raw `read(2)`: `FileHandle` stops the test process when a signal
    /// interrupts its read.
    private func readToEnd(_ fd: Int32) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while case let chunk = try Descriptor.readSome(fd), !chunk.isEmpty { bytes += chunk }
        return bytes
    }

    private var fixture: String { Fixture.directory + "/Fixtures/startup.jsonl" }

    @Test func pipedOutputIsThePlainTableOfTheFinalState() throws {
        let result = try run(["--replay", fixture])
        #expect(result.status == 0)
        #expect(!result.out.contains("\u{1B}"), "no escapes when piped")
        let expected = try String(contentsOfFile: Fixture.directory + "/Goldens/once.txt", encoding: .utf8)
        #expect(
            result.out
                == expected.replacingOccurrences(of: "/run/user/1000/sync-agent.sock", with: "replay: startup.jsonl"))
    }

    @Test func nonUTF8LocaleGetsASCII() throws {
        let result = try run(["--once", "--replay", fixture], locale: "C")
        #expect(result.status == 0)
        #expect(result.out.contains("x failed") && result.out.contains("+ completed"))
        #expect(result.out.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func colourOnlyWhenAskedFor() throws {
        let result = try run(["--once", "--color", "always", "--replay", fixture])
        #expect(result.out.contains("\u{1B}[31;1m"))
    }

    @Test func onceWithoutAnAgentSaysSoAtOnce() throws {
        let result = try run(["--once", "--socket-path", "/tmp/none.sock"])
        #expect(result.status == 1)
        #expect(result.err.contains("dial unix /tmp/none.sock: connect: no such file or directory"))
        #expect(result.err.contains("is the agent running? start it with sync-agent"))
    }

    @Test func replayFileParsing() throws {
        let file = try ReplayFile(text: Fixture.text("startup.jsonl"))
        #expect(file.snapshot == nil && file.events.count == 31)
        let withSnapshot = try ReplayFile(
            text: #"{"sequence":0,"units":[],"edges":[]}"# + "\n\n" + Fixture.text("startup.jsonl"))
        #expect(withSnapshot.snapshot?.sequence == 0 && withSnapshot.inputs.count == 32)
        #expect(throws: ReplayFile.ParseError.self) { try ReplayFile(text: "{\"seq\":1}\n") }
        let broken = try Fixture.text("startup.jsonl") + "not json\n"
        let error = #expect(throws: ReplayFile.ParseError.self) { try ReplayFile(text: broken) }
        #expect(error?.line == 32)
    }
}
