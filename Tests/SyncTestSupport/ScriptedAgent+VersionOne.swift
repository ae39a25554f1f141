import SyncProtocol

extension ScriptedAgent {
    /// The version of the agent ``versionOne()`` plays.
    public static let oldAgentVersion = "0.0.9"
    /// Its pid, as its hello says.
    public static let oldAgentPID: Int64 = 4242

    /// An agent from before protocol version 2, as it answered: fields it does not know refused (`bad_request`,
    /// `client_version` among them), a hello of another version refused (`unsupported_version`), a request type it
    /// does not know answered `unknown_type`, every other request `{}`.
    public static func versionOne() throws -> ScriptedAgent {
        try ScriptedAgent(answersHello: false) { id, request in
            let known: Set<String> = ["id", "type", "version", "client"]
            if request["type"] == "hello" {
                guard case .object(let pairs) = request else { return [hangUp] }
                if let unknown = pairs.map(\.0).first(where: { !known.contains($0) }) {
                    return [
                        #"{"id":\#(id),"ok":false,"error":{"code":"bad_request","message":"unknown field \"\#(unknown)\""}}"#
                    ]
                }
                guard request["version"] == .int(1) else {
                    return [
                        #"{"id":\#(id),"ok":false,"error":{"code":"unsupported_version","message":"protocol version "#
                            + #"\#(request["version"]?.compact ?? "?") is not supported; this agent (sync-agent "#
                            + #"\#(oldAgentVersion)) speaks 1. Use a matching syncctl"}}"#, hangUp,
                    ]
                }
                let hello = HelloInfo(
                    version: 1, agentVersion: oldAgentVersion, pid: oldAgentPID, maxFrameBytes: 1 << 20,
                    instance: "old")
                return [ServerMessage.ok(id, .hello(hello)).json.compact]
            }
            guard let type = request["type"]?.stringValue, ["note", "readiness"].contains(type) else {
                return [#"{"id":\#(id),"ok":true,"result":{}}"#]
            }
            return [
                #"{"id":\#(id),"ok":false,"error":{"code":"unknown_type","message":"unknown request type \"\#(type)\""}}"#
            ]
        }
    }
}
