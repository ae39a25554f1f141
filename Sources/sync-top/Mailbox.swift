import SyncClient
import SyncTop

/// Where the feed (any thread) leaves inputs for the thread that owns the terminal (see ``WakeQueue``).
typealias Mailbox = WakeQueue<DashboardInput>
