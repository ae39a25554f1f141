import SyncCore
import SyncProtocol

extension GraphExport {
    /// `{"units": [...], "edges": [...]}`, both sorted, in the field names of `list` and `status`; an unregistered
    /// unit's status is `""`.
    public var json: JSON {
        let units = nodes.map { node in
            JSON.object([
                ("unit_name", .string(node.name)), ("status", .string(node.status.wireValue)),
                ("is_ready", .bool(node.isReady)), ("reason", .optional(node.reason)),
                ("cause", node.cause?.json ?? .null),
            ])
        }
        let edges = edges.map { edge in
            let current = node(edge.dependsOn)?.status
            return JSON.object([
                ("unit_name", .string(edge.unit)), ("depends_on", .string(edge.dependsOn)),
                ("required_status", .string(edge.required.rawValue)), ("current_status", .string(current.wireValue)),
                ("is_satisfied", .bool(current == edge.required)),
            ])
        }
        return .object([("units", .array(units)), ("edges", .array(edges))])
    }
}
