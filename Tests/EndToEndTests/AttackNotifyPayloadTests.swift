import Foundation
import SyncTestSupport
import Testing

/// Attacks on "the notification carries the change's events when they fit" (docs/MULTI-HOST.md, Schema): changes
/// whose events take the payload from well below to well above its 7,000 bytes (a failure with a reason cut at
/// 1,024 bytes of three-byte characters, skipping 1 to 9 dependents, each skipped event repeating the reason), a note
/// cut at 200 bytes, and unit names of 255 bytes. The other agent must release its waiter and stream exactly the
/// lines the first agent streams, whether it applied the payload or read the store.
extension AttackSuites {
    @Suite("Attack: the NOTIFY payload around its limit", .timeLimit(.minutes(4)))
    struct AttackNotifyPayloadTests {
        @Test func bothAgentsStreamTheSameLinesAcrossThePayloadLimit() async throws {
            try await PostgresServer().run { server in
                await server.waitUntilAcceptingConnections()
                let cluster = try await SharedCluster(2, server: server)
                var subscribers: [WireClient] = []
                var writer: WireClient?
                defer {
                    for wire in subscribers { wire.close() }
                    writer?.close()
                }
                for index in [0, 1] {
                    let wire = try WireClient(path: cluster.socket(index))
                    subscribers.append(wire)
                    _ = try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#)
                    let snapshot = try await wire.ask(#"{"id":1,"type":"subscribe"}"#)
                    #expect(snapshot[string: "push"] == "snapshot", "\(snapshot)")
                }
                let a = try WireClient(path: cluster.socket(0))
                writer = a
                _ = try await a.exchange(#"{"id":0,"type":"hello","version":3}"#)
                let b = try WireClient(path: cluster.socket(1))
                defer { b.close() }
                _ = try await b.exchange(#"{"id":0,"type":"hello","version":3}"#)
                let reason = String(repeating: "€", count: 366) + "ab"  // 1,100 bytes: cut to 1,024
                let long = String(repeating: "é", count: 127) + "a"  // a 255-byte name
                for k in 1...9 {
                    let root = "\(long.dropLast(1))\(k)"
                    let dependents = (1...k).map { "d\(k)-\($0)" }
                    for dependent in dependents {
                        let want = try await a.ask(
                            #"{"id":1,"type":"want","unit":"\#(dependent)","depends_on":["\#(root)"]}"#)
                        #expect(want[bool: "ok"] == true, "\(want)")
                    }
                    let units = dependents.map { "\"\($0)\"" }.joined(separator: ",")
                    let waiting = try await b.ask(#"{"id":2,"type":"wait","units":[\#(units)]}"#)
                    #expect(waiting[string: "push"] == "waiting", "k \(k): \(waiting)")
                    let failed = try await a.ask(#"{"id":3,"type":"fail","unit":"\#(root)","reason":"\#(reason)"}"#)
                    #expect(failed[object: "result"]?[array: "skipped"]?.count == k, "k \(k): \(failed)")
                    let released = try await b.object()
                    #expect(released[object: "error"]?[string: "code"] == "unit_failed", "k \(k): \(released)")
                }
                let started = try await a.ask(#"{"id":4,"type":"start","unit":"\#(long)"}"#)
                #expect(started[bool: "ok"] == true, "\(started)")
                let noted = try await a.ask(
                    #"{"id":5,"type":"note","unit":"\#(long)","text":"\#(String(repeating: "€", count: 100))"}"#)
                let note = try #require(noted[object: "result"]?[string: "note"], "\(noted)")
                #expect(note.utf8.count <= 200 && note.hasSuffix("…") && note.hasPrefix("€€€"), "\(note)")
                let head = try #require(
                    try await a.ask(#"{"id":6,"type":"snapshot"}"#)[object: "result"]?[int: "sequence"])
                var streams: [[String]] = []
                for wire in subscribers {
                    var lines: [String] = []
                    var seq = 0
                    while seq < head {
                        let line = try await wire.line()
                        lines.append(line)
                        let push = try WireClient.object(line)
                        #expect(push[string: "push"] == "event", "\(line)")
                        seq = push[object: "event"]?[int: "seq"] ?? head
                    }
                    streams.append(lines)
                }
                #expect(streams[0].count == streams[1].count)
                for (first, second) in zip(streams[0], streams[1]) { #expect(first == second) }
                let cut = streams[0].first {
                    $0.contains(#""kind":"status_changed""#) && $0.contains(#""to":"failed""#)
                }
                let event = try WireClient.object(try #require(cut))[object: "event"]
                let kept = try #require(event?[string: "reason"])
                #expect(kept.utf8.count <= 1_024 && kept.hasSuffix("…") && kept.hasPrefix("€"), "\(kept.utf8.count)")
                _ = await cluster.stop()
            }
        }
    }
}
