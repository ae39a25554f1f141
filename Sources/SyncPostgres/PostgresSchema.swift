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
///
/// Version 2 adds the functions a change calls, so that a change costs two round trips to the server, not six:
/// - `lock_and_read(workspace, after, hold_ms)`: takes the workspace's session-level advisory lock, sets the
///   session's `idle_session_timeout` to `hold_ms` while it holds it (a cut-off agent's session, and the lock with
///   it, ends then), waits for the previous holder's commit (`append` releases the lock just before its
///   transaction commits; its update of `head` holds the workspace's row until then, and `FOR SHARE` waits for it),
///   then returns the events after `after`. Each statement of a PL/pgSQL function under READ COMMITTED takes a new
///   snapshot, so the events read are those committed once the lock is held (one SQL statement would read with a
///   snapshot taken before it waited).
/// - `append(workspace, expected, last, seqs, events, origin, channel, payload)`: moves `head` from `expected` to
///   `last` and inserts the events only when `head` was `expected` (else returns 0 and stores nothing), `NOTIFY`s
///   `channel` (sent once the transaction commits), then releases the lock and restores `idle_session_timeout`.
///   Called alone, it is one transaction that commits with the statement.
/// - `end_change()`: releases the lock and restores `idle_session_timeout` (a change that stored nothing, or one
///   whose append failed).
///
/// Version 3 adds the append of a change that needs no read, so that it costs one round trip (the settle of a
/// parked start that another agent's notification made ready, worked out from the events the notification
/// carried):
/// - `append_if_head(workspace, expected, last, seqs, events, origin, channel, payload)`: takes the workspace's lock
///   for its transaction (`pg_advisory_xact_lock`, the same key: it waits for a change that holds it), then does
///   what `append` does when `head` is `expected` (its `UPDATE` waits for the previous holder's commit and checks
///   `head` against it), else stores nothing and returns 0. One statement, one transaction; the lock goes with its
///   commit.
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
        ],
        [
            """
            CREATE FUNCTION sync_agent.lock_and_read(p_workspace integer, p_after bigint, p_hold_ms integer)
            RETURNS TABLE (event_seq bigint, event_text text, event_origin text)
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_lock(\(lockClass), p_workspace);
                PERFORM set_config('idle_session_timeout', p_hold_ms::text, false);
                PERFORM 1 FROM sync_agent.workspaces w WHERE w.id = p_workspace FOR SHARE;
                RETURN QUERY SELECT e.seq, e.event::text, e.origin FROM sync_agent.events e
                    WHERE e.workspace = p_workspace AND e.seq > p_after ORDER BY e.seq;
            END
            $$
            """,
            """
            CREATE FUNCTION sync_agent.end_change() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_unlock_all();
                RESET idle_session_timeout;
            END
            $$
            """,
            appendFunction("append", after: "PERFORM sync_agent.end_change();"),
        ],
        [
            appendFunction("append_if_head", before: "PERFORM pg_advisory_xact_lock(\(lockClass), p_workspace);")
        ],
    ]

    /// `append` (version 2) and `append_if_head` (version 3): moves `head` from `p_expected` to `p_last` and inserts
    /// the events only when `head` was `p_expected` (else returns 0), and `NOTIFY`s; `before` and `after` run around
    /// that.
    private static func appendFunction(_ name: String, before: String = "", after: String = "") -> String {
        """
        CREATE FUNCTION sync_agent.\(name)(
            p_workspace integer, p_expected bigint, p_last bigint, p_seqs bigint[], p_events text[],
            p_origin text, p_channel text, p_payload text
        ) RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            inserted bigint := 0;
        BEGIN
            \(before)
            UPDATE sync_agent.workspaces SET head = p_last WHERE id = p_workspace AND head = p_expected;
            IF FOUND THEN
                INSERT INTO sync_agent.events (workspace, seq, event, origin)
                SELECT p_workspace, e.seq, e.event::json, p_origin FROM unnest(p_seqs, p_events) AS e (seq, event);
                GET DIAGNOSTICS inserted = ROW_COUNT;
                PERFORM pg_notify(p_channel, p_payload);
            END IF;
            \(after)
            RETURN inserted;
        END
        $$
        """
    }

    /// The version this agent writes.
    package static var latestVersion: Int { migrations.count }

    /// What runs before the version is read, inside the migration's transaction.
    static let prelude = [
        "SELECT pg_advisory_xact_lock(\(lockClass), 0)",
        "CREATE SCHEMA IF NOT EXISTS sync_agent",
        "CREATE TABLE IF NOT EXISTS sync_agent.schema_version (version integer NOT NULL)",
    ]
}
