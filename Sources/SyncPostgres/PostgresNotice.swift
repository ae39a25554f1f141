import SyncServer

/// The payload of a workspace's notification (the `NOTIFY` that ends every change a ``PostgresEventStore`` stores):
/// which store sent it and, when they fit, the events the change stored, so that the other agents apply them
/// without reading them back (``PostgresEventStore/notifiedEvents(after:)``).
///
/// Lines: the sender (``PostgresEventStore/notificationPayload``: the agent's origin, ` #`, a random number); the
/// sequence number before the first event; each event's compact JSON (which never holds a line break), as stored.
/// Only the sender when there are no events or they would take the payload past ``maxBytes`` (PostgreSQL refuses a
/// payload of 8,000 bytes or more): the receivers then read the store, as they do for the payload of a version-2
/// agent, which is only its sender.
struct PostgresNotice: Sendable {
    /// The longest payload sent, in UTF-8 bytes: below PostgreSQL's limit of 8,000, with room for a conversion to
    /// the database's encoding.
    static let maxBytes = 7_000

    /// The sending store's ``PostgresEventStore/notificationPayload``.
    var sender: String
    /// The events the change stored, in order; `nil` when the notification does not carry them.
    var events: [EncodedEvent]?

    /// The payload announcing `events` from `sender`.
    static func payload(sender: String, events: [EncodedEvent]) -> String {
        guard let first = events.first else { return sender }
        var text = sender + "\n" + String(first.sequence - 1)
        for event in events {
            text += "\n" + event.json
            if text.utf8.count > maxBytes { return sender }
        }
        return text
    }

    /// Reads a payload; one that does not announce events in this form is only a sender.
    init(payload: String) {
        let lines = payload.split(separator: "\n", omittingEmptySubsequences: false)
        sender = String(lines[0])
        guard lines.count >= 3, let before = UInt64(lines[1]) else { return }
        events = lines.dropFirst(2).enumerated().map { index, json in
            EncodedEvent(sequence: before + 1 + UInt64(index), json: String(json))
        }
    }

    /// The agent that sent it (``PostgresEventStore/origin``): the sender without its random number.
    var origin: String {
        guard let hash = sender.lastIndex(of: "#"), hash > sender.startIndex,
            sender[sender.index(before: hash)] == " "
        else { return sender }
        return String(sender[..<sender.index(before: hash)])
    }
}
