import Glibc
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol
import Testing

@testable import SyncCtl

/// syncctl's, not Swift Testing's exit-test `ExitStatus`.
typealias ExitStatus = SyncCtl.ExitStatus

@Suite struct ExitStatusTests {
    /// Every error code the agent, the wire or the client reports, with the exit status it must give.
    static let expected: [(ErrorCode, ExitStatus)] = [
        (.invalidName, .refused), (.notRegistered, .refused), (.alreadyRegistered, .refused),
        (.sameStatus, .refused), (.cycleDetected, .refused), (.notReady, .refused), (.limitExceeded, .refused),
        (.badRequest, .refused), (.unknownType, .refused), (.helloRequired, .refused), (.duplicateID, .refused),
        (.unknownRequest, .refused), (.tooSlow, .refused), (.permissionDenied, .refused),
        (.journalUnavailable, .refused), (ErrorCode("internal"), .refused), (ErrorCode("from_a_newer_agent"), .refused),
        (.dependencyFailed, .dependencyFailed), (.unitFailed, .dependencyFailed),
        (.unreachable, .unreachable), (.shuttingDown, .unreachable), (.unsupportedVersion, .unreachable),
        (.badFrame, .unreachable), (.frameTooLarge, .unreachable), (.unsafeSocket, .unreachable),
        (.agentRestarted, .unreachable),
        (.timeout, .timeout),
        (.cancelled, .interrupted),
    ]

    @Test func everyErrorCodeHasItsStatus() {
        for (code, status) in Self.expected {
            #expect(ExitStatus(code) == status, "\(code)")
        }
    }

    @Test func theCodesAreTheDocumentedNumbers() {
        let numbers = Dictionary(uniqueKeysWithValues: ExitStatus.allCases.map { ($0, $0.rawValue) })
        #expect(
            numbers == [
                .success: 0, .refused: 1, .usage: 2, .dependencyFailed: 122, .unreachable: 123, .timeout: 124,
                .cannotExecute: 126, .notFound: 127, .interrupted: 130,
            ])
    }

    /// The README's "Exit status" table lists exactly the codes syncctl has, and every error maps into it.
    @Test func theReadmeTableListsEveryStatus() throws {
        let documented = try Self.readmeExitCodes()
        #expect(documented == Set(ExitStatus.allCases.map(\.rawValue)))
        for (code, _) in Self.expected {
            #expect(documented.contains(ExitStatus(code).rawValue), "\(code)")
        }
    }

    /// `syncctl --help` shows one line for each status.
    @Test func theHelpTableListsEveryStatus() {
        let lines = ExitStatus.helpTable.split(separator: "\n").map { $0.drop { $0 == " " } }
        for status in ExitStatus.allCases {
            #expect(lines.contains { $0.hasPrefix("\(status.rawValue) ") }, "\(status)")
        }
        #expect(ExitStatus.helpTable.hasPrefix("EXIT STATUS:\n"))
    }

    @Test func anAgentRefusalIsPrefixedAsCoderPrefixesIt() {
        let failure = CommandFailure(
            WireError(.cycleDetected, "cycle: a -> b -> a"), prefix: "declare dependency failed", socket: Self.socket)
        #expect(failure.status == .refused)
        #expect(failure.message == "declare dependency failed: cycle: a -> b -> a")
        #expect(failure.hint == nil)
        #expect(failure.lines == ["error: declare dependency failed: cycle: a -> b -> a"])
    }

    @Test(arguments: [
        ErrorCode.unreachable, .timeout, .dependencyFailed, .unitFailed, .cancelled, .unsafeSocket, .agentRestarted,
    ])
    func errorsThatSayItAllKeepTheirOwnText(code: ErrorCode) {
        let failure = CommandFailure(WireError(code, "the text"), prefix: "start unit failed", socket: Self.socket)
        #expect(failure.message == "the text")
        #expect(failure.status == ExitStatus(code))
    }

    @Test func withoutAPrefixTheMessageIsTheAgents() {
        let failure = CommandFailure(WireError(.sameStatus, "already completed"), prefix: nil, socket: Self.socket)
        #expect(failure.message == "already completed")
    }

    @Test func aMissingAgentGetsAHintNamingWhereThePathCameFrom() {
        let error = WireError(.unreachable, "connect /tmp/x.sock: no such file or directory", posixError: ENOENT)
        let byDefault = CommandFailure(
            error, prefix: nil, socket: SocketPath(path: "/tmp/x.sock", source: .defaultDirectory))
        #expect(byDefault.hint == "is the agent running? start it with sync-agent")
        let byFlag = CommandFailure(error, prefix: nil, socket: SocketPath(path: "/tmp/x.sock", source: .flag))
        #expect(byFlag.hint == "is the agent running? start it with sync-agent (path from --socket-path)")
        #expect(
            byFlag.lines == [
                "error: connect /tmp/x.sock: no such file or directory",
                "hint: is the agent running? start it with sync-agent (path from --socket-path)",
            ])
    }

    @Test func anotherUsersSocketGetsAHint() {
        let error = WireError(.unreachable, "connect /tmp/x.sock: permission denied", posixError: EACCES)
        let failure = CommandFailure(error, prefix: "ping failed", socket: Self.socket)
        #expect(failure.hint == "the socket belongs to another user; run syncctl as the agent's user")
        #expect(failure.status == .unreachable)
    }

    @Test func aFileInPlaceOfTheSocketIsNamed() throws {
        var template = Array("/tmp/syncctl-test-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        close(fd)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let error = WireError(.unreachable, "connect \(path): connection refused", posixError: ECONNREFUSED)
        let failure = CommandFailure(error, prefix: nil, socket: SocketPath(path: path, source: .environment))
        #expect(failure.hint == "\(path) is a regular file, not a socket; check SYNC_AGENT_SOCKET_PATH")
    }

    /// The hint is chosen by the connect's `errno`, not by the message's words.
    @Test func aMessageAloneGivesNoHint() {
        let error = WireError(.unreachable, "connect /tmp/x.sock: permission denied")
        #expect(CommandFailure(error, prefix: nil, socket: Self.socket).hint == nil)
    }

    @Test func otherErrorsGetNoHint() {
        let failure = CommandFailure(WireError(.timeout, "timeout"), prefix: nil, socket: Self.socket)
        #expect(failure.hint == nil)
        #expect(failure.lines == ["error: timeout"])
    }

    static let socket = SocketPath(path: "/tmp/syncctl-tests/agent.sock", source: .flag)

    /// The codes in the first column of the README's "Exit status" table (`126 / 127` gives both).
    static func readmeExitCodes() throws -> Set<Int32> {
        let readme = try RepositoryFile.text("README.md")
        let section = try #require(readme.split(separator: "## Exit status").dropFirst().first)
        var codes = Set<Int32>()
        for line in section.split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            guard line.hasPrefix("| "), let cell = line.split(separator: "|").first else { continue }
            for word in cell.split(separator: " ") {
                if let code = Int32(word) { codes.insert(code) }
            }
        }
        return codes
    }
}
