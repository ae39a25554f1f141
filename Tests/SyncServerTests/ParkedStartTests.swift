import Synchronization
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

/// Starts park on the agent and are woken by the change that makes them ready.
@Suite("Parked starts")
struct ParkedStartTests {
    /// Resolves once the start it is given to reports that it is waiting.
    final class WaitingSignal: Sendable {
        private let state = Mutex<(waiting: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

        func fire() {
            let continuation = state.withLock { state in
                state.waiting = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume()
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let already = state.withLock { state in
                    if state.waiting { return true }
                    state.continuation = continuation
                    return false
                }
                if already { continuation.resume() }
            }
        }
    }

    @Test func aCompleteReleasesTheWaitingStart() async throws {
        try await withAgent { agent in
            let waiter = try await agent.client()
            let other = try await agent.client()
            defer { waiter.close(); other.close() }
            try await other.want("test-unit", dependsOn: ["dep-unit", "dep-unit-2"])
            let waiting = WaitingSignal()
            async let started = waiter.start("test-unit") { info in
                #expect(info.unsatisfied == ["dep-unit", "dep-unit-2"])
                waiting.fire()
            }
            await waiting.wait()
            _ = try await other.start("dep-unit")
            try await other.complete("dep-unit")
            _ = try await other.start("dep-unit-2")
            try await other.complete("dep-unit-2")
            let info = try await started
            #expect(info.waited)
            #expect(info.unsatisfiedAtStart == ["dep-unit", "dep-unit-2"])
            #expect(try await other.status("test-unit").info?.status == .started)
        }
    }

    @Test func oneCompleteReleasesAHundredParkedStarts() async throws {
        try await withAgent { agent in
            let control = try await agent.client()
            defer { control.close() }
            let clients = try await (0..<100).asyncMap { _ in try await agent.client() }
            defer { clients.forEach { $0.close() } }
            for i in 0..<100 { try await control.want("unit-\(i)", dependsOn: ["gate"]) }
            let released = try await withThrowingTaskGroup(of: StartInfo.self) { group in
                let signals = (0..<100).map { _ in WaitingSignal() }
                for (i, client) in clients.enumerated() {
                    group.addTask { try await client.start("unit-\(i)") { _ in signals[i].fire() } }
                }
                for signal in signals { await signal.wait() }
                #expect(try await control.status("unit-0").info?.waiters == 1)
                _ = try await control.start("gate")
                try await control.complete("gate")
                var infos: [StartInfo] = []
                for try await info in group { infos.append(info) }
                return infos
            }
            #expect(released.count == 100)
            #expect(released.allSatisfy { $0.waited && $0.unsatisfiedAtStart == ["gate"] })
            #expect(try await control.list().filter { $0.status == .started }.count == 100)
        }
    }

    @Test func twoConcurrentStartsOfOneUnitExactlyOneWins() async throws {
        try await withAgent { agent in
            let a = try await agent.client()
            let b = try await agent.client()
            let control = try await agent.client()
            defer { a.close(); b.close(); control.close() }
            try await control.want("u", dependsOn: ["d"])
            let signals = [WaitingSignal(), WaitingSignal()]
            async let first = outcome { try await a.start("u") { _ in signals[0].fire() } }
            async let second = outcome { try await b.start("u") { _ in signals[1].fire() } }
            await signals[0].wait()
            await signals[1].wait()
            _ = try await control.start("d")
            try await control.complete("d")
            let results = await [first, second]
            let wins = results.filter { if case .success = $0 { return true } else { return false } }
            let losses = results.compactMap { if case .failure(let error) = $0 { return error } else { return nil } }
            #expect(wins.count == 1)
            #expect(losses.map(\.code) == [.sameStatus])
        }
    }

    @Test func aStartWhoseClientVanishesIsDropped() async throws {
        try await withAgent { agent in
            let control = try await agent.client()
            defer { control.close() }
            try await control.want("u", dependsOn: ["d"])
            let leaving = try await agent.client()
            let waiting = WaitingSignal()
            let task = Task { try await leaving.start("u") { _ in waiting.fire() } }
            await waiting.wait()
            #expect(try await control.status("u").info?.waiters == 1)
            leaving.close()
            _ = await task.result
            // The agent learns of the disconnect on its next turn; a few round trips settle it without sleeping.
            var waiters = 1
            for _ in 0..<100 where waiters > 0 {
                waiters = try await control.status("u").info?.waiters ?? -1
            }
            #expect(waiters == 0)
            _ = try await control.start("d")
            try await control.complete("d")
            #expect(try await control.status("u").info?.status == .pending)
        }
    }

    @Test func aTimeoutEndsTheWaitAndLeavesTheUnitPending() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            try await client.want("u", dependsOn: ["d"])
            let error = await #expect(throws: WireError.self) {
                _ = try await client.start("u", timeout: .milliseconds(20))
            }
            #expect(error?.code == .timeout)
            #expect(error?.message == "timeout waiting for dependencies of unit 'u'")
            let status = try await client.status("u")
            #expect(status.info?.status == .pending)
            #expect(status.info?.waiters == 0)
        }
    }

    @Test func cancellingTheTaskCancelsTheWaitOnTheAgent() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            let control = try await agent.client()
            defer { client.close(); control.close() }
            try await control.want("u", dependsOn: ["d"])
            let waiting = WaitingSignal()
            let task = Task { try await client.start("u") { _ in waiting.fire() } }
            await waiting.wait()
            task.cancel()
            let result = await task.result
            #expect(throws: WireError.self) { try result.get() }
            #expect((try? result.get()) == nil)
            if case .failure(let error as WireError) = result { #expect(error.code == .cancelled) }
            #expect(try await control.status("u").info?.waiters == 0)
            // The same connection keeps working.
            try await client.ping()
        }
    }

    @Test func waitReturnsWhenEveryUnitCompleted() async throws {
        try await withAgent { agent in
            let waiter = try await agent.client()
            let control = try await agent.client()
            defer { waiter.close(); control.close() }
            _ = try await control.start("a")
            _ = try await control.start("b")
            let waiting = WaitingSignal()
            async let done = waiter.wait(for: ["a", "b"]) { remaining in
                #expect(remaining == ["a", "b"])
                waiting.fire()
            }
            await waiting.wait()
            try await control.complete("a")
            try await control.complete("b")
            #expect(try await done == ["a", "b"])
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// The result of a start, as a value.
func outcome(_ body: () async throws -> StartInfo) async -> Result<StartInfo, WireError> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error as? WireError ?? WireError(.init("unexpected"), "\(error)"))
    }
}
