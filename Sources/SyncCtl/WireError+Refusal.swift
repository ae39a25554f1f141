import SyncProtocol

extension WireError {
    /// The agent refused a change only until it can store changes again: its shared store cannot be reached
    /// (`store_unavailable`) or its journal cannot be written (`journal_unavailable`). Nothing was recorded, so
    /// asking again later is safe, and a completion that stands for a fact (a service became ready) should be.
    var refusedUntilStored: Bool {
        code == .storeUnavailable || code == .journalUnavailable
    }
}

/// A completion the agent refused for a while (``WireError/refusedUntilStored``), carried out of the connection's
/// error handling so that the command can ask again.
struct RefusedForAWhile: Error {
    var error: WireError
}
