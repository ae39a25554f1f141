import ArgumentParser
import Logging
import SyncCore
import SyncOS
import SyncPostgres
import SyncServer

/// `--store`, `--workspace` and `--retention`: the graph kept in PostgreSQL instead of the journal file
/// (docs/MULTI-HOST.md).
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep the graph in PostgreSQL instead of the journal file: postgres://USER@HOST:PORT/DB, or "
                + "postgres:///DB?host=/socket/dir&user=USER (default: $SYNC_AGENT_STORE). No password in the URL: "
                + "PGPASSWORD or ~/.pgpass (PGPASSFILE). TLS over TCP as libpq: ?sslmode=verify-full&sslrootcert=CA.pem "
                + "(prefer by default; also sslcert, sslkey).",
            valueName: "url"))
    var store: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The workspace in the store: one graph each, served by every agent naming it (default: "
                + "$SYNC_AGENT_WORKSPACE, else default).",
            valueName: "name"))
    var workspace: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Events the workspace keeps behind its snapshot; a snapshot is written every twice as many events "
                + "(default: $SYNC_AGENT_RETENTION, else 10000; 1 to 100000000). An agent cut off for longer reloads "
                + "the snapshot by itself.",
            valueName: "events"))
    var retention: String?

    static let defaultWorkspace = "default"
    /// The largest `--retention`: beyond it the events table, not the snapshot, would be what a new agent reads.
    static let maxRetention = 100_000_000

    /// The store URL: `--store`, else `SYNC_AGENT_STORE` unless the command line chose a journal file or
    /// `--ephemeral`.
    func url(journalChosen: Bool, environment: Environment.Lookup = Environment.value) -> String? {
        if let store { return store }
        guard !journalChosen, let value = environment("SYNC_AGENT_STORE"), !value.isEmpty else { return nil }
        return value
    }

    func workspaceName(environment: Environment.Lookup = Environment.value) -> String {
        workspace ?? environment("SYNC_AGENT_WORKSPACE").flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultWorkspace
    }

    /// Checks the flags together with the journal's; the URL is read here so that a bad one (or one with a
    /// password) is a usage error.
    func validate(journalChosen: Bool) throws {
        if store != nil && journalChosen {
            throw ValidationError("--store excludes --ephemeral and --state-file")
        }
        guard let url = url(journalChosen: journalChosen) else {
            if workspace != nil { throw ValidationError("--workspace needs --store (or SYNC_AGENT_STORE)") }
            if retention != nil {
                throw ValidationError(
                    "--retention needs --store (or SYNC_AGENT_STORE): the journal file is compacted by itself")
            }
            return
        }
        do {
            _ = try PostgresAddress(url: url)
        } catch {
            throw ValidationError(error.description)
        }
        _ = try sharedRetention()
        let name = workspaceName()
        guard !name.isEmpty, name.utf8.count <= 200,
            name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw ValidationError("workspace name must be 1 to 200 bytes without control characters")
        }
    }

    /// The PostgreSQL store the flags name, or `nil` for the journal file.
    func eventStore(journalChosen: Bool, logger: Logger) throws -> (any EventStore)? {
        guard let url = url(journalChosen: journalChosen) else { return nil }
        let address = try PostgresAddress(url: url)
        let (password, warning) = PostgresPassfile.password(for: address)
        if let warning { logger.warning("\(warning)") }
        return PostgresEventStore(
            address: address, workspace: workspaceName(), password: password, clock: SystemClock.now, logger: logger,
            retention: try sharedRetention())
    }

    /// What `--retention` (else `SYNC_AGENT_RETENTION`) asks for: N events kept behind the snapshot, a snapshot
    /// every 2N; the standard 10,000 and 20,000 without either.
    /// - Throws: a usage error naming the value and the range when it is not a whole number from 1 to
    ///   ``maxRetention``.
    func sharedRetention(environment: Environment.Lookup = Environment.value) throws -> SharedRetention {
        let (value, source): (String?, String) =
            retention.map { ($0, "--retention") }
            ?? (environment("SYNC_AGENT_RETENTION").flatMap { $0.isEmpty ? nil : $0 }, "SYNC_AGENT_RETENTION")
        guard let value else { return .standard }
        guard let kept = Int(value), (1...Self.maxRetention).contains(kept) else {
            throw ValidationError(
                "\(source) must be a whole number of events from 1 to \(Self.maxRetention) (the events a workspace "
                    + "keeps behind its snapshot), not \(goQuoted(value))")
        }
        return SharedRetention(snapshotEvery: 2 * kept, keptEvents: kept)
    }
}
