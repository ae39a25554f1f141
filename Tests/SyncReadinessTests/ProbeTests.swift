import Testing

@testable import SyncReadiness

@Suite struct TCPProbeTests {
    @Test func portOpenedAfterAFailedProbeIsSeen() {
        let listener = TestListener()
        let probe = TCPProbe(host: "127.0.0.1", port: listener.port)
        #expect(probe.probe() == .notYet("connection refused"))
        listener.listen()
        #expect(probe.probe() == .passed)
    }

    @Test func localhostByName() {
        let listener = TestListener()
        listener.listen()
        #expect(TCPProbe(host: "localhost", port: listener.port).probe() == .passed)
    }

    @Test func unknownHostSaysSo() {
        let result = TCPProbe(host: "no-such-host.invalid", port: 80).probe()
        #expect(result.description.hasPrefix("cannot resolve no-such-host.invalid: "))
    }
}

@Suite struct HTTPProbeTests {
    private func answer(_ response: String, path: String = "/health") -> (ProbeResult, String) {
        let listener = TestListener()
        listener.listen()
        nonisolated(unsafe) var request = ""
        let responder = TestThread { request = listener.answerOnce(response) }
        // A long attempt timeout: the responder thread answers when scheduled, which on a loaded machine takes a while.
        let result = HTTPProbe(host: "127.0.0.1", port: listener.port, path: path, attemptTimeout: 60_000_000).probe()
        responder.join()
        return (result, request)
    }

    @Test func okPassesAndTheRequestIsAPlainGet() {
        let (result, request) = answer("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(result == .passed)
        #expect(request.hasPrefix("GET /health HTTP/1.0\r\nHost: 127.0.0.1:"))
    }

    @Test func redirectPasses() {
        #expect(answer("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n").0 == .passed)
    }

    @Test func unavailableDoesNot() {
        #expect(answer("HTTP/1.1 503 Service Unavailable\r\n\r\n").0 == .notYet("HTTP 503"))
    }

    @Test func closedPortIsRefused() {
        let listener = TestListener()
        #expect(HTTPProbe(host: "127.0.0.1", port: listener.port, path: "/").probe() == .notYet("connection refused"))
    }

    @Test func silentServerTimesOut() {
        let listener = TestListener()
        listener.listen()
        let probe = HTTPProbe(host: "127.0.0.1", port: listener.port, path: "/", attemptTimeout: 20_000)
        #expect(probe.probe() == .notYet("no answer in time"))
    }

    @Test func statusLines() {
        #expect(HTTPProbe.judge(statusLine: Array("HTTP/1.1 204 No Content\r\n".utf8)) == .passed)
        #expect(HTTPProbe.judge(statusLine: Array("HTTP/1.1 404".utf8)) == .notYet("HTTP 404"))
        #expect(HTTPProbe.judge(statusLine: []) == .notYet("connection closed without an answer"))
        #expect(
            HTTPProbe.judge(statusLine: Array("SSH-2.0-OpenSSH\r\n".utf8))
                == .notYet("not an HTTP answer: SSH-2.0-OpenSSH"))
    }
}

@Suite struct CommandProbeTests {
    @Test func exitStatuses() {
        #expect(CommandProbe(command: "true").probe() == .passed)
        #expect(CommandProbe(command: "false").probe() == .notYet("exit 1"))
        #expect(CommandProbe(command: "exit 3").probe() == .notYet("exit 3"))
        #expect(CommandProbe(command: "kill -9 $$").probe() == .notYet("signal 9"))
        #expect(CommandProbe(command: "no-such-command-here").probe() == .notYet("exit 127"))
    }

    @Test func outputGoesNowhereAndTheShellSeesItsArguments() {
        #expect(CommandProbe(command: "echo out; echo err >&2; test \"$0\" = sh").probe() == .passed)
    }
}
