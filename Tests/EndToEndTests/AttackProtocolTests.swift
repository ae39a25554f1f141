import Foundation
import SyncTestSupport
import Testing

/// Attacks on docs/PROTOCOL.md from a client written from it alone (``WireClient``: raw JSON lines): the `hello`
/// negotiation with every kind of version, and version 3 on a shared store (the `store` push, `origin`,
/// `changed_by`) field by field. A field on the wire that the document does not list, or one it lists that the
/// wire does not carry, fails the test.
extension AttackSuites {
    @Suite("Attack: protocol version 3 as documented", .timeLimit(.minutes(3)))
    struct AttackProtocolTests {
        /// `hello`'s result fields, as documented; a shared store adds `store` and `workspace`.
        static let helloFields: Set<String> = [
            "version", "agent", "agent_version", "pid", "max_frame_bytes", "instance", "socket",
        ]
        /// A unit's `info` fields that are always there (`note` and `readiness` only while the unit has them).
        static let infoFields: Set<String> = [
            "unit", "status", "ready", "registered_us", "since_us", "reason", "cause", "waiters", "started_by",
        ]

        @Test func helloNegotiatesExactlyTheDocumentedVersions() async throws {
            try await withAgentProcess { agent in
                for version in [1, 2, 3] {
                    let wire = try WireClient(path: agent.socket)
                    defer { wire.close() }
                    let hello = try await wire.ask(#"{"id":7,"type":"hello","version":\#(version),"client":"attack"}"#)
                    #expect(hello[int: "id"] == 7 && hello[bool: "ok"] == true, "\(hello)")
                    let result = try #require(hello[object: "result"])
                    #expect(result.keySet == Self.helloFields, "undocumented or missing hello fields: \(result)")
                    #expect(result[int: "version"] == version && result[string: "agent"] == "sync-agent")
                    #expect(result[int: "max_frame_bytes"] == 1_048_576 && result[string: "socket"] == agent.socket)
                    #expect(result[int: "pid"] == Int(agent.process.pid))
                    // The connection goes on in that version.
                    let ping = try await wire.ask(#"{"id":8,"type":"ping"}"#)
                    #expect(ping[bool: "ok"] == true && (ping[object: "result"]?.isEmpty ?? false), "\(ping)")
                }
                // A whole number written with a fraction or an exponent is that number.
                for spelling in ["3.0", "3e0", "0.3e1"] {
                    let wire = try WireClient(path: agent.socket)
                    defer { wire.close() }
                    let hello = try await wire.ask(#"{"id":1,"type":"hello","version":\#(spelling)}"#)
                    #expect(hello[object: "result"]?[int: "version"] == 3, "\(spelling): \(hello)")
                }
                // Versions the agent does not speak: refused and the connection closed.
                for version in ["4", "0", "-1", "9223372036854775807"] {
                    let wire = try WireClient(path: agent.socket)
                    defer { wire.close() }
                    let hello = try await wire.ask(#"{"id":1,"type":"hello","version":\#(version)}"#)
                    #expect(hello[bool: "ok"] == false, "\(version): \(hello)")
                    #expect(hello[object: "error"]?[string: "code"] == "unsupported_version", "\(version): \(hello)")
                    #expect(hello[int: "id"] == 1, "\(version): \(hello)")
                    #expect(await wire.closedWithoutMore(), "version \(version) left the connection open")
                }
                // Garbage as the version: a bad request, and the connection goes on (a good hello is then served).
                for version in [#""3""#, "null", "2.5", "true", "[3]", #"{"v":3}"#, "9223372036854775808"] {
                    let wire = try WireClient(path: agent.socket)
                    defer { wire.close() }
                    let hello = try await wire.ask(#"{"id":1,"type":"hello","version":\#(version)}"#)
                    #expect(hello[object: "error"]?[string: "code"] == "bad_request", "\(version): \(hello)")
                    #expect(hello[int: "id"] == 1, "\(version): \(hello)")
                    let again = try await wire.ask(#"{"id":2,"type":"hello","version":3}"#)
                    #expect(again[object: "result"]?[int: "version"] == 3, "after \(version): \(again)")
                }
                // A hello without a version at all, and one with a field no version has.
                for frame in [#"{"id":1,"type":"hello"}"#, #"{"id":1,"type":"hello","version":3,"versions":[3]}"#] {
                    let wire = try WireClient(path: agent.socket)
                    defer { wire.close() }
                    let hello = try await wire.ask(frame)
                    #expect(hello[object: "error"]?[string: "code"] == "bad_request", "\(frame): \(hello)")
                }
            }
        }

        /// The frame limit on a version-3 connection: a `note` of exactly 1 MiB (padded with JSON whitespace) is read,
        /// one byte more is `frame_too_large` and the connection is closed; `\r\n` does not count.
        @Test func aFrameExactlyAtTheLimitIsReadAndOneByteMoreClosesTheConnection() async throws {
            try await withAgentProcess { agent in
                #expect(try await agent.syncctl("want", "app", "db").status == 0)
                func frame(_ size: Int) -> [UInt8] {
                    let body = #"{"id":3,"type":"note","unit":"app","text":"é"}"#
                    let padding = size - body.utf8.count
                    return Array((String(body.dropLast()) + String(repeating: " ", count: padding) + "}").utf8)
                }
                #expect(frame(1_048_576).count == 1_048_576)
                for ending in ["\n", "\r\n"] {
                    let wire = try WireClient(path: agent.socket)
                    defer { wire.close() }
                    _ = try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#)
                    await wire.send(bytes: frame(1_048_576) + Array(ending.utf8))
                    let reply = try WireClient.object(try await wire.line())
                    #expect(reply[object: "result"]?[string: "note"] == "é", "\(reply)")
                    await wire.send(bytes: frame(1_048_577) + Array(ending.utf8))
                    let refused = try WireClient.object(try await wire.line())
                    #expect(refused[object: "error"]?[string: "code"] == "frame_too_large", "\(refused)")
                    #expect(await wire.closedWithoutMore())
                }
            }
        }

        /// A unit name of exactly 255 bytes of two-, three- and four-byte characters is a unit; one byte more is
        /// `invalid_name`, on every request that takes a name.
        @Test func multibyteUnitNamesAtTheLimitAndOneByteOver() async throws {
            try await withAgentProcess { agent in
                let wire = try WireClient(path: agent.socket)
                defer { wire.close() }
                _ = try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#)
                for character in ["é", "€", "😀"] {
                    let width = character.utf8.count
                    let atLimit =
                        String(repeating: character, count: 255 / width) + String(repeating: "a", count: 255 % width)
                    let over = atLimit + "a"
                    #expect(atLimit.utf8.count == 255 && over.utf8.count == 256)
                    let want = try await wire.ask(
                        #"{"id":1,"type":"want","unit":"\#(atLimit)","depends_on":["\#(atLimit)x"]}"#)
                    // The dependency is 256 bytes.
                    #expect(want[object: "error"]?[string: "code"] == "invalid_name", "\(want)")
                    for request in [
                        #"{"id":2,"type":"start","unit":"\#(atLimit)"}"#,
                        #"{"id":2,"type":"note","unit":"\#(atLimit)","text":"n"}"#,
                        #"{"id":2,"type":"complete","unit":"\#(atLimit)"}"#,
                    ] {
                        let reply = try await wire.ask(request)
                        #expect(reply[bool: "ok"] == true, "\(request): \(reply)")
                    }
                    for request in [
                        #"{"id":3,"type":"start","unit":"\#(over)"}"#, #"{"id":3,"type":"status","unit":"\#(over)"}"#,
                        #"{"id":3,"type":"fail","unit":"\#(over)"}"#, #"{"id":3,"type":"wait","units":["\#(over)"]}"#,
                    ] {
                        let reply = try await wire.ask(request)
                        #expect(reply[object: "error"]?[string: "code"] == "invalid_name", "\(request): \(reply)")
                    }
                    let status = try await wire.ask(#"{"id":4,"type":"status","unit":"\#(atLimit)"}"#)
                    #expect(status[object: "result"]?[string: "status"] == "completed", "\(status)")
                }
            }
        }
    }
}
