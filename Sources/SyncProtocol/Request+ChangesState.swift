extension Request.Body {
    /// Whether the request may change the graph: register a unit, add a dependency, change a status or a note.
    /// Such a change must be in the journal before it is acknowledged, so the agent refuses these requests while it
    /// cannot write its journal. The others only read the graph, or begin and end waits, which the journal does not
    /// need.
    ///
    /// The switch names every request, so a new one does not compile until it says which it is.
    public var changesState: Bool {
        switch self {
        case .want, .start, .complete, .fail, .note, .readiness:
            return true
        case .hello, .ping, .status, .list, .wait, .cancel, .snapshot, .subscribe, .history:
            return false
        }
    }
}
