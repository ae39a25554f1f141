@preconcurrency import Glibc

/// The process environment, read where it is needed (socket path, terminal, `PATH`), so that lookups have one
/// spelling and tests can pass their own lookup instead.
public enum Environment {
    /// A lookup of one variable: its value, or `nil` when it is not set.
    public typealias Lookup = @Sendable (String) -> String?

    /// The value of the variable `name` in this process's environment, or `nil` when it is not set.
    @Sendable public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
