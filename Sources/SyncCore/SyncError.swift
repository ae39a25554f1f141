/// An operation of the unit graph was refused. Nothing changed, except where the operation documents otherwise.
///
/// `message` follows coder's wording where coder has one (`same status already set`, `cycle detected`,
/// `must be registered first`), so scripts and people see the texts they know.
public struct SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable machine-readable code.
    public var code: ErrorCode
    /// The human message: what happened and to what.
    public var message: String
    /// For `dependency_failed` and `unit_failed`: the unit that failed first, its reason and the chain.
    public var cause: FailureCause?

    public init(_ code: ErrorCode, _ message: String, cause: FailureCause? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    /// The same error with `prefix: ` put in front of the message, as Go's `%w` wrapping does.
    public func wrapped(_ prefix: String) -> SyncError {
        SyncError(code, "\(prefix): \(message)", cause: cause)
    }
}

/// Why a unit cannot run: the unit that failed at the root, the reason it gave, the dependency through which the
/// failure reached the unit concerned, and — where it is built — the whole chain from the root to that unit.
///
/// A skipped unit keeps only the *compact* form (``root``, ``reason``, ``via``; ``chain`` empty), so a failure that
/// skips a long chain stores one link per unit; ``UnitGraph/failureCause(of:)`` follows the links to build the chain.
/// Errors (`dependency_failed`, `unit_failed`) carry the chain.
public struct FailureCause: Sendable, Hashable {
    /// The unit whose `fail` started it all.
    public var root: String
    /// The reason given to `fail`, if any.
    public var reason: String?
    /// The dependency of the affected unit that passed the failure on (the root itself for a direct dependency);
    /// `nil` for the root's own cause.
    public var via: String?
    /// From the root to the affected unit, inclusive at both ends; empty in the compact form.
    public var chain: [String]

    /// A cause with its whole chain; ``via`` is taken from the chain.
    public init(root: String, reason: String?, chain: [String]) {
        self.root = root
        self.reason = reason
        self.chain = chain
        self.via = chain.count >= 2 ? chain[chain.count - 2] : nil
    }

    /// The compact form: the root, its reason and the link to follow.
    public init(root: String, reason: String?, via: String?) {
        self.root = root
        self.reason = reason
        self.via = via
        self.chain = []
    }

    /// The same cause without its chain (what a skipped unit stores and its event carries).
    public var compact: FailureCause { FailureCause(root: root, reason: reason, via: via) }

    /// `git failed ("exit 128: auth required")`, or `git failed` without a reason.
    public var rootDescription: String {
        guard let reason, !reason.isEmpty else { return "\(root) failed" }
        return "\(root) failed (\(goQuoted(reason)))"
    }

    /// `git -> repo-setup -> claude`; in the compact form only the link, e.g. `repo-setup`.
    public var chainDescription: String { chain.isEmpty ? (via ?? root) : chain.joined(separator: " -> ") }

    /// The cause extended by one more unit at the end of the chain.
    public func extended(to unit: String) -> FailureCause {
        FailureCause(root: root, reason: reason, chain: (chain.isEmpty ? [root] : chain) + [unit])
    }

    public static func == (lhs: FailureCause, rhs: FailureCause) -> Bool {
        sameBytes(lhs.root, rhs.root) && lhs.reason == rhs.reason && sameBytes(lhs.via, rhs.via)
            && lhs.chain.map { UnitKey($0) } == rhs.chain.map { UnitKey($0) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(UnitKey(root))
        hasher.combine(reason)
        hasher.combine(via.map { UnitKey($0) })
        hasher.combine(chain.map { UnitKey($0) })
    }
}
