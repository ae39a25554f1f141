import SyncCore

/// Version of the wire protocol; see docs/PROTOCOL.md.
public enum ProtocolVersion {
    /// The version this build speaks: 2 added the `noted` and `readiness` event kinds and a unit's `note` and
    /// `readiness` fields; 3 the subscription's `store` push (``StoreReachability``), an event push's `origin` and a
    /// snapshot's `changed_by` on a shared store, and a subscription's snapshot pushed again after the agent reloaded
    /// its shared store.
    public static let current: Int64 = 3
    /// Versions the agent accepts in `hello`. It serves each connection in the version its `hello` named, and never
    /// sends a client an event kind or a field that its version does not have (see `ProtocolVersion+Visibility`).
    public static let supported: [Int64] = [1, 2, 3]
    /// Largest frame (one JSON line, without its newline) either side accepts: 1 MiB.
    public static let maxFrameBytes = 1 << 20
    /// The product's version, shown by `--version` and in `hello`.
    public static let productVersion = "0.1.0"
}

extension ErrorCode {
    /// The frame is not valid JSON (or not UTF-8).
    public static let badFrame = ErrorCode("bad_frame")
    /// The frame is JSON but not a valid request: missing or mistyped field, unknown field.
    public static let badRequest = ErrorCode("bad_request")
    /// The request's `type` is not one the agent knows.
    public static let unknownType = ErrorCode("unknown_type")
    /// The first request on a connection must be `hello`.
    public static let helloRequired = ErrorCode("hello_required")
    /// `hello` asked for a protocol version the agent does not speak. The agent closes the connection.
    public static let unsupportedVersion = ErrorCode("unsupported_version")
    /// A frame exceeded ``ProtocolVersion/maxFrameBytes``. The agent closes the connection.
    public static let frameTooLarge = ErrorCode("frame_too_large")
    /// The request's id is already in use by a request still in flight on this connection.
    public static let duplicateID = ErrorCode("duplicate_id")
    /// `cancel` named a request that is not in flight.
    public static let unknownRequest = ErrorCode("unknown_request")
    /// A subscriber fell too far behind the event stream and was dropped; it may subscribe again with `since`.
    public static let tooSlow = ErrorCode("too_slow")
    /// The agent is shutting down.
    public static let shuttingDown = ErrorCode("shutting_down")
    /// The connecting process runs as a user the agent does not serve (only its own user and root). The agent
    /// closes the connection.
    public static let permissionDenied = ErrorCode("permission_denied")
    /// The journal cannot be written (disk full, read-only, I/O error): the change was not made, and the agent
    /// refuses changes until a write succeeds again. Reads keep working.
    public static let journalUnavailable = ErrorCode("journal_unavailable")
    /// The shared store (`sync-agent --store postgres://…`) cannot be reached: the change was not acknowledged, and
    /// the agent refuses changes until it reaches the store again. Reads keep working, from the agent's last copy.
    public static let storeUnavailable = ErrorCode("store_unavailable")
    /// The client side could not reach the agent, or lost it (never sent by the agent).
    public static let unreachable = ErrorCode("unreachable")
    /// The client cannot read a reply or a push of the agent: a field is missing or has the wrong type, or the
    /// request has no such push (never sent by the agent). The request it belonged to fails with it.
    public static let badReply = ErrorCode("bad_reply")
}
