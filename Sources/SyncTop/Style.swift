import SyncCore

/// What a cell shows, by meaning; the terminal layer maps roles to colours (or to nothing without colour).
public enum Role: Sendable, Hashable, CaseIterable {
    case normal
    /// Titles and the header bar.
    case header
    /// Secondary text: labels, rules, hints.
    case dim
    /// Emphasis that is not a status: the active tab, the filter, the critical path.
    case accent
    /// Warnings in the header: reconnecting, stale, paused.
    case warning
    case pending, started, completed, failed, skipped
    /// A dependency nobody registered.
    case unregistered

    /// The role of a status (`nil` = not registered).
    public static func status(_ status: UnitStatus?) -> Role {
        switch status {
        case .pending: .pending
        case .started: .started
        case .completed: .completed
        case .failed: .failed
        case .skipped: .skipped
        case nil: .unregistered
        }
    }
}

/// How a cell is drawn: a role plus attributes that work without colour.
public struct Style: Sendable, Hashable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: Role = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let normal = Style()
    public static let dim = Style(.dim)
    public static let header = Style(.header, bold: true)

    /// The same style, reversed (the selection).
    public var reversed: Style {
        var copy = self
        copy.reverse = true
        return copy
    }
}
