import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

/// coder's `agent/agentsocket` service tests over a real socket.
@Suite("Service over the socket")
struct ServiceTests {
    @Test func ping() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            try await client.ping()
        }
    }

    @Test func startNewUnit() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let info = try await client.start("test-unit")
            #expect(info == StartInfo(unit: "test-unit", dependencies: [], unsatisfiedAtStart: [], waited: false))
            #expect(try await client.status("test-unit").info?.status == .started)
        }
    }

    @Test func startTwiceIsRefused() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            _ = try await client.start("test-unit")
            let error = await #expect(throws: WireError.self) { _ = try await client.start("test-unit") }
            #expect(error?.code == .sameStatus)
            #expect(error?.message.contains("same status already set") == true)
            #expect(try await client.status("test-unit").info?.status == .started)
        }
    }

    @Test func startAfterCompleteIsARerun() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            _ = try await client.start("test-unit")
            try await client.complete("test-unit")
            #expect(try await client.status("test-unit").info?.status == .completed)
            _ = try await client.start("test-unit")
            #expect(try await client.status("test-unit").info?.status == .started)
        }
    }

    @Test func startWithoutWaitingOnAnUnreadyUnit() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            try await client.want("test-unit", dependsOn: ["dependency-unit"])
            let error = await #expect(throws: WireError.self) {
                _ = try await client.connection.request(.start(unit: "test-unit", wait: false, timeoutMs: nil))
            }
            #expect(error?.code == .notReady)
            #expect(error?.message == #"cannot start unit "test-unit": unit not ready"#)
            let status = try await client.status("test-unit")
            #expect(status.info?.status == .pending)
            #expect(status.isReady == false)
        }
    }

    @Test func wantRegistersOnlyTheDependent() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            try await client.want("test-unit", dependsOn: ["dependency-unit"])
            let status = try await client.status("test-unit")
            #expect(status.dependencies.map(\.dependsOn) == ["dependency-unit"])
            #expect(status.dependencies.map(\.requiredStatus) == [.completed])
            #expect(status.dependencies.first?.currentStatus == nil)
            #expect(try await client.list().map(\.name) == ["test-unit"])
        }
    }

    @Test func wantAfterTheDependencyStarted() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            _ = try await client.start("dependency-unit")
            try await client.want("test-unit", dependsOn: ["dependency-unit"])
            let status = try await client.status("test-unit")
            #expect(status.dependencies.map(\.dependsOn) == ["dependency-unit"])
            #expect(status.dependencies.first?.isSatisfied == false)
        }
    }

    @Test func wantAfterTheDependentStarted() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            _ = try await client.start("test-unit")
            try await client.want("test-unit", dependsOn: ["dependency-unit"])
            let status = try await client.status("test-unit")
            #expect(status.info?.status == .started)
            #expect(status.isReady == false)
            #expect(status.dependencies.map(\.dependsOn) == ["dependency-unit"])
        }
    }

    @Test func readinessOfUnregisteredAndReadyUnits() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let unknown = try await client.status("nobody")
            #expect(unknown.info == nil)
            #expect(unknown.isReady)
            #expect(unknown.dependencies.isEmpty)
            _ = try await client.start("test-unit")
            try await client.want("dependent-unit", dependsOn: ["test-unit"])
            #expect(try await client.status("dependent-unit").isReady == false)
            try await client.complete("test-unit")
            #expect(try await client.status("dependent-unit").isReady)
        }
    }

    @Test func listIsSortedWithReadiness() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            #expect(try await client.list().isEmpty)
            _ = try await client.start("unit-b")
            try await client.complete("unit-b")
            _ = try await client.start("unit-a")
            try await client.want("unit-c", dependsOn: ["unit-a"])
            let units = try await client.list()
            #expect(units.map(\.name) == ["unit-a", "unit-b", "unit-c"])
            #expect(units.map(\.status) == [.started, .completed, .pending])
            #expect(units.map(\.isReady) == [true, true, false])
        }
    }

    @Test func refusalsKeepCoderWords() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let unregistered = await #expect(throws: WireError.self) { try await client.complete("u") }
            #expect(unregistered?.code == .notRegistered)
            #expect(
                unregistered?.message == #"cannot complete unit "u": unit "u" must be registered first: unit not found"#
            )
            try await client.want("a", dependsOn: ["b"])
            let cycle = await #expect(throws: WireError.self) { try await client.want("b", dependsOn: ["a"]) }
            #expect(cycle?.code == .cycleDetected)
            #expect(cycle?.message == "cannot add dependency: adding edge (b -> a): cycle detected: b -> a -> b")
            let empty = await #expect(throws: WireError.self) { try await client.want("", dependsOn: ["d"]) }
            #expect(empty?.message == #"cannot add dependency: registering unit "": unit name is required"#)
            let badName = await #expect(throws: WireError.self) { _ = try await client.start("a\nb") }
            #expect(badName?.code == .invalidName)
        }
    }
}
