import ArgumentParser
import SyncReadiness
import Testing

@testable import SyncCtl

/// `syncctl run --ready`'s arguments and help: the checks are parsed before anything runs, the service flags need
/// --ready, and the help names every check kind with an example.
@Suite struct RunReadyTests {
    private func parse(_ arguments: [String]) throws -> Run {
        try Run.parse(arguments)
    }

    @Test func readyChecksAndTheirFlagsParse() throws {
        let run = try parse([
            "db", "--ready", "notify", "--ready", "tcp:5432", "--ready-timeout", "30s", "--stop-grace", "1s", "--",
            "postgres",
        ])
        #expect(try Run.parseChecks(run.readyChecks) == [.notify, .tcp(host: "127.0.0.1", port: 5432)])
        #expect(run.readyTimeout?.microseconds == 30_000_000)
        #expect(run.stopGrace?.nanoseconds == 1_000_000_000)
    }

    @Test func probeMaxIsAServiceFlagBetweenAMillisecondAndAnHour() throws {
        #expect(
            try parse(["db", "--ready", "tcp:5432", "--probe-max", "1s", "--", "pg"]).probeMax?.microseconds
                == 1_000_000)
        #expect(
            try Ready.parse(["db", "--when", "tcp:5432", "--probe-max", "250ms"]).probeMax?.microseconds
                == 250_000)
        for value in ["0s", "500us", "2h"] {
            #expect(throws: (any Error).self) {
                try parse(["db", "--ready", "tcp:1", "--probe-max", value, "--", "x"])
            }
            #expect(throws: (any Error).self) { try Ready.parse(["db", "--when", "tcp:1", "--probe-max", value]) }
        }
        #expect(throws: (any Error).self) { try parse(["db", "--probe-max", "1s", "--", "true"]) }
    }

    @Test func withoutReadyTheServiceFlagsAreRefused() {
        #expect(throws: (any Error).self) { try parse(["db", "--ready-timeout", "30s", "--", "true"]) }
        #expect(throws: (any Error).self) { try parse(["db", "--stop-grace", "1s", "--", "true"]) }
    }

    @Test func aCheckThatDoesNotParseIsAUsageErrorSayingWhy() {
        do {
            _ = try parse(["db", "--ready", "tcp:99999", "--", "true"])
            Issue.record("parsed")
        } catch {
            #expect(Run.fullMessage(for: error).contains("port '99999' is not a number from 1 to 65535"))
        }
    }

    @Test func withoutReadyRunIsAsBefore() throws {
        let run = try parse(["git", "--", "git", "clone", "URL"])
        #expect(run.readyChecks.isEmpty && run.readyTimeout == nil && run.stopGrace == nil)
    }

    @Test func theDefaultsAreTwoMinutesAndTenSeconds() {
        #expect(Run.defaultReadyTimeout.description == "2m")
        #expect(Run.defaultStopGrace.description == "10s")
    }

    @Test func theHelpShowsEveryCheckKindWithAnExample() {
        let help = Syncctl.helpMessage(for: Run.self, columns: 1000)
        for example in [
            "--ready notify", "--ready tcp:5432", "--ready http://127.0.0.1:8000/health", "--ready 'cmd:pg_isready -q'",
            "--ready file:/tmp/app.ready", "--ready 'log:listening on port [0-9]+'",
        ] {
            #expect(help.contains("Example: \(example)"), "\(example)")
        }
        #expect(help.contains("pipes, not the terminal"))
        #expect(help.contains("--ready-timeout <duration>") && help.contains("--stop-grace <duration>"))
    }
}
