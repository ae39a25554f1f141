/// The tables of the PostgreSQL store, in the schema `sync_agent` of the database the URL names, and how the agent
/// creates and migrates them (docs/MULTI-HOST.md shows them).
///
/// `sync_agent.schema_version` holds one row, the version of the tables. An agent migrates in one transaction that
/// first takes a transaction-level advisory lock (``lockClass``, 0), so agents starting together migrate one after
/// the other: each step of ``migrations`` past the stored version runs, then the version is set, then the
/// transaction commits (a failure leaves the tables as they were). A database migrated by a newer agent (a version
/// this agent does not know) is refused with a message saying to upgrade.
///
/// Version 1:
/// - `workspaces`: one row per workspace: `id` (the key of its rows and of its advisory lock), `name`, `instance`
///   (the history's name that hello reports), `head` (the sequence number of the last stored event: every append
///   moves it, and only from the number the agent expects, so two writers cannot both append after the same event).
/// - `events`: the workspace's events, `PRIMARY KEY (workspace, seq)`, the event's compact JSON as the agent streams
///   it, and `origin` (which agent wrote it: host and pid).
/// - `snapshots`: at most one per workspace: the graph as of `seq`, written by the change that makes one due
///   (``SharedRetention``), which also deletes the events too far behind it (those kept are the timeline).
package enum PostgresSchema {
    /// The class of the agent's advisory locks (`pg_advisory_lock(lockClass, workspace id)`): "SYNC" in ASCII.
    package static let lockClass: Int32 = 0x5359_4E43

    /// The statements of each version, in order; index 0 makes version 1.
    package static let migrations: [[String]] = [
        [
            """
            CREATE TABLE sync_agent.workspaces (
                id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                instance text NOT NULL,
                head bigint NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE sync_agent.events (
                workspace integer NOT NULL REFERENCES sync_agent.workspaces (id),
                seq bigint NOT NULL,
                event json NOT NULL,
                origin text NOT NULL,
                PRIMARY KEY (workspace, seq)
            )
            """,
            """
            CREATE TABLE sync_agent.snapshots (
                workspace integer PRIMARY KEY REFERENCES sync_agent.workspaces (id),
                seq bigint NOT NULL,
                snapshot json NOT NULL,
                taken_at timestamptz NOT NULL DEFAULT now()
            )
            """,
        ]
    ]

    /// The version this agent writes.
    package static var latestVersion: Int { migrations.count }

    /// What runs before the version is read, inside the migration's transaction.
    static let prelude = [
        "SELECT pg_advisory_xact_lock(\(lockClass), 0)",
        "CREATE SCHEMA IF NOT EXISTS sync_agent",
        "CREATE TABLE IF NOT EXISTS sync_agent.schema_version (version integer NOT NULL)",
    ]
}
