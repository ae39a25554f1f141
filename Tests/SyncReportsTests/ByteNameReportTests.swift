import SyncCore
import SyncReports
import Testing

/// Unit names are bytes of UTF-8 in the reports too: `café` precomposed and with a combining accent are two units.
struct ByteNameReportTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    @Test func timelineKeepsThemApart() throws {
        var graph = fixedGraph()
        try graph.register(Self.nfc)
        try graph.register(Self.nfd)
        _ = try graph.start(Self.nfd, wait: nil)
        #expect(graph.status(of: Self.nfd) == .started)
        let timeline = Timeline(events: graph.drainEvents())
        #expect(timeline.units.count == 2)
        #expect(timeline[Self.nfc]?.status == .pending)
        #expect(timeline[Self.nfd]?.status == .started)
    }

    @Test func graphExportKeepsThemApart() throws {
        var graph = fixedGraph()
        try graph.want(Self.nfc, dependsOn: Self.nfd)
        let export = GraphExport(snapshot: graph.snapshot)
        #expect(export.names.count == 2)
    }
}
