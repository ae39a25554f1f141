import NIOCore
import PostgresNIO
import SyncCore
import SyncServer

/// An agent that fell behind the workspace's retention reads it back without a restart (see
/// ``SharedEventStore/reload(on:)``), and which agent stored each recent event.
extension PostgresEventStore {
    package func origin(ofEvent sequence: UInt64) -> String? {
        origins.withLock { $0.origin(ofEvent: sequence) }
    }

    /// Reads the snapshot and the events after it in one read-only transaction, as ``load()`` does, checks them,
    /// and takes them as the mirror (and the units' origins); no lock, nothing written.
    package func reload(on loop: any EventLoop) -> EventLoopFuture<StoredState> {
        storeLoop.flatSubmit { () -> EventLoopFuture<StoredState> in
            guard !self.closed else {
                return self.storeLoop.makeFailedFuture(StoreFailure(description: "store \(self.location) is closed"))
            }
            let behind = self.head
            return self.withConnection { self.readState($0) }.map { state in
                self.adopt(state)
                self.unacknowledged = nil
                self.logger.notice(
                    "shared workspace reloaded: this agent was behind its retention",
                    metadata: [
                        "store": "\(self.location)", "was at": "\(behind)", "snapshot": "\(self.snapshotSequence)",
                        "sequence": "\(state.sequence)", "events": "\(state.events.count)",
                    ])
                return state
            }.flatMapErrorThrowing { error in
                if error is StoreFailure { throw error }
                throw StoreFailure(description: "cannot reload store \(self.location): \(Self.reason(error))")
            }
        }.hop(to: loop)
    }
}
