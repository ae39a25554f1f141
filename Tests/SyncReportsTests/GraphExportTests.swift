import Foundation
import Testing

@testable import SyncReports
import SyncCore

/// `GraphExport`: the tree, DOT and Mermaid of the recorded start-up (see ``Startup``) at 13 s: dotfiles, git-clone
/// and editor-server completed, claude started, deps-install failed, dev-server skipped (the diamond dev-server ->
/// claude, deps-install -> git-clone), mcp-proxy pending on vault-token, which nobody registered.
@Suite("GraphExport")
struct GraphExportTests {
    let export = GraphExport(snapshot: Startup.graph(until: 13).snapshot)

    @Test func nodesIncludeUnregisteredDependenciesSorted() throws {
        #expect(
            export.names == [
                "claude", "deps-install", "dev-server", "dotfiles", "editor-server", "git-clone", "mcp-proxy",
                "vault-token",
            ])
        #expect(export.node("vault-token") == GraphExport.Node(name: "vault-token", status: nil))
        #expect(export.node("deps-install")?.reason == "exit 1: npm ERR! network timeout")
        #expect(export.node("dev-server")?.cause?.root == "deps-install")
        #expect(export.edges.count == 6)
        #expect(export.roots == ["dev-server", "editor-server", "mcp-proxy"])
    }

    @Test func textTree() throws {
        try expectGolden(export.text(), "graph.txt")
    }

    @Test func dot() throws {
        try expectGolden(export.dot(), "graph.dot")
        #expect(export.dot(direction: .leftToRight).contains("\n  rankdir=LR;\n"))
    }

    @Test func mermaid() throws {
        try expectGolden(export.mermaid(), "graph.mmd")
        #expect(export.mermaid(direction: .leftToRight).hasPrefix("flowchart LR\n"))
    }

    @Test func focusKeepsUpstreamAndDownstreamOnly() throws {
        let focused = try #require(export.focused(on: "deps-install"))
        #expect(focused.focus == "deps-install")
        #expect(focused.names == ["deps-install", "dev-server", "git-clone"], "claude is a sibling, not a relative")
        #expect(
            focused.text() == """
                dev-server  ⊘ skipped: deps-install failed
                └── deps-install  ✘ failed ("exit 1: npm ERR! network timeout")
                    └── git-clone  ✔ completed

                """)
        try expectGolden(focused.dot(), "graph-focus-deps-install.dot")
        try expectGolden(focused.mermaid(), "graph-focus-deps-install.mmd")
    }

    @Test func focusOnASharedDependencyKeepsEveryDependent() throws {
        let focused = try #require(export.focused(on: "git-clone"))
        #expect(focused.names == ["claude", "deps-install", "dev-server", "git-clone"])
        #expect(focused.edges.count == 4)
        #expect(
            focused.text() == """
                dev-server  ⊘ skipped: deps-install failed
                ├── claude  ● started
                │   └── git-clone  ✔ completed
                └── deps-install  ✘ failed ("exit 1: npm ERR! network timeout")
                    └── git-clone  ✔ completed (see above)

                """)
    }

    @Test func focusOnAnUnregisteredDependency() throws {
        let focused = try #require(export.focused(on: "vault-token"))
        #expect(
            focused.text() == """
                mcp-proxy  ◌ pending
                └── vault-token  ? not registered

                """)
        #expect(
            focused.dot().contains(
                "\"vault-token\" [label=\"vault-token\\nnot registered\", "
                    + "fillcolor=\"#ffffff\", color=\"#6b7280\", style=\"rounded,dashed\", penwidth=3];"))
    }

    @Test func focusOnAnUnknownUnitIsNil() {
        #expect(export.focused(on: "gti-clone") == nil)
        #expect(WhyReport.suggestion(for: "gti-clone", among: export.names) == "git-clone")
        #expect(GraphExport(snapshot: GraphSnapshot(sequence: 0, units: [], edges: [])).focused(on: "a") == nil)
    }

    @Test func aSharedSubtreeIsPrintedOnce() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "lib")
        try graph.want("lib", dependsOn: "base")
        try graph.want("tool", dependsOn: "lib")
        try graph.want("base", dependsOn: "os")
        #expect(
            GraphExport(snapshot: graph.snapshot).text() == """
                app  ◌ pending
                └── lib  ◌ pending
                    └── base  ◌ pending
                        └── os  ? not registered
                tool  ◌ pending
                └── lib  ◌ pending (see above)

                """)
    }

    @Test func emptyGraphStaysValidInEveryFormat() {
        let empty = GraphExport(snapshot: GraphSnapshot(sequence: 0, units: [], edges: []))
        #expect(empty.text() == "No units registered\n")
        #expect(
            empty.dot() == """
                digraph sync {
                  rankdir=TB;
                  node [shape=box, style="rounded,filled", fontname="Helvetica"];
                  edge [fontname="Helvetica", fontsize=10];
                }

                """)
        let mermaid = empty.mermaid().split(separator: "\n")
        #expect(mermaid.first == "flowchart TD")
        #expect(mermaid.dropFirst().allSatisfy { $0.hasPrefix("    classDef ") }, "no node, edge or class line")
    }

    @Test func mermaidIDsAreSafeUniqueAndStable() throws {
        var graph = fixedGraph()
        for name in ["my unit", "my.unit", "my_unit", "end", "café", "日本語", "x-ray", "o"] {
            try graph.want("all", dependsOn: name)
            _ = try graph.start(name, wait: nil)
        }
        let export = GraphExport(snapshot: graph.snapshot)
        let ids = export.mermaidIDs()
        #expect(
            ids == [
                "all": "u_all", "café": "u_caf_", "end": "u_end", "my unit": "u_my_unit", "my.unit": "u_my_unit_2",
                "my_unit": "u_my_unit_3", "o": "u_o", "x-ray": "u_x_ray", "日本語": "u____",
            ])
        #expect(Set(ids.values).count == ids.count)
        #expect(ids.values.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } })
        // Another graph with the same names maps them the same way, whatever order they arrived in.
        var reversed = fixedGraph()
        for name in ids.keys.sorted().reversed() where name != "all" { try reversed.want(name.name, dependsOn: "all") }
        #expect(GraphExport(snapshot: reversed.snapshot).mermaidIDs() == ids)

        let mermaid = export.mermaid()
        #expect(mermaid.contains("\n    u_caf_[\"café<br/>started\"]\n"))
        #expect(mermaid.contains("\n    u_all -->|completed| u____\n"))
        let started = "u_caf_,u_end,u_my_unit,u_my_unit_2,u_my_unit_3,u_o,u_x_ray,u____"
        #expect(mermaid.contains("\n    class \(started) started\n"))
    }

    @Test func quotesAndBackslashesAreEscaped() throws {
        var graph = fixedGraph()
        try graph.want(#"say "hi""#, dependsOn: #"C:\tmp #1 <x>"#)
        let export = GraphExport(snapshot: graph.snapshot)
        #expect(export.dot().contains(#"  "say \"hi\"" -> "C:\\tmp #1 <x>" [label="completed"];"#))
        #expect(export.dot().contains(#"  "say \"hi\"" [label="say \"hi\"\npending", "#))
        #expect(export.mermaid().contains(#"    u_say__hi_["say #quot;hi#quot;<br/>pending"]"#))
        #expect(export.mermaid().contains(#"    u_C__tmp__1__x_["C:\tmp #35;1 #lt;x#gt;<br/>not registered"]"#))
    }

    @Test func orderDoesNotDependOnTheSnapshotsOrder() {
        var snapshot = Startup.graph(until: 13).snapshot
        snapshot.units.reverse()
        snapshot.edges.reverse()
        #expect(GraphExport(snapshot: snapshot) == export)
    }
}

/// Compares `actual` with `Goldens/<name>` beside this file, exactly; with `UPDATE_GOLDENS=1` in the environment it
/// rewrites the file instead (review the diff).
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = #filePath
    let path = file[..<file.lastIndex(of: "/")!] + "/Goldens/" + name
    if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
        try actual.write(toFile: String(path), atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOfFile: String(path), encoding: .utf8)
    #expect(
        actual == expected, "golden \(name) differs; rerun with UPDATE_GOLDENS=1 and review the diff",
        sourceLocation: sourceLocation)
}
