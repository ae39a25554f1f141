import Testing

@testable import SyncCore

/// Every operation that takes a unit name, called with an empty one.
enum EmptyNameOperation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case register, addDependencyUnit, addDependencyTarget, updateStatus
    case want, wantTarget, start, complete, fail, awaitCompletion

    var testDescription: String { rawValue }

    func perform(on graph: inout UnitGraph) throws(SyncError) {
        switch self {
        case .register: try graph.register("")
        case .addDependencyUnit: try graph.addDependency("", on: "serviceB")
        case .addDependencyTarget: try graph.addDependency("serviceA", on: "")
        case .updateStatus: try graph.updateStatus("", to: .started)
        case .want: try graph.want("", dependsOn: "serviceB")
        case .wantTarget: try graph.want("serviceA", dependsOn: "")
        case .start: _ = try graph.start("", wait: WaitID(1))
        case .complete: try graph.complete("")
        case .fail: try graph.fail("", reason: "boom")
        case .awaitCompletion: _ = try graph.awaitCompletion(of: ["serviceA", ""], wait: WaitID(1))
        }
    }

    /// coder's texts, word for word, where coder has the operation.
    var message: String {
        switch self {
        case .register: return #"registering unit "": unit name is required"#
        case .addDependencyUnit: return "dependent name cannot be empty: unit name is required"
        case .addDependencyTarget: return "dependency name cannot be empty: unit name is required"
        case .updateStatus: return #"updating status for unit "": unit name is required"#
        case .want: return #"cannot add dependency: registering unit "": unit name is required"#
        case .wantTarget: return "cannot add dependency: dependency name cannot be empty: unit name is required"
        case .start: return #"cannot start unit "": unit name is required"#
        case .complete: return #"cannot complete unit "": updating status for unit "": unit name is required"#
        case .fail: return #"cannot fail unit "": registering unit "": unit name is required"#
        case .awaitCompletion: return #"cannot wait for unit "": unit name is required"#
        }
    }
}

/// coder's `agent/unit/manager_test.go` with units `serviceA`…`serviceD`.
struct ManagerTests {
    // MARK: TestManager_UnitValidation

    @Test(arguments: EmptyNameOperation.allCases)
    func emptyUnitNameIsRefused(_ operation: EmptyNameOperation) throws {
        var graph = fixedGraph()
        if operation == .addDependencyTarget { try graph.register("serviceA") }
        _ = graph.drainEvents()
        #expect(throws: SyncError(.invalidName, operation.message)) { try operation.perform(on: &graph) }
        let events = graph.drainKinds()
        if operation == .wantTarget {
            // As coder: the dependent is registered before the empty dependency is refused.
            #expect(events == [.registered(unit: "serviceA")])
        } else {
            #expect(events == [])
        }
        #expect(graph.status(of: "") == nil)
    }

    @Test func emptyUnitNameQueries() {
        let graph = fixedGraph()
        #expect(graph.status(of: "") == nil)
        #expect(graph.info("") == nil)
        #expect(graph.isRegistered("") == false)
        #expect(graph.dependencies(of: "") == [])
        #expect(graph.unmetDependencies(of: "") == [])
    }

    // MARK: TestManager_Register

    @Test func registerNewUnit() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        #expect(graph.status(of: "serviceA") == .pending)
        #expect(graph.isReady("serviceA"))
        #expect(
            graph.info("serviceA")
                == UnitInfo(
                    name: "serviceA", status: .pending, isReady: true, registeredAt: fixedTime, since: fixedTime))
    }

    @Test func registerDuplicateUnit() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.updateStatus("serviceA", to: .started)
        _ = graph.drainEvents()
        #expect(throws: SyncError(.alreadyRegistered, #"registering unit "serviceA": unit already registered"#)) {
            try graph.register("serviceA")
        }
        #expect(graph.status(of: "serviceA") == .started)
        #expect(graph.isReady("serviceA"))
        #expect(graph.drainEvents() == [])
    }

    @Test func registerMultipleUnits() throws {
        var graph = fixedGraph()
        let names = ["serviceA", "serviceB", "serviceC"]
        for name in names { try graph.register(name) }
        #expect(graph.unitCount == 3)
        for name in names {
            #expect(graph.status(of: name) == .pending)
            #expect(graph.isReady(name))
        }
    }

    // MARK: TestManager_AddDependency

    @Test func addDependencyBetweenRegisteredUnits() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.register("serviceB")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        #expect(graph.isReady("serviceA") == false)
        #expect(graph.isReady("serviceB"))

        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA"))

        try graph.updateStatus("serviceB", to: .pending)
        #expect(graph.isReady("serviceA") == false)
    }

    @Test func addDependencyByAnUnregisteredDependentUnit() {
        var graph = fixedGraph()
        let message = #"dependent unit "serviceA" must be registered first: unit not found"#
        #expect(throws: SyncError(.notRegistered, message)) {
            try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        }
        #expect(graph.edgeCount == 0)
        #expect(graph.drainEvents() == [])
    }

    @Test func addDependencyOnAnUnregisteredUnit() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)

        let dependency = DependencyInfo(
            unit: "serviceA", dependsOn: "serviceB", requiredStatus: .started, currentStatus: nil)
        #expect(graph.dependencies(of: "serviceA") == [dependency])
        #expect(dependency.isSatisfied == false)
        #expect(graph.status(of: "serviceB") == nil)
        #expect(graph.isReady("serviceA") == false)

        try graph.register("serviceB")
        #expect(graph.isReady("serviceA") == false)

        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA"))
    }

    @Test func addDependencyCreatesACyclicDependency() throws {
        var graph = fixedGraph()
        for name in ["serviceA", "serviceB", "serviceC", "serviceD"] { try graph.register(name) }
        try graph.addDependency("serviceA", on: "serviceB")
        try graph.addDependency("serviceB", on: "serviceC")
        try graph.addDependency("serviceC", on: "serviceD")
        _ = graph.drainEvents()

        let message =
            "adding edge (serviceD -> serviceA): cycle detected: "
            + "serviceD -> serviceA -> serviceB -> serviceC -> serviceD"
        #expect(throws: SyncError(.cycleDetected, message)) {
            try graph.addDependency("serviceD", on: "serviceA")
        }
        #expect(graph.edgeCount == 3)
        #expect(graph.drainEvents() == [])
    }

    @Test func updatingADependencyReplacesItsRequiredStatus() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.register("serviceB")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA"))

        try graph.addDependency("serviceA", on: "serviceB", requiring: .completed)
        #expect(graph.dependencies(of: "serviceA").count == 1)
        #expect(graph.dependencies(of: "serviceA").first?.requiredStatus == .completed)
        #expect(graph.isReady("serviceA") == false)

        try graph.updateStatus("serviceB", to: .completed)
        #expect(graph.isReady("serviceA"))
    }

    @Test func repeatingAnEdgeIsANoOp() throws {
        var graph = fixedGraph()
        try graph.want("serviceA", dependsOn: "serviceB")
        _ = graph.drainEvents()
        try graph.want("serviceA", dependsOn: "serviceB")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .completed)
        #expect(graph.drainEvents() == [])
        #expect(graph.edgeCount == 1)
        #expect(graph.unmetDependencies(of: "serviceA").count == 1)
    }

    // MARK: TestManager_UpdateStatus

    @Test func updateStatusTriggersReadinessRecalculation() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.register("serviceB")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .completed)
        #expect(graph.isReady("serviceA") == false)

        try graph.updateStatus("serviceB", to: .completed)
        #expect(graph.isReady("serviceA"))
        #expect(graph.status(of: "serviceA") == .pending)
    }

    @Test func updateStatusWithUnregisteredUnit() {
        var graph = fixedGraph()
        #expect(throws: SyncError(.notRegistered, #"unit "serviceA" must be registered first: unit not found"#)) {
            try graph.updateStatus("serviceA", to: .started)
        }
    }

    @Test(arguments: UnitStatus.allCases, UnitStatus.allCases)
    func anyTransitionButToTheSameStatus(from: UnitStatus, to: UnitStatus) throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        if from != .pending { try graph.updateStatus("serviceA", to: from) }
        if from == to {
            let message = #"checking status for unit "serviceA": same status already set"#
            #expect(throws: SyncError(.sameStatus, message)) { try graph.updateStatus("serviceA", to: to) }
        } else {
            try graph.updateStatus("serviceA", to: to)
        }
        #expect(graph.status(of: "serviceA") == to)
    }

    @Test func linearChainDependencies() throws {
        var graph = fixedGraph()
        for name in ["serviceA", "serviceB", "serviceC"] { try graph.register(name) }
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        try graph.addDependency("serviceB", on: "serviceC", requiring: .completed)
        #expect(graph.isReady("serviceA") == false)
        #expect(graph.isReady("serviceB") == false)
        #expect(graph.isReady("serviceC"))

        try graph.updateStatus("serviceC", to: .completed)
        #expect(graph.isReady("serviceB"))
        #expect(graph.isReady("serviceA") == false)

        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA"))
        #expect(graph.status(of: "serviceA") == .pending)
    }

    @Test func satisfactionIsAnExactMatch() throws {
        var graph = fixedGraph()
        for name in ["serviceA", "serviceB", "serviceC"] { try graph.register(name) }
        try graph.addDependency("serviceA", on: "serviceC", requiring: .started)
        try graph.addDependency("serviceB", on: "serviceC", requiring: .completed)

        try graph.updateStatus("serviceC", to: .started)
        #expect(graph.isReady("serviceA") && !graph.isReady("serviceB"))
        try graph.updateStatus("serviceC", to: .completed)
        #expect(!graph.isReady("serviceA") && graph.isReady("serviceB"))
        try graph.updateStatus("serviceC", to: .started)
        #expect(graph.isReady("serviceA") && !graph.isReady("serviceB"))
    }

    // MARK: TestManager_GetUnmetDependencies

    @Test func unmetDependenciesWithNoDependencies() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        #expect(graph.unmetDependencies(of: "serviceA") == [])
    }

    @Test func unmetDependenciesWithUnsatisfiedDependencies() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.register("serviceB")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        let unmet = graph.unmetDependencies(of: "serviceA")
        #expect(unmet.count == 1)
        let only = try #require(unmet.first)
        #expect(only.unit == "serviceA")
        #expect(only.dependsOn == "serviceB")
        #expect(only.requiredStatus == .started)
        #expect(only.currentStatus == .pending)
        #expect(only.isSatisfied == false)
    }

    @Test func unmetDependenciesWithSatisfiedDependencies() throws {
        var graph = fixedGraph()
        try graph.register("serviceA")
        try graph.register("serviceB")
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.unmetDependencies(of: "serviceA") == [])
        #expect(graph.dependencies(of: "serviceA").map(\.isSatisfied) == [true])
    }

    /// coder returns `ErrUnitNotFound` and nil; the graph's query has nothing to report and says so with `[]`.
    @Test func unmetDependenciesForUnregisteredUnit() {
        let graph = fixedGraph()
        #expect(graph.unmetDependencies(of: "serviceA") == [])
        #expect(graph.dependencies(of: "serviceA") == [])
    }

    // MARK: TestManager_MultipleDependencies

    @Test func unitWithMultipleDependencies() throws {
        var graph = fixedGraph()
        for name in ["serviceA", "serviceB", "serviceC"] { try graph.register(name) }
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        try graph.addDependency("serviceA", on: "serviceC", requiring: .started)
        #expect(graph.isReady("serviceA") == false)

        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA") == false)
        #expect(graph.unmetDependencies(of: "serviceA").map(\.dependsOn) == ["serviceC"])

        try graph.updateStatus("serviceC", to: .started)
        #expect(graph.isReady("serviceA"))
    }

    @Test func complexDependencyChainDiamond() throws {
        var graph = fixedGraph()
        for name in ["serviceA", "serviceB", "serviceC", "serviceD"] { try graph.register(name) }
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        try graph.addDependency("serviceA", on: "serviceC", requiring: .started)
        try graph.addDependency("serviceB", on: "serviceD", requiring: .completed)
        try graph.addDependency("serviceC", on: "serviceD", requiring: .completed)
        func ready() -> [String] { graph.unitNames.filter(graph.isReady) }
        #expect(ready() == ["serviceD"])

        try graph.updateStatus("serviceD", to: .completed)
        #expect(ready() == ["serviceB", "serviceC", "serviceD"])

        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA") == false)

        try graph.updateStatus("serviceC", to: .started)
        #expect(graph.isReady("serviceA"))
    }

    @Test func differentStatusTypes() throws {
        var graph = fixedGraph()
        for name in ["serviceA", "serviceB", "serviceC"] { try graph.register(name) }
        try graph.addDependency("serviceA", on: "serviceB", requiring: .started)
        try graph.addDependency("serviceA", on: "serviceC", requiring: .completed)

        try graph.updateStatus("serviceB", to: .started)
        #expect(graph.isReady("serviceA") == false)
        try graph.updateStatus("serviceC", to: .started)
        #expect(graph.isReady("serviceA") == false)
        try graph.updateStatus("serviceC", to: .completed)
        #expect(graph.isReady("serviceA"))
        try graph.updateStatus("serviceB", to: .completed)
        #expect(graph.isReady("serviceA") == false)
    }

    // MARK: TestManager_IsReady

    @Test func isReadyWithUnregisteredUnit() {
        let graph = fixedGraph()
        #expect(graph.status(of: "serviceA") == nil)
        #expect(graph.isReady("serviceA"))
        #expect(graph.info("serviceA") == nil)
        #expect(Optional<UnitStatus>.none.display == "not registered")
        #expect(Optional<UnitStatus>.none.wireValue == "")
    }
}
