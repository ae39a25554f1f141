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

/// Why a unit cannot run: the unit that failed at the root, the reason it gave, and the chain of dependencies from
/// that root to the unit concerned (`["git", "repo-setup", "claude"]`).
public struct FailureCause: Sendable, Hashable {
    /// The unit whose `fail` started it all.
    public var root: String
    /// The reason given to `fail`, if any.
    public var reason: String?
    /// From the root to the affected unit, inclusive at both ends.
    public var chain: [String]

    public init(root: String, reason: String?, chain: [String]) {
        self.root = root
        self.reason = reason
        self.chain = chain
    }

    /// `git failed ("exit 128: auth required")`, or `git failed` without a reason.
    public var rootDescription: String {
        guard let reason, !reason.isEmpty else { return "\(root) failed" }
        return "\(root) failed (\(goQuoted(reason)))"
    }

    /// `git -> repo-setup -> claude`.
    public var chainDescription: String { chain.joined(separator: " -> ") }

    /// The cause extended by one more unit at the end of the chain.
    public func extended(to unit: String) -> FailureCause {
        FailureCause(root: root, reason: reason, chain: chain + [unit])
    }
}
