import SyncClient
import SyncTop
import Synchronization

/// Where the feed (any thread) leaves inputs for the thread that owns the terminal (see ``WakeQueue``).
typealias Mailbox = WakeQueue<DashboardInput>

extension WakeQueue where Element == DashboardInput {
    /// Lets SIGINT/SIGTERM handlers wake this mailbox's owner.
    func installForSignals() { mailboxSignalWakeFD.store(writeFD, ordering: .releasing) }
}

/// The write end signal handlers use to wake the loop; -1 when no mailbox is installed (a global, since a handler
/// captures nothing).
let mailboxSignalWakeFD = Atomic<Int32>(-1)
