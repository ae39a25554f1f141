import Foundation
import SyncTestSupport

/// Two network namespaces made by the test, as two hosts: one for the database and one for an agent, joined by a
/// veth pair (10.231.0.1 on the database's side, 10.231.0.2 on the agent's). Nothing else is in them, so their
/// traffic never leaves them. ``cut()`` takes the agent's end of the link down (its packets go nowhere, as when a
/// cable is pulled: no reset, no error on an established connection), ``heal()`` brings it back.
///
/// Needs root (CI and the build machine run the tests as root) and `ip` (iproute2) and `nsenter` (util-linux).
final class NetworkLink: Sendable {
    let database: String
    let agent: String
    let databaseAddress = "10.231.0.1"
    let agentAddress = "10.231.0.2"
    private let agentEnd: String
    private let databaseEnd: String

    static let isPossible: Bool =
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: ip)
        && FileManager.default.isExecutableFile(atPath: nsenter) && FileManager.default.isExecutableFile(atPath: ss)

    /// iproute2's `ip` and `ss`, wherever Debian put them (`/bin`, `/sbin`, or `/usr/…` with a merged `/usr`).
    private static let ip = locate("ip")
    private static let ss = locate("ss")
    private static let nsenter = "/usr/bin/nsenter"

    private static func locate(_ name: String) -> String {
        let candidates = ["/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"].map { $0 + name }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    private init(tag: String) {
        database = "sadb\(tag)"
        agent = "saag\(tag)"
        databaseEnd = "vdb\(tag)"
        agentEnd = "vag\(tag)"
    }

    /// Makes the two namespaces and the link, up.
    static func make() async throws -> NetworkLink {
        let link = NetworkLink(tag: "\(getpid() % 100_000)x\(UInt16.random(in: 0...UInt16.max))")
        do {
            try await link.ip("netns", "add", link.database)
            try await link.ip("netns", "add", link.agent)
            try await link.ip(
                "link", "add", link.databaseEnd, "netns", link.database, "type", "veth", "peer", "name",
                link.agentEnd, "netns", link.agent)
            for (space, end, address) in [
                (link.database, link.databaseEnd, link.databaseAddress), (link.agent, link.agentEnd, link.agentAddress),
            ] {
                try await link.ip("-n", space, "addr", "add", address + "/30", "dev", end)
                try await link.ip("-n", space, "link", "set", end, "up")
                try await link.ip("-n", space, "link", "set", "lo", "up")
            }
        } catch {
            await link.remove()
            throw error
        }
        return link
    }

    /// Pulls the cable: the agent's end goes down.
    func cut() async throws { try await ip("-n", agent, "link", "set", agentEnd, "down") }

    /// Plugs it back.
    func heal() async throws { try await ip("-n", agent, "link", "set", agentEnd, "up") }

    /// Removes both namespaces (and with them the link).
    func remove() async {
        for space in [agent, database] { _ = try? await RunningProcess.run(Self.ip, ["netns", "delete", space]) }
    }

    /// `program arguments` run in namespace `space` (nsenter execs it: the pid is the program's).
    static func inside(_ space: String, _ program: String, _ arguments: [String]) -> (String, [String]) {
        (nsenter, ["--net=/run/netns/\(space)", "--", program] + arguments)
    }

    /// Makes the database's host forget its TCP connections to the agent's host (`ss -K`: the sockets are destroyed
    /// at once; with the link cut, nothing reaches the agent), as a database host that rebooted or gave up on them
    /// would. The agent's side stays open: a half-open connection.
    func forgetAgentConnections() async throws {
        let (program, arguments) = Self.inside(database, Self.ss, ["-K", "-tnH", "dst", agentAddress])
        let result = try await RunningProcess.run(program, arguments)
        guard result.status == 0 else { throw Failure(description: "ss -K failed: \(result)") }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func ip(_ arguments: String...) async throws {
        let result = try await RunningProcess.run(Self.ip, arguments)
        guard result.status == 0 else {
            throw Failure(description: "ip \(arguments.joined(separator: " ")) failed: \(result)")
        }
    }
}
