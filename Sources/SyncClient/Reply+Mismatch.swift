import SyncProtocol

extension Reply {
    /// The error for a reply that is not the case named after `request`. ``Reply/init(json:answering:)`` decodes
    /// every reply as its request's own case, so this is only a guard for the callers that take that case apart.
    public func mismatch(_ request: Request.Body) -> WireError {
        WireError(.badReply, "the reply to \(request.type) was decoded as another request's reply: \(json.compact)")
    }
}
