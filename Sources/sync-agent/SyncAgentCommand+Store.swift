import ArgumentParser
import Logging
import SyncOS
import SyncPostgres
import SyncServer

/// `--store` and `--workspace`: the graph kept in PostgreSQL instead of the journal file (docs/MULTI-HOST.md).
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

    static let defaultWorkspace = "default"

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
            return
        }
        do {
            _ = try PostgresAddress(url: url)
        } catch {
            throw ValidationError(error.description)
        }
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
            address: address, workspace: workspaceName(), password: password, clock: SystemClock.now, logger: logger)
    }
}
