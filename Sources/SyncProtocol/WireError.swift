import SyncCore

/// An error as it travels in a reply: `{"code":"...","message":"...","cause":{...}}`.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// For `dependency_failed` and `unit_failed`.
    public var cause: FailureCause?
    /// The request the error answers, when known (a frame that is not JSON has none).
    public var requestID: Int64?
    /// For `too_slow`: the sequence number of the last event the subscriber was sent; `subscribe` with this `since`
    /// resumes without a gap.
    public var since: UInt64?
    /// For a client's own `unreachable`: the `errno` of the system call that failed (`connect`), so that callers
    /// decide by it rather than by the message's text. Never on the wire.
    public var posixError: Int32?

    public init(
        _ code: ErrorCode, _ message: String, cause: FailureCause? = nil, requestID: Int64? = nil, since: UInt64? = nil,
        posixError: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.requestID = requestID
        self.since = since
        self.posixError = posixError
    }

    public init(_ error: SyncError) {
        self.init(error.code, error.message, cause: error.cause)
    }

    public var description: String { message }

    public var json: JSON {
        var pairs: [(String, JSON)] = [("code", .string(code.rawValue)), ("message", .string(message))]
        if let cause { pairs.append(("cause", cause.json)) }
        if let since { pairs.append(("since", .int(Int64(since)))) }
        return .object(pairs)
    }

    /// Decodes the `error` object of an error reply to request `requestID`.
    /// - Throws: ``WireError`` `bad_reply` when its `code` or `message` is missing or not a string: a caller must
    ///   see that the agent's answer could not be read, not a made-up code or text.
    public init(json: JSON, requestID: Int64?) throws(WireError) {
        guard let code = json["code"]?.stringValue, let message = json["message"]?.stringValue else {
            throw WireError(
                .badReply, "an error reply needs a string \"code\" and \"message\", got \(json.compact)",
                requestID: requestID)
        }
        self.init(
            ErrorCode(code), message, cause: json["cause"].flatMap(FailureCause.init(json:)), requestID: requestID,
            since: json["since"]?.int64Value.flatMap { $0 >= 0 ? UInt64($0) : nil })
    }
}
