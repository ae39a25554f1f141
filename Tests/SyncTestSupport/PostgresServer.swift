import Foundation
import SyncOS
import Synchronization

/// A throwaway PostgreSQL server for tests: `initdb` into a temporary directory, then `postgres` listening on a
/// private Unix socket directory (and on a free loopback TCP port when asked, else no TCP), with the environment the
/// test gives it (such as `NOTIFY_SOCKET`).
///
/// PostgreSQL refuses to run as root, and CI runs the tests as root: there the server runs as the user `postgres`
/// (which Debian's package creates) through `setpriv`, which changes the user and execs, so the process the test
/// holds is the postmaster itself and a signal to it reaches the server; its environment passes unchanged (no PAM,
/// unlike `runuser` or `su`). Run as another user, the server runs as that user. ``root`` and every directory from
/// ``privateDirectory(_:)`` belong to the server's user, mode 0700.
///
/// Use ``run(environment:_:)``: it starts the server, runs the body and stops the server whatever the body does.
public final class PostgresServer: Sendable {
    /// Why there is no server: what failed and what to install or do.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The folder of `initdb`, `postgres` and `psql`.
    public let binaries: String
    /// The temporary directory holding the cluster (`data`) and the socket directory, owned by ``user``.
    public let root: String
    /// Where the server's socket is (`psql -h`).
    public var socketDirectory: String { root + "/socket" }
    /// The database user, and the system user the server runs as when the tests run as root.
    public let user: String
    /// The server's port: its loopback TCP port with `loopback`, else 5432 (which names the socket file).
    public let port: Int
    /// Whether the server also listens on 127.0.0.1:``port``.
    public let loopback: Bool
    /// The network namespace the server runs in (`/run/netns/NAME`, see `NetworkNamespace`) and the address it
    /// listens on there over TCP (port ``port``, any client trusted), when it runs as a host of its own.
    public let host: (namespace: String, address: String)?
    /// The certificate authority of the server's TLS certificate (a PEM file), when the server speaks TLS: then
    /// its TCP port accepts only TLS connections (see `PostgresServer+TLS.swift`).
    public let certificateAuthority: String?
    private let owner: (uid: uid_t, gid: gid_t)?
    private let server = Mutex<RunningProcess?>(nil)

    /// Finds the binaries and runs `initdb` (about a second).
    /// - Parameter loopback: also listen on a free TCP port of 127.0.0.1 (trusted, as the socket is).
    /// - Throws: ``Failure`` saying what to install when PostgreSQL or the `postgres` user is missing, or with
    ///   initdb's output when it fails.
    /// - Parameter host: run in this network namespace, listening on this address of it (port 5432).
    /// - Parameter tls: speak TLS on TCP, and only TLS (implies `loopback` when no `host` is given).
    /// - Parameter clientCertificates: with `tls`, accept TCP clients only by a certificate the server's authority
    ///   signed for the user they log in as (``clientCertificate``).
    /// - Parameter certifiedNames: with `tls`, the names the server's certificate holds (`subjectAltName` entries).
    public init(
        loopback: Bool = false, host: (namespace: String, address: String)? = nil, tls: Bool = false,
        clientCertificates: Bool = false, certifiedNames: [String] = ["DNS:localhost", "IP:127.0.0.1"]
    ) async throws {
        binaries = try Self.findBinaries()
        let loopback = loopback || (tls && host == nil)
        self.loopback = loopback
        self.host = host
        port = loopback ? try Self.freeLoopbackPort() : 5432
        if geteuid() == 0 {
            guard let entry = getpwnam("postgres") else {
                throw Failure(
                    description: "PostgreSQL refuses to run as root and there is no user postgres to run it as: "
                        + "install the Debian package postgresql (it creates the user), or run the tests as another user"
                )
            }
            guard FileManager.default.isExecutableFile(atPath: Self.setpriv) else {
                throw Failure(description: "\(Self.setpriv) is missing: install the Debian package util-linux")
            }
            owner = (entry.pointee.pw_uid, entry.pointee.pw_gid)
            user = "postgres"
        } else {
            owner = nil
            user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "postgres"
        }
        root = TemporaryDirectory(prefix: "pg").path
        certificateAuthority = tls ? root + "/tls/ca.crt" : nil
        // Modes set explicitly, whatever the test process's umask (in-process agents used to set it to 0177 while
        // they bound their socket, and a directory made then was 0600, which the server's user cannot enter).
        chmod(root, 0o700)
        try handOver(root)
        try privateDirectory("socket")
        let (program, arguments) = asUser([
            binaries + "/initdb", "-D", root + "/data", "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C",
            "--no-sync", "--no-instructions",
        ])
        let initdb = try await RunningProcess.run(program, arguments)
        guard initdb.status == 0 else {
            let modes = [root, root + "/socket"].map { path -> String in
                var info = stat()
                guard lstat(path, &info) == 0 else { return "\(path): \(String(cString: strerror(errno)))" }
                return "\(path): mode \(String(info.st_mode & 0o7777, radix: 8)), owner \(info.st_uid):\(info.st_gid)"
            }
            remove()
            throw Failure(description: "initdb into \(root)/data failed (\(modes.joined(separator: "; "))), \(initdb)")
        }
        if host != nil, let hba = fopen(root + "/data/pg_hba.conf", "a") {
            fputs("host all all 0.0.0.0/0 trust\n", hba)
            fclose(hba)
        }
        if tls { try await makeCertificates(requiredFromClients: clientCertificates, names: certifiedNames) }
    }

    deinit {
        // A test that never called stop(): ask the server for a fast shutdown at least.
        server.withLock { $0.map { kill($0.pid, SIGINT) } }
    }

    /// Starts the server with `environment` added to the test's own, runs `body`, then stops the server and removes
    /// ``root`` — also when `body` throws.
    /// - Returns: what `body` returns.
    public func run<T: Sendable>(
        environment: [String: String] = [:], _ body: (PostgresServer) async throws -> T
    ) async throws -> T {
        try start(environment: environment)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(self))
        } catch {
            result = .failure(error)
        }
        _ = await stop()
        remove()
        return try result.get()
    }

    /// Starts `postgres` in the background; its log goes to its stderr (``stop()`` returns it). Use
    /// ``waitUntilAcceptingConnections()`` or `NOTIFY_SOCKET` to learn when it is ready.
    public func start(environment: [String: String] = [:]) throws {
        var (program, arguments) = asUser(serverCommand)
        if let host {
            (program, arguments) = (
                "/usr/bin/nsenter", ["--net=/run/netns/\(host.namespace)", "--", program] + arguments
            )
        }
        let process = try RunningProcess(program, arguments, environment: environment)
        server.withLock { $0 = process }
    }

    /// Returns once the server's log says it accepts connections (or the server exited).
    public func waitUntilAcceptingConnections() async {
        await server.withLock { $0 }?.waitForOutput(containing: "ready to accept connections")
    }

    /// The command line of the server in the foreground, the same server ``start(environment:)`` runs, without a
    /// change of user: to run as the server's user inside a command ``asServerUser(_:)`` starts (such as `syncctl
    /// run db … -- COMMAND`).
    public var serverCommand: [String] {
        [
            binaries + "/postgres", "-D", root + "/data", "-k", socketDirectory,
            "-c", "listen_addresses=\(host?.address ?? (loopback ? "127.0.0.1" : ""))", "-p", "\(port)", "-c",
            "fsync=off", "-c",
            "shared_buffers=16MB", "-c", "max_connections=20",
        ] + (certificateAuthority == nil ? [] : tlsSettings)
    }

    /// `command` as the server's user: the program and arguments to spawn (through `setpriv` when the tests run as
    /// root). Programs run so share the server's user, its notify socket and an agent of that user.
    public func asServerUser(_ command: [String]) -> (program: String, arguments: [String]) {
        asUser(command)
    }

    /// Copies the executable at `path` into ``root`` (`root/bin/NAME`, owned by the server's user), where that user
    /// can run it even when the build folder is not open to it. - Returns: the copy's path.
    public func install(_ path: String) throws -> String {
        let directory = root + "/bin"
        if access(directory, F_OK) != 0 { try privateDirectory("bin") }
        let copy = directory + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
        // Copied through close-on-exec descriptors: a child another test spawns meanwhile must not inherit the
        // copy's write end, or exec of the copy fails with "Text file busy" for as long as that child lives
        // (FileManager.copyItem left it inheritable, and a clean-clone CI run failed on it).
        let source = open(path, O_RDONLY | O_CLOEXEC)
        let target = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        defer {
            if source >= 0 { close(source) }
            if target >= 0 { close(target) }
        }
        do {
            guard source >= 0, target >= 0 else { throw Descriptor.Failure(code: errno) }
            while case let chunk = try Descriptor.readSome(source), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try Descriptor.writeAll(target, $0) }
            }
        } catch {
            throw Failure(description: "cannot copy \(path) to \(copy): \(error)")
        }
        chmod(copy, 0o755)
        try handOver(copy)
        return copy
    }

    /// Fast shutdown (SIGINT: open sessions are cut, the server exits within a second or so); SIGQUIT after 10 s and
    /// SIGKILL after 20 s if it still runs. Nil when the server was not running.
    @discardableResult
    public func stop() async -> RunningProcess.Result? {
        let running = server.withLock { state in
            let process = state
            state = nil
            return process
        }
        guard let process = running else { return nil }
        let done = Mutex(false)
        process.signal(SIGINT)
        for (delay, signal) in [(10.0, SIGQUIT), (20.0, SIGKILL)] {
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                if !done.withLock({ $0 }) { process.signal(signal) }
            }
        }
        let result = await process.finish()
        done.withLock { $0 = true }
        return result
    }

    /// Runs `psql` as ``user`` on the server's socket with `arguments` (say `["-tAc", "select 1"]`).
    public func psql(_ arguments: [String]) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            binaries + "/psql",
            ["-h", socketDirectory, "-p", "\(port)", "-U", user, "-d", "postgres", "-X"] + arguments)
    }

    /// Makes `root/name`, mode 0700, owned by the server's user (so a notify socket can go there).
    /// - Returns: its path.
    @discardableResult
    public func privateDirectory(_ name: String) throws -> String {
        let path = root + "/" + name
        guard mkdir(path, 0o700) == 0, chmod(path, 0o700) == 0 else {
            throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        try handOver(path)
        return path
    }

    /// Gives `path` to the server's user (chown; nothing to do when the tests do not run as root), so the server can
    /// write to a socket the test bound there.
    public func handOver(_ path: String) throws {
        guard let owner, chown(path, owner.uid, owner.gid) != 0 else { return }
        throw Failure(description: "cannot give \(path) to user \(user): \(String(cString: strerror(errno)))")
    }

    /// Removes ``root`` and the cluster in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private static let setpriv = "/usr/bin/setpriv"

    /// A TCP port of 127.0.0.1 that nothing listens on now: bound to port 0, read back, released.
    private static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The program and arguments that run `command` as ``user`` (through `setpriv` when the tests run as root) with
    /// umask 077, whatever the test process's is at that moment (a child inheriting a stricter one, as when
    /// in-process agents set 0177 while they bound, makes directories it cannot enter). `sh` execs the command, so its pid is the command's.
    private func asUser(_ command: [String]) -> (String, [String]) {
        let masked = ["/bin/sh", "-c", "umask 077 && exec \"$@\"", "sh"] + command
        guard let owner else { return (masked[0], Array(masked.dropFirst())) }
        return (Self.setpriv, ["--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--init-groups", "--"] + masked)
    }

    /// `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`, else PATH: the first holding both `initdb`
    /// and `postgres` (Debian keeps them off PATH).
    private static func findBinaries() throws -> String {
        let fileManager = FileManager.default
        func holdsServer(_ directory: String) -> Bool {
            ["initdb", "postgres", "psql"].allSatisfy { fileManager.isExecutableFile(atPath: directory + "/" + $0) }
        }
        var candidates: [String] = []
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init)
        if let pgConfig = directories.map({ $0 + "/pg_config" }).first(where: fileManager.isExecutableFile) {
            let pipe = Pipe()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pgConfig)
            process.arguments = ["--bindir"]
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            if (try? process.run()) != nil {
                var output: [UInt8] = []
                while let more = try? Descriptor.readSome(pipe.fileHandleForReading.fileDescriptor), !more.isEmpty {
                    output += more
                }
                process.waitUntilExit()
                candidates.append(
                    String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { Int($0) ?? 0 > Int($1) ?? 0 }.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += directories
        guard let found = candidates.first(where: holdsServer) else {
            throw Failure(
                description: "PostgreSQL's initdb, postgres and psql were not found (pg_config --bindir, "
                    + "/usr/lib/postgresql/*/bin, PATH): install the Debian package postgresql; .ci/run does so")
        }
        return found
    }
}
