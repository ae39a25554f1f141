import SyncCore

/// Encodes the replies a release sends by the thousand straight into a frame, without building the `JSON` value
/// first: a `complete` that releases 10,000 parked `start`s answers each of them in the same step, and the `JSON`
/// tree of each answer (its objects, arrays and strings, made and freed) was a fifth of the agent's instructions.
/// The counterpart of ``EventLineEncoder`` for replies.
///
/// The contract: ``startReply(id:_:)`` returns exactly `ServerMessage.ok(id, .start(info)).frame`, the compact JSON
/// and its newline, for every `StartInfo`.
package enum ReplyLineEncoder {
    /// The frame of a successful `start`: `{"id":…,"ok":true,"result":{"unit":…,…}}` and a newline.
    package static func startReply(id: Int64, _ info: StartInfo) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(
            96 + info.unit.utf8.count + (info.dependencies.count + info.unsatisfiedAtStart.count) * 16)
        out.appendLiteral("{\"id\":")
        out.appendDecimal(id)
        out.appendLiteral(",\"ok\":true,\"result\":{\"unit\":")
        JSON.writeString(info.unit, to: &out)
        out.appendLiteral(",\"dependencies\":")
        strings(info.dependencies, &out)
        out.appendLiteral(",\"unsatisfied_at_start\":")
        strings(info.unsatisfiedAtStart, &out)
        out.appendLiteral(info.waited ? ",\"waited\":true}}\n" : ",\"waited\":false}}\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// `["a","b"]`, or `[]`.
    private static func strings(_ values: [String], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSON.writeString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
