import SyncCore

/// An error as it travels in a reply: `{"code":"...","message":"...","cause":{...}}`.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// For `dependency_failed` and `unit_failed`.
    public var cause: FailureCause?
    /// The request the error answers, when known (a frame that is not JSON has none).
    public var requestID: Int64?

    public init(_ code: ErrorCode, _ message: String, cause: FailureCause? = nil, requestID: Int64? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.requestID = requestID
    }

    public init(_ error: SyncError) {
        self.init(error.code, error.message, cause: error.cause)
    }

    public var description: String { message }

    public var json: JSON {
        var pairs: [(String, JSON)] = [("code", .string(code.rawValue)), ("message", .string(message))]
        if let cause { pairs.append(("cause", cause.json)) }
        return .object(pairs)
    }

    public init(json: JSON, requestID: Int64?) {
        self.init(
            ErrorCode(json["code"]?.stringValue ?? "internal"), json["message"]?.stringValue ?? "unknown error",
            cause: json["cause"].flatMap(FailureCause.init(json:)), requestID: requestID)
    }
}
