/// A catch-up or change of a ``SharedEventStore`` found that the events after the agent's last one are no longer
/// stored (the store's retention deleted them while the agent was cut off): the agent reloads the workspace with
/// ``SharedEventStore/reload(on:)`` (see `AgentCore+Resync.swift`).
package struct SharedStoreGap: Error, Sendable, CustomStringConvertible {
    /// The event the agent needed next.
    package var expected: UInt64
    /// The oldest event the store holds after the agent's last one.
    package var found: UInt64
    /// The store, for messages.
    package var location: String

    package init(expected: UInt64, found: UInt64, location: String) {
        self.expected = expected
        self.found = found
        self.location = location
    }

    package var description: String {
        "store \(location) holds event \(found) where this agent expected event \(expected) (the store's retention "
            + "deleted the events between while the agent was behind); the agent reloads the workspace's snapshot"
    }
}
