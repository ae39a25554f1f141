@preconcurrency import Glibc
import SyncOS

/// The PostgreSQL server of the `shared` group: the one `--store URL` names, else a private one this run starts as
/// the tests do (`initdb` into a temporary directory, `postgres` on a private Unix socket directory, no TCP, run as
/// the user `postgres` through `setpriv` when the bench runs as root). Unlike the tests' server it keeps
/// PostgreSQL's durability settings (`fsync`, `synchronous_commit` on): a change is acknowledged once the server
/// flushed its commit, as in production.
final class BenchPostgres {
    /// The URL agents are given (`--store`).
    let url: String
    private var pid: pid_t?
    private var root: String?

    /// Uses the server at `url`.
    init(url: String) {
        self.url = url
    }

    /// Starts a private server and returns once it accepts connections.
    /// - Throws: what to install when PostgreSQL (or the `postgres` user, as root) is missing, or the server's log.
    init() throws(BenchError) {
        let binaries = try Self.findBinaries()
        var owner: (uid: uid_t, gid: gid_t)?
        var user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "postgres"
        if geteuid() == 0 {
            guard let entry = getpwnam("postgres") else {
                throw BenchError(
                    "the shared group needs PostgreSQL, which refuses to run as root, and there is no user postgres: "
                        + "install the Debian package postgresql, pass --store URL, or leave the group out (--only)")
            }
            owner = (entry.pointee.pw_uid, entry.pointee.pw_gid)
            user = "postgres"
        }
        let root = try Syscalls.makeTemporaryDirectory(prefix: "sbench-pg")
        self.root = root
        url = "postgres:///postgres?host=\(root)/socket&user=\(user)"
        chmod(root, 0o700)
        mkdir(root + "/socket", 0o700)
        if let owner {
            chown(root, owner.uid, owner.gid)
            chown(root + "/socket", owner.uid, owner.gid)
        }
        func asUser(_ command: [String]) -> (String, [String]) {
            guard let owner else { return (command[0], Array(command.dropFirst())) }
            return (
                "/usr/bin/setpriv", ["--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--init-groups", "--"] + command
            )
        }
        let (initdb, initArguments) = asUser([
            binaries + "/initdb", "-D", root + "/data", "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C",
            "--no-instructions",
        ])
        let log = root + "/server.log"
        let initPid = try Spawn.start(initdb, initArguments, stdout: .file(log), stderr: .file(log))
        guard Spawn.wait(initPid) == 0 else {
            let output = Syscalls.readFile(log) ?? ""
            stop()
            throw BenchError("initdb into \(root)/data failed: \(output)")
        }
        let (postgres, arguments) = asUser([
            binaries + "/postgres", "-D", root + "/data", "-k", root + "/socket", "-c", "listen_addresses=",
            "-c", "max_connections=20",
        ])
        pid = try Spawn.start(postgres, arguments, stderr: .file(log))
        let deadline = Syscalls.nanos() + 30_000_000_000
        while !(Syscalls.readFile(log) ?? "").contains("ready to accept connections") {
            guard Syscalls.nanos() < deadline, let pid, kill(pid, 0) == 0 else {
                let output = Syscalls.readFile(log) ?? ""
                stop()
                throw BenchError("PostgreSQL did not start within 30 s: \(output)")
            }
            Syscalls.sleep(seconds: 0.01)
        }
    }

    deinit { stop() }

    /// Stops a server this run started (fast shutdown) and removes its directory; nothing for a given one.
    func stop() {
        if let pid {
            kill(pid, SIGINT)
            Spawn.wait(pid)
            self.pid = nil
        }
        if let root, let rm = try? Spawn.start("/bin/rm", ["-rf", root]) {
            Spawn.wait(rm)
            self.root = nil
        }
    }

    /// The newest `/usr/lib/postgresql/*/bin` (Debian keeps the server off PATH), else PATH: the first holding
    /// `initdb` and `postgres`.
    private static func findBinaries() throws(BenchError) -> String {
        var candidates: [String] = []
        if let directory = opendir("/usr/lib/postgresql") {
            var versions: [Int] = []
            while let entry = readdir(directory) {
                if let version = Int(DirectoryEntry.name(entry)) { versions.append(version) }
            }
            closedir(directory)
            candidates += versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        }
        if let initdb = Spawn.which("initdb") { candidates.append(String(initdb.dropLast("/initdb".count))) }
        let found = candidates.first { access($0 + "/initdb", X_OK) == 0 && access($0 + "/postgres", X_OK) == 0 }
        guard let found else {
            throw BenchError(
                "the shared group needs PostgreSQL's initdb and postgres (/usr/lib/postgresql/*/bin or PATH): "
                    + "install the Debian package postgresql, pass --store URL, or leave the group out (--only)")
        }
        return found
    }
}
