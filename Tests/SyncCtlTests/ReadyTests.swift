import ArgumentParser
import SyncReadiness
import Testing

@testable import SyncCtl

/// `syncctl ready`'s checks: parsed, refused with what to do instead, and named in a failure reason.
@Suite struct ReadyTests {
    @Test func checksAreParsedInOrder() throws {
        let checks = try Ready.parse(["tcp:5432", "file:/run/app.ready"])
        #expect(checks.map(\.description) == ["tcp:127.0.0.1:5432", "file:/run/app.ready"])
    }

    @Test(arguments: [
        ([], "ready needs at least one --when CHECK, e.g. --when tcp:5432"),
        (["notify"], "notify needs the service's own process; use syncctl run <unit> --ready notify -- <command>"),
    ])
    func refusals(texts: [String], message: String) {
        #expect(throws: ValidationError.self) { try Ready.parse(texts) }
        do {
            _ = try Ready.parse(texts)
        } catch let error as ValidationError {
            #expect(error.message == message)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aReasonNamesTheCheckKindAndTarget() throws {
        #expect(Ready.describe(try ReadinessCheck(parsing: "tcp:5432")) == "tcp 127.0.0.1:5432")
        #expect(Ready.describe(try ReadinessCheck(parsing: "http://h:8080/up")) == "http://h:8080/up")
        #expect(Ready.describe(try ReadinessCheck(parsing: "cmd:pg_isready")) == "cmd pg_isready")
    }
}
