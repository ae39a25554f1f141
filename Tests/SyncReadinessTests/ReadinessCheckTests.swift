import Testing

@testable import SyncReadiness

@Suite struct ReadinessCheckTests {
    @Test(arguments: [
        ("notify", ReadinessCheck.notify, "notify"),
        ("tcp:5432", .tcp(host: "127.0.0.1", port: 5432), "tcp:127.0.0.1:5432"),
        ("tcp:localhost:1", .tcp(host: "localhost", port: 1), "tcp:localhost:1"),
        ("tcp:db.example:65535", .tcp(host: "db.example", port: 65535), "tcp:db.example:65535"),
        (
            "http://127.0.0.1:8000/health", .http(host: "127.0.0.1", port: 8000, path: "/health"),
            "http://127.0.0.1:8000/health"
        ),
        ("http://localhost:8000", .http(host: "localhost", port: 8000, path: "/"), "http://localhost:8000/"),
        ("http://web/a?b=c", .http(host: "web", port: 80, path: "/a?b=c"), "http://web:80/a?b=c"),
        ("cmd:pg_isready -q", .command("pg_isready -q"), "cmd:pg_isready -q"),
        ("cmd:a:b", .command("a:b"), "cmd:a:b"),
        ("file:/tmp/app.ready", .file("/tmp/app.ready"), "file:/tmp/app.ready"),
        ("log:listening on port [0-9]+", .log(pattern: "listening on port [0-9]+"), "log:listening on port [0-9]+"),
    ])
    func parsesAndPrintsBack(text: String, check: ReadinessCheck, printed: String) throws {
        let parsed = try ReadinessCheck(parsing: text)
        #expect(parsed == check)
        #expect(parsed.description == printed)
        #expect(try ReadinessCheck(parsing: printed) == check)
    }

    @Test(arguments: [
        ("", "empty readiness check; use one of notify, tcp:[HOST:]PORT"),
        ("tcp:", "readiness check 'tcp:' lacks a port; example: tcp:5432"),
        ("tcp:0", "readiness check 'tcp:0': port '0' is not a number from 1 to 65535; example: tcp:5432"),
        ("tcp:65536", "port '65536' is not a number from 1 to 65535"),
        ("tcp:99999999999999999999", "port '99999999999999999999' is not a number from 1 to 65535"),
        ("tcp:-1", "port '-1' is not a number"),
        ("tcp:+80", "port '+80' is not a number"),
        ("tcp:abc", "port 'abc' is not a number"),
        ("tcp:host:", "'tcp:host:' lacks a port after ':'"),
        ("tcp::80", "'tcp::80' lacks a host before ':'"),
        ("tcp:::1:80", "IPv6 addresses are not supported"),
        ("http://", "'http://' lacks a host; example: http://127.0.0.1:8000/health"),
        ("http://:80/", "lacks a host before ':'"),
        ("http://h:70000/", "port '70000' is not a number from 1 to 65535"),
        ("http://h:80/a b", "the path may not contain spaces"),
        ("https://h:443/", "https is not supported (the http check speaks plain HTTP without TLS); probe the port"),
        ("cmd:", "readiness check 'cmd:' lacks a shell command; example: cmd:pg_isready -q"),
        ("file:", "readiness check 'file:' lacks a path; example: file:/tmp/app.ready"),
        ("log:", "readiness check 'log:' lacks a regular expression"),
        ("log:(unclosed", "'(unclosed' is not a valid regular expression"),
        ("tpc:80", "unknown readiness check kind 'tpc' in 'tpc:80'; use one of notify, tcp:[HOST:]PORT"),
        ("Notify", "unknown readiness check kind 'Notify'"),
        ("5432", "unknown readiness check kind '5432'"),
    ])
    func refusesBadInputSayingWhy(text: String, expected: String) {
        #expect(throws: ReadinessCheckError.self) { try ReadinessCheck(parsing: text) }
        do {
            _ = try ReadinessCheck(parsing: text)
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func probesOnlyForProbedKinds() throws {
        #expect(try ReadinessCheck(parsing: "tcp:1").makeProbe() is TCPProbe)
        #expect(try ReadinessCheck(parsing: "http://h:1/").makeProbe() is HTTPProbe)
        #expect(try ReadinessCheck(parsing: "cmd:true").makeProbe() is CommandProbe)
        for text in ["notify", "file:/x", "log:x"] { #expect(try ReadinessCheck(parsing: text).makeProbe() == nil) }
        #expect(try ReadinessCheck(parsing: "cmd:true").defaultSchedule(start: 0, timeout: nil).cap == 250_000)
        #expect(try ReadinessCheck(parsing: "tcp:1").defaultSchedule(start: 0, timeout: nil).cap == 25_000)
    }
}
