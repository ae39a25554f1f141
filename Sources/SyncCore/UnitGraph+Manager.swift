/// The manager-level operations of coder's `agent/unit` package (its `Manager` type), with the same rules and messages.
/// The socket-level operations in `UnitGraph+Operations.swift` are built on them.
extension UnitGraph {
    /// Registers `unit` with status `pending`.
    /// - Throws: `invalid_name` (`registering unit "": unit name is required`), or `already_registered`.
    public mutating func register(_ unit: String) throws(SyncError) {
        try validate(unit, "registering unit \(goQuoted(unit))")
        guard units[UnitKey(unit)] == nil else {
            throw SyncError(.alreadyRegistered, "registering unit \(goQuoted(unit)): unit already registered")
        }
        record(.registered(unit: unit))
        settle()
    }

    /// Makes `unit` depend on `dependency` reaching `required`. The dependency need not be registered; re-adding
    /// an edge replaces its required status and an identical edge is a no-op.
    /// - Throws: `invalid_name`, `not_registered` when `unit` is not registered, `cycle_detected` naming the loop.
    public mutating func addDependency(
        _ unit: String, on dependency: String, requiring required: UnitStatus = .completed
    ) throws(SyncError) {
        try validate(unit, unit.isEmpty ? "dependent name cannot be empty" : "invalid dependent name")
        try validate(dependency, dependency.isEmpty ? "dependency name cannot be empty" : "invalid dependency name")
        let key = UnitKey(unit)
        let dependencyKey = UnitKey(dependency)
        guard units[key] != nil else {
            throw SyncError(.notRegistered, "dependent unit \(goQuoted(unit)) must be registered first: unit not found")
        }
        if let loop = cycle(adding: key, dependencyKey) {
            throw SyncError(
                .cycleDetected,
                "adding edge (\(unit) -> \(dependency)): cycle detected: \(loop.joined(separator: " -> "))")
        }
        guard forward[key]?[dependencyKey] != required else { return }
        record(.dependencyAdded(unit: unit, dependsOn: dependency, required: required))
        skipIfDoomed(key, through: dependencyKey)
        settle()
    }

    /// Sets the status of a registered unit. Any transition is allowed except to the status it already has.
    /// - Parameter reason: recorded with `failed`; ignored otherwise.
    /// - Throws: `invalid_name`, `not_registered`, `same_status` (`checking status for unit "u": same status
    ///   already set`).
    public mutating func updateStatus(_ unit: String, to status: UnitStatus, reason: String? = nil) throws(SyncError) {
        try validate(unit, "updating status for unit \(goQuoted(unit))")
        guard let current = units[UnitKey(unit)]?.status else {
            throw SyncError(.notRegistered, "unit \(goQuoted(unit)) must be registered first: unit not found")
        }
        guard current != status else {
            throw SyncError(.sameStatus, "checking status for unit \(goQuoted(unit)): same status already set")
        }
        let cause = status == .skipped ? FailureCause(root: unit, reason: reason, via: nil) : nil
        record(.statusChanged(unit: unit, from: current, to: status, reason: reason, cause: cause))
        settle()
    }

    /// Throws `invalid_name` with `context: problem` when `name` is not a valid unit name.
    func validate(_ name: String, _ context: String) throws(SyncError) {
        if let problem = UnitName.problem(with: name) {
            throw SyncError(.invalidName, "\(context): \(problem)")
        }
    }
}
