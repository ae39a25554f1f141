import SyncCore
import Testing

@testable import SyncProtocol

/// Decodes one request frame.
func decode(_ text: String) throws -> Request {
    try Request(json: JSON.parse(text))
}

struct RequestTests {
    static let requests: [Request] = [
        Request(id: 0, .hello(version: 1, client: "syncctl 0.1.0")),
        Request(id: 1, .hello(version: 1, client: nil)),
        Request(id: 2, .ping),
        Request(id: 3, .want(unit: "app", dependsOn: ["db", "cache", "db"])),
        Request(id: 4, .start(unit: "app", wait: true, timeoutMs: nil)),
        Request(id: 5, .start(unit: "app", wait: false, timeoutMs: 300_000)),
        Request(id: 6, .start(unit: "app", wait: true, timeoutMs: 0)),
        Request(id: 7, .complete(unit: "app")),
        Request(id: 8, .fail(unit: "app", reason: "exit 1")),
        Request(id: 9, .fail(unit: "app", reason: nil)),
        Request(id: 10, .status(unit: "my unit ✓")),
        Request(id: 11, .list),
        Request(id: 12, .wait(units: ["b", "a"], all: false, timeoutMs: nil)),
        Request(id: 13, .wait(units: [], all: true, timeoutMs: 10)),
        Request(id: 14, .cancel(request: 4)),
        Request(id: 15, .snapshot),
        Request(id: 16, .subscribe(since: nil, instance: nil)),
        Request(id: 17, .subscribe(since: 42, instance: "00ff")),
        Request(id: 18, .history),
        Request(id: 19, .note(unit: "db", text: "migrating 3/10")),
        Request(id: 20, .note(unit: "db", text: "")),
        Request(
            id: 21,
            .readiness(
                unit: "db",
                report: ReadinessReport(checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused"))),
        Request(id: 22, .readiness(unit: "db", report: ReadinessReport(checks: [], attempts: 0, result: nil))),
        Request(id: Int64.max, .ping),
    ]

    @Test(arguments: requests)
    func roundTrips(request: Request) throws {
        #expect(try Request(json: request.json) == request)
        #expect(try decode(request.json.compact) == request)
        #expect(try decode(request.json.pretty) == request)
        #expect(request.json["type"] == .string(request.body.type))
    }

    @Test func everyTypeIsCoveredAndKnown() {
        let types = Set(Self.requests.map(\.body.type))
        #expect(types == Set(Request.Body.knownTypes))
        #expect(Request.Body.knownTypes.count == 15)
    }

    @Test(arguments: [
        (
            Request(id: 3, .want(unit: "app", dependsOn: ["db", "cache"])),
            #"{"id":3,"type":"want","unit":"app","depends_on":["db","cache"]}"#
        ),
        (Request(id: 4, .start(unit: "app", wait: true, timeoutMs: nil)), #"{"id":4,"type":"start","unit":"app"}"#),
        (
            Request(id: 5, .start(unit: "app", wait: false, timeoutMs: 250)),
            #"{"id":5,"type":"start","unit":"app","wait":false,"timeout_ms":250}"#
        ),
        (Request(id: 0, .hello(version: 1, client: nil)), #"{"id":0,"type":"hello","version":1}"#),
        (Request(id: 9, .fail(unit: "a", reason: nil)), #"{"id":9,"type":"fail","unit":"a"}"#),
        (Request(id: 13, .wait(units: [], all: true, timeoutMs: nil)), #"{"id":13,"type":"wait","all":true}"#),
        (Request(id: 14, .cancel(request: 4)), #"{"id":14,"type":"cancel","request":4}"#),
    ])
    func wireForm(request: Request, text: String) {
        #expect(request.json.compact == text)
    }

    @Test func nullOptionalFieldsAreAbsentFields() throws {
        #expect(
            try decode(#"{"id":1,"type":"fail","unit":"a","reason":null}"#)
                == Request(id: 1, .fail(unit: "a", reason: nil)))
        #expect(
            try decode(#"{"id":1,"type":"start","unit":"a","wait":null,"timeout_ms":null}"#)
                == Request(id: 1, .start(unit: "a", wait: true, timeoutMs: nil)))
        #expect(try decode(#"{"type":"ping","id":2.0}"#) == Request(id: 2, .ping))
    }

    @Test(arguments: [
        // the id cannot be read: no requestID
        ("[]", WireError(.badRequest, "a request must be a JSON object, got array")),
        (#""ping""#, WireError(.badRequest, "a request must be a JSON object, got string")),
        (#"{"type":"ping"}"#, WireError(.badRequest, #"missing field "id" (a non-negative integer)"#)),
        (#"{"id":null,"type":"ping"}"#, WireError(.badRequest, #"missing field "id" (a non-negative integer)"#)),
        (
            #"{"id":"1","type":"ping"}"#,
            WireError(.badRequest, #"field "id" must be a non-negative integer, got string"#)
        ),
        (
            #"{"id":-1,"type":"ping"}"#,
            WireError(.badRequest, #"field "id" must be a non-negative integer, got number"#)
        ),
        (
            #"{"id":1.5,"type":"ping"}"#,
            WireError(.badRequest, #"field "id" must be a non-negative integer, got number"#)
        ),
        // the id was read: the error carries it
        (#"{"id":4}"#, WireError(.badRequest, #"missing field "type""#, requestID: 4)),
        (#"{"id":4,"type":7}"#, WireError(.badRequest, #"field "type" must be a string, got number"#, requestID: 4)),
        (#"{"id":4,"type":"start"}"#, WireError(.badRequest, #"missing field "unit""#, requestID: 4)),
        (
            #"{"id":4,"type":"start","unit":5}"#,
            WireError(.badRequest, #"field "unit" must be a string, got number"#, requestID: 4)
        ),
        (
            #"{"id":4,"type":"start","unit":"a","wait":"yes"}"#,
            WireError(.badRequest, #"field "wait" must be a boolean, got string"#, requestID: 4)
        ),
        (
            #"{"id":4,"type":"start","unit":"a","timeout_ms":-1}"#,
            WireError(.badRequest, #"field "timeout_ms" must be an integer of at least 0, got number"#, requestID: 4)
        ),
        (
            #"{"id":4,"type":"hello","version":"1"}"#,
            WireError(.badRequest, #"field "version" must be an integer, got string"#, requestID: 4)
        ),
        (#"{"id":4,"type":"want","unit":"a"}"#, WireError(.badRequest, #"missing field "depends_on""#, requestID: 4)),
        (
            #"{"id":4,"type":"want","unit":"a","depends_on":"b"}"#,
            WireError(.badRequest, #"field "depends_on" must be an array of strings, got string"#, requestID: 4)
        ),
        (
            #"{"id":4,"type":"want","unit":"a","depends_on":["b",1]}"#,
            WireError(.badRequest, #"field "depends_on" must be an array of strings, got number"#, requestID: 4)
        ),
        (
            #"{"id":4,"type":"want","unit":"a","depends_on":[]}"#,
            WireError(.badRequest, #"field "depends_on" must not be empty"#, requestID: 4)
        ),
        (
            #"{"id":4,"type":"wait","units":[]}"#,
            WireError(.badRequest, #"field "units" must not be empty"#, requestID: 4)
        ),
        (#"{"id":4,"type":"cancel"}"#, WireError(.badRequest, #"missing field "request""#, requestID: 4)),
        // strict fields
        (#"{"id":5,"type":"ping","unti":"x"}"#, WireError(.badRequest, #"unknown field "unti""#, requestID: 5)),
        (
            #"{"id":5,"type":"complete","unit":"a","reason":"x"}"#,
            WireError(.badRequest, #"unknown field "reason""#, requestID: 5)
        ),
        (
            #"{"id":5,"type":"wait","all":true,"units":["a"]}"#,
            WireError(.badRequest, #"unknown field "units""#, requestID: 5)
        ),
        // unknown type
        (
            #"{"id":6,"type":"frob"}"#,
            WireError(
                .unknownType,
                #"unknown request type "frob"; known types: hello, ping, want, start, complete, fail, note, "#
                    + "readiness, status, list, wait, cancel, snapshot, subscribe, history", requestID: 6)
        ),
        (
            #"{"id":6,"type":"","extra":1}"#,
            WireError(
                .unknownType,
                #"unknown request type ""; known types: hello, ping, want, start, complete, fail, note, "#
                    + "readiness, status, list, wait, cancel, snapshot, subscribe, history", requestID: 6)
        ),
    ])
    func refusals(text: String, error: WireError) throws {
        let json = try JSON.parse(text)
        #expect(throws: error) { try Request(json: json) }
    }
}

/// Numbers past what a field can hold get a message that says so, not that they are not numbers.
struct OutOfRangeFieldTests {
    @Test(arguments: [
        (
            #"{"id":9223372036854775808,"type":"ping"}"#,
            WireError(.badRequest, #"field "id" is out of range: it must be an integer from 0 to 9223372036854775807"#)
        ),
        (
            #"{"id":1,"type":"start","unit":"a","timeout_ms":1e30}"#,
            WireError(
                .badRequest,
                #"field "timeout_ms" is out of range: it must be an integer from 0 to 9223372036854775807"#,
                requestID: 1)
        ),
        (
            #"{"id":1,"type":"cancel","request":-99999999999999999999}"#,
            WireError(
                .badRequest,
                #"field "request" is out of range: it must be an integer from -9223372036854775808 to "#
                    + "9223372036854775807",
                requestID: 1)
        ),
    ])
    func outOfRangeIntegers(text: String, error: WireError) throws {
        let json = try JSON.parse(text)
        #expect(throws: error) { try Request(json: json) }
    }
}
