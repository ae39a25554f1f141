import Testing

@testable import SyncProtocol

struct JSONParseTests {
    @Test(arguments: [
        #"null"#, #"true"#, #"false"#, #"0"#, #"-12"#, #"1.5"#, #""text""#, #"[]"#, #"{}"#,
        #"[1,"two",null,true,{"k":[]}]"#,
        #"{"id":1,"type":"want","unit":"app","depends_on":["db","cache"]}"#,
        #"{"b":1,"a":2,"c":{"z":0,"y":[1,2,3]}}"#,
        #""é日本🙂""#,
        #""quote \" backslash \\ newline \n tab \t cr \r""#,
        #""\u003c\u003e\u0026\u2028\u2029\u0001""#,
    ])
    func compactTextRoundTrips(text: String) throws {
        let value = try JSON.parse(text)
        #expect(value.compact == text)
        #expect(try JSON.parse(value.compact) == value)
        #expect(try JSON.parse(value.pretty) == value)
    }

    @Test func keyOrderIsKept() throws {
        let value = try JSON.parse(#"{"z":1,"a":2,"m":3}"#)
        guard case .object(let pairs) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(pairs.map(\.0) == ["z", "a", "m"])
        #expect(value["a"] == .int(2))
        #expect(value["missing"] == nil)
        #expect(JSON.array([])["a"] == nil)
    }

    @Test func whitespaceAroundAndBetweenIsAllowed() throws {
        let value = try JSON.parse(" \t\r\n{ \"a\" : [ 1 , 2 ] ,\n\"b\":\tnull }\n ")
        #expect(value == .object([("a", [1, 2]), ("b", nil)]))
    }

    @Test func escapesAreDecoded() throws {
        let value = try JSON.parse(#""\"\\\/\b\f\n\r\t\u00e9\u65e5\ud83d\ude42\u0000""#)
        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\té日🙂\u{0}"))
    }

    @Test(arguments: [
        ("0", JSON.int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-17", .int(-17)),
        ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+3", .double(1000)),
        ("25e-2", .double(0.25)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
    ])
    func numbers(text: String, value: JSON) throws {
        #expect(try JSON.parse(text) == value)
    }

    @Test func negativeZeroFloatKeepsItsSign() throws {
        let value = try JSON.parse("-0.0")
        guard case .double(let number) = value else {
            Issue.record("not a double: \(value)")
            return
        }
        #expect(number == 0 && number.sign == .minus)
    }

    @Test(arguments: [
        // trailing garbage
        (#"{"a":1} x"#, "unexpected data after the JSON value at byte 8"),
        (#"{"a":1}{}"#, "unexpected data after the JSON value at byte 7"),
        ("1 2", "unexpected data after the JSON value at byte 2"),
        ("01", "unexpected data after the JSON value at byte 1"),
        ("truex", "unexpected data after the JSON value at byte 4"),
        // bad escapes
        (#""\x""#, "invalid escape at byte 3"),
        (#""\u12G4""#, #"invalid \u escape at byte 5"#),
        (#""\u12"#, "unterminated escape at byte 3"),
        (#""\"#, "unterminated string at byte 2"),
        // surrogates
        (#""\ud800""#, "unpaired surrogate at byte 7"),
        (#""\ud800x""#, "unpaired surrogate at byte 7"),
        (#""\udc00""#, "unpaired surrogate at byte 7"),
        (#""\ud800\u0041""#, "unpaired surrogate at byte 13"),
        (#""\ud800\ud800""#, "unpaired surrogate at byte 13"),
        // control characters in strings
        ("\"a\nb\"", "control character in string at byte 2"),
        ("\"a\tb\"", "control character in string at byte 2"),
        ("\"\u{0}\"", "control character in string at byte 1"),
        // duplicate keys
        (#"{"a":1,"a":2}"#, #"duplicate key "a" at byte 10"#),
        (#"{"a":{"b":1,"b":1}}"#, #"duplicate key "b" at byte 15"#),
        // structure
        ("", "unexpected end of input at byte 0"),
        ("   ", "unexpected end of input at byte 3"),
        ("[", "unexpected end of input at byte 1"),
        ("[1", "unexpected end of input at byte 2"),
        ("[1,]", "unexpected character ']' at byte 3"),
        (#"{"a":1,}"#, "expected a key at byte 7"),
        ("{a:1}", "expected a key at byte 1"),
        (#"{"a" 1}"#, "expected ':' at byte 5"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}' at byte 7"),
        ("[1 2]", "expected ',' or ']' at byte 3"),
        (#""abc"#, "unterminated string at byte 4"),
        ("'a'", "unexpected character ''' at byte 0"),
        // literals and numbers
        ("tru", "unexpected end of input at byte 0"),
        ("nul!", "invalid literal at byte 0"),
        ("NaN", "unexpected character 'N' at byte 0"),
        ("+1", "unexpected character '+' at byte 0"),
        (".5", "unexpected character '.' at byte 0"),
        ("-", "invalid number at byte 1"),
        ("1.", "invalid number at byte 2"),
        ("1e", "invalid number at byte 2"),
        ("1e+", "invalid number at byte 3"),
        ("-a", "invalid number at byte 1"),
        ("1e400", "number out of range at byte 5"),
        ("-1e400", "number out of range at byte 6"),
    ])
    func rejects(text: String, description: String) {
        let error = #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        #expect(error?.description == description)
    }

    @Test(
        arguments: [
            [0x22, 0xFF, 0x22],  // never valid in UTF-8
            [0x22, 0xC3, 0x22],  // truncated two-byte sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // a surrogate encoded as UTF-8
            [0x22, 0x61, 0x5C, 0x6E, 0xE2, 0x82, 0x22],  // truncated after an escape
            [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // in a key
        ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        let error = #expect(throws: JSONParseError.self) { try JSON.parse(bytes) }
        #expect(error?.problem == "invalid UTF-8 in string")
    }

    @Test func acceptsValidMultiByteUTF8Bytes() throws {
        #expect(try JSON.parse(Array("\"é€🙂\"".utf8)) == .string("é€🙂"))
        let bytes = Array(#"{"k":"v"}"#.utf8)
        let value = try bytes.withUnsafeBytes { buffer in try JSON.parse(bytes: buffer) }
        #expect(value == .object([("k", "v")]))
    }

    @Test(arguments: [JSON.maxDepth - 1, JSON.maxDepth])
    func nestingUpToTheLimitIsAccepted(depth: Int) throws {
        let arrays = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        #expect(try JSON.parse(arrays).compact == arrays)
        let objects = String(repeating: #"{"a":"#, count: depth) + "null" + String(repeating: "}", count: depth)
        #expect(try JSON.parse(objects).compact == objects)
        let empty = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try JSON.parse(empty).compact == empty)
    }

    @Test(arguments: [JSON.maxDepth + 1, 100_000])
    func nestingDeeperThanTheLimitIsRefused(depth: Int) {
        for text in [
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
            String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth),
            String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth),
        ] {
            let error = #expect(throws: JSONParseError.self) { try JSON.parse(text) }
            #expect(error?.problem == "nested deeper than \(JSON.maxDepth) levels")
        }
    }
}

struct JSONSerializeTests {
    static let statusReport: JSON = .object([
        ("unit_name", "test-unit"),
        ("status", "pending"),
        ("is_ready", true),
        (
            "dependencies",
            .array([
                .object([
                    ("depends_on", "dep-unit"), ("required_status", "completed"), ("current_status", "completed"),
                    ("is_satisfied", true),
                ])
            ])
        ),
    ])

    /// coder's golden `status_json_format` (Go's `json.MarshalIndent(v, "", "  ")`).
    @Test func prettyMatchesGo() {
        #expect(
            Self.statusReport.pretty == """
                {
                  "unit_name": "test-unit",
                  "status": "pending",
                  "is_ready": true,
                  "dependencies": [
                    {
                      "depends_on": "dep-unit",
                      "required_status": "completed",
                      "current_status": "completed",
                      "is_satisfied": true
                    }
                  ]
                }
                """)
    }

    @Test func emptyContainers() {
        let value: JSON = .object([("units", []), ("info", .object([])), ("nested", [[], .object([])])])
        #expect(
            value.pretty == """
                {
                  "units": [],
                  "info": {},
                  "nested": [
                    [],
                    {}
                  ]
                }
                """)
        #expect(value.compact == #"{"units":[],"info":{},"nested":[[],{}]}"#)
        #expect(JSON.array([]).pretty == "[]")
        #expect(JSON.object([]).pretty == "{}")
    }

    @Test func compactHasNoSpacesOrNewlines() {
        let compact = JSON.object([("a", "line\nbreak"), ("b", [1, 2])]).compact
        #expect(compact == #"{"a":"line\nbreak","b":[1,2]}"#)
        #expect(!Self.statusReport.compact.contains("\n") && !Self.statusReport.compact.contains(" "))
    }

    @Test(arguments: [
        ("<script>&</script>", #""\u003cscript\u003e\u0026\u003c/script\u003e""#),
        ("a\"b\\c", #""a\"b\\c""#),
        ("\n\r\t", #""\n\r\t""#),
        ("\u{0}\u{1}\u{8}\u{C}\u{1F}", #""\u0000\u0001\u0008\u000c\u001f""#),
        ("\u{2028}\u{2029}", #""\u2028\u2029""#),
        ("é日🙂\u{7F}/", "\"é日🙂\u{7F}/\""),
        ("€ is e2 82 ac", "\"€ is e2 82 ac\""),
        ("", #""""#),
    ])
    func stringsAreEscapedAsGoDoes(text: String, encoded: String) throws {
        #expect(JSON.string(text).compact == encoded)
        #expect(try JSON.parse(encoded) == .string(text))
    }

    @Test(arguments: [
        (JSON.int(-5), "-5"),
        (.int(.min), "-9223372036854775808"),
        (.double(1000), "1000"),
        (.double(1.5), "1.5"),
        (.double(-0.25), "-0.25"),
        (.double(1e300), "1e+300"),
        (.bool(false), "false"),
        (.null, "null"),
    ])
    func scalars(value: JSON, text: String) throws {
        #expect(value.compact == text)
        #expect(value.pretty == text)
        let reparsed = try JSON.parse(text)
        #expect(reparsed.compact == text)
    }

    @Test func literalsAndHelpers() {
        let value: JSON = ["a", 1, true, nil]
        #expect(value == .array([.string("a"), .int(1), .bool(true), .null]))
        #expect(JSON.strings(["x", "y"]) == ["x", "y"])
        #expect(JSON.optional(nil) == .null && JSON.optional("x") == "x")
        #expect(JSON.double(3).int64Value == 3 && JSON.double(3.5).int64Value == nil)
        #expect(JSON.string("s").int64Value == nil && JSON.int(1).stringValue == nil)
        #expect(
            [JSON.null, true, 1, .double(1), "s", [], .object([])].map(\.typeName) == [
                "null", "boolean", "number", "number", "string", "array", "object",
            ])
        #expect(JSON.object([("a", 1), ("b", 2)]) != JSON.object([("b", 2), ("a", 1)]))
        #expect(JSON.int(1) != JSON.double(1))
    }
}
