import Foundation
import SyncCore
import SyncProtocol
import SyncTop

/// The recorded start-up in `Fixtures/startup.jsonl` and models built from it at fixed times.
///
/// Base time 2026-11-26T09:00:00Z. dotfiles and git-clone start at once; claude and deps-install wait on git-clone,
/// editor-server on dotfiles, dev-server on deps-install, mcp-proxy on vault-token (never registered). dotfiles
/// completes at 2.1s, git-clone at 6.4s (claude and deps-install start), editor-server at 9.0s, deps-install fails at
/// 12.7s ("exit 1: npm ERR! network timeout") and dev-server is skipped.
enum Fixture {
    static let base = Timestamp(microseconds: 1_795_683_600_000_000)

    /// `base` plus `seconds`.
    static func at(_ seconds: Double) -> Timestamp {
        Timestamp(microseconds: base.rawValue + Int64((seconds * 1_000_000).rounded()))
    }

    /// This test target's folder.
    static var directory: String {
        let file = #filePath
        let support = file[..<file.lastIndex(of: "/")!]
        return String(support[..<support.lastIndex(of: "/")!])
    }

    /// The text of `Fixtures/<name>`.
    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: directory + "/Fixtures/" + name, encoding: .utf8)
    }

    /// The events of `startup.jsonl`.
    static let startupEvents: [SyncEvent] = {
        let text = try! Fixture.text("startup.jsonl")
        return text.split(separator: "\n").map { SyncEvent(json: try! JSON.parse(String($0)))! }
    }()

    /// A live dashboard that saw the start-up's events up to `seconds` and shows the time `now`.
    static func model(
        upTo seconds: Double = .infinity, now: Double = 15, size: Size = Size(width: 120, height: 35)
    ) -> DashboardModel {
        var model = DashboardModel(source: "/run/user/1000/sync-agent.sock", now: at(now))
        model.apply(.connection(.live))
        for event in startupEvents where seconds.isInfinite || event.time <= at(seconds) { model.apply(.event(event)) }
        _ = model.handle(.resize(size))
        return model
    }
}
