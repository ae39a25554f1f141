import Foundation
import SyncProtocol
import SyncTestSupport
import Testing

/// `scripts/install.sh`: release executables that run where no Swift toolchain is, with their completions and man
/// pages. One install into a temporary prefix serves the suite; the installed programs are run with the toolchain
/// hidden (a mount namespace with a tmpfs over /opt/swift, which needs root, as here and in CI).
@Suite("scripts/install.sh", .installedOnce)
struct InstallTests {
    private func installation() throws -> Installation {
        let installation = try #require(Installation.shared)
        try #require(installation.result.status == 0, "\(installation.result)")
        return installation
    }

    @Test func installsTheProgramsCompletionsAndManPagesAndSaysWhere() throws {
        let installation = try installation()
        var files: [String] = []
        for program in Installation.programs {
            files += [
                "bin/\(program)", "share/bash-completion/completions/\(program)",
                "share/zsh/site-functions/_\(program)", "share/fish/vendor_completions.d/\(program).fish",
                "share/man/man1/\(program).1",
            ]
        }
        for file in files.map(installation.path) {
            var info = stat()
            #expect(stat(file, &info) == 0 && info.st_size > 0, "\(file) missing or empty")
            #expect(installation.result.stdout.contains(file), "\(file) not reported:\n\(installation.result.stdout)")
        }
        for program in Installation.programs {
            #expect(access(installation.path("bin/\(program)"), X_OK) == 0)
        }
        #expect(installation.result.stdout.contains("installed into \(installation.prefix):"))
        // The temporary prefix is not on the test's PATH: the script says how to put it there.
        #expect(
            installation.result.stdout.contains("note: \(installation.bin) is not on PATH"), "\(installation.result)")
    }

    @Test func destdirStagesAPackageUnderItsPrefix() async throws {
        _ = try installation()  // the build is done: this run only copies and generates
        let directory = TemporaryDirectory(prefix: "install-stage")
        defer { directory.remove() }
        let result = try await Installation.run(prefix: "/usr", ["--destdir", directory.path])
        #expect(result.status == 0, "\(result)")
        let staged = directory.path + "/usr"
        for file in ["bin/syncctl", "share/man/man1/syncctl.1", "share/zsh/site-functions/_syncctl"] {
            #expect(access(staged + "/" + file, R_OK) == 0, "\(file) not staged:\n\(result.stdout)")
        }
        #expect(result.stdout.contains("installed into \(staged):"), "\(result)")
        // Nothing is said about PATH or fpath: the files are not where they will run.
        #expect(!result.stdout.contains("note:"), "\(result)")
        let version = try await RunningProcess.run(staged + "/bin/syncctl", ["--version"])
        #expect(version.stdout == ProtocolVersion.productVersion + "\n", "\(version)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to hide the toolchain in a mount namespace (CI runs as root)"))
    func theProgramsLinkNoSwiftLibraryAndSyncTopOnlyNcursesBeyondTheCRuntime() async throws {
        let installation = try installation()
        let cRuntime = ["linux-vdso.so", "libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux"]
        // syncctl links even the C library in: no dynamic loader runs at its start.
        let syncctl = try await installation.hidden("/usr/bin/ldd", installation.path("bin/syncctl"))
        #expect(syncctl.stderr.contains("not a dynamic executable"), "syncctl is not fully static: \(syncctl)")
        for program in Installation.programs where program != "syncctl" {
            let ldd = try await installation.hidden("/usr/bin/ldd", installation.path("bin/\(program)"))
            #expect(ldd.status == 0, "\(ldd)")
            #expect(!ldd.stdout.contains("libswift"), "\(program) links the Swift runtime:\n\(ldd.stdout)")
            #expect(!ldd.stdout.contains("not found"), "\(program) misses a library:\n\(ldd.stdout)")
            #expect(!ldd.stdout.contains(Installation.toolchain), "\(program) loads from the toolchain:\n\(ldd.stdout)")
            let allowed = cRuntime + (program == "sync-top" ? ["libncursesw.so", "libtinfo.so"] : [])
            let libraries = ldd.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            for library in libraries {
                #expect(allowed.contains { library.contains($0) }, "\(program) links \(library)")
            }
            if program == "sync-top" { #expect(ldd.stdout.contains("libncursesw.so"), "\(ldd.stdout)") }
        }
    }

    /// Position-dependent executables (`-no-pie`): the dynamic loader has no relocations of their own to apply.
    @Test func theProgramsAreNotPositionIndependent() throws {
        let installation = try installation()
        for program in Installation.programs {
            let file = try #require(FileHandle(forReadingAtPath: installation.path("bin/\(program)")), "\(program)")
            defer { try? file.close() }
            let header = try #require(try file.read(upToCount: 20))
            // ELF: the magic, then e_type at offset 16, little-endian: 2 is ET_EXEC, 3 is ET_DYN (a PIE).
            try #require(header.count > 18 && header.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]), "\(program)")
            #expect(header[16] == 2 && header[17] == 0, "\(program) has ELF type \(header[16]), not ET_EXEC (2)")
        }
    }

    @Test(.enabled(if: getuid() == 0, "needs root to hide the toolchain in a mount namespace (CI runs as root)"))
    func theAgentServesAndSyncctlOrdersUnitsWithTheToolchainHidden() async throws {
        let installation = try installation()
        let directory = TemporaryDirectory(prefix: "inst-run")
        defer { directory.remove() }
        let socket = ["--socket-path", directory.socket]
        for program in Installation.programs {
            let version = try await installation.hidden(program, "--version")
            #expect(version.status == 0 && version.stdout == ProtocolVersion.productVersion + "\n", "\(version)")
        }
        let agent = try installation.runHidden("sync-agent", socket)
        await agent.waitForOutput(containing: "agent listening")
        try #require(agent.outputSoFar.contains("agent listening"), "\(agent.outputSoFar)")
        defer { agent.signal(SIGKILL) }

        let want = try await installation.hidden("syncctl", "want", "claude", "git", "--socket-path", directory.socket)
        #expect(want.status == 0, "\(want)")
        let claude = try installation.runHidden("syncctl", ["start", "claude"] + socket)
        await claude.waitForOutput(containing: "is waiting for dependencies")
        for step in ["start", "complete"] {
            let git = try await installation.hidden("syncctl", step, "git", "--socket-path", directory.socket)
            #expect(git.status == 0, "\(git)")
        }
        let started = await claude.finish()
        #expect(started.status == 0, "\(started)")
        #expect(started.stdout.contains(#"Unit "claude" finished waiting for dependencies: [git]"#), "\(started)")
        let complete = try await installation.hidden("syncctl", "complete", "claude", "--socket-path", directory.socket)
        #expect(complete.status == 0, "\(complete)")

        let top = try await installation.hidden("sync-top", "--once", "--socket-path", directory.socket)
        #expect(top.status == 0, "\(top)")
        #expect(top.stdout.contains("2 units: 2 completed"), "\(top)")
        let help = try await installation.hidden("sync-top", "--help")
        #expect(help.status == 0 && help.stdout.contains("USAGE: sync-top"), "\(help)")

        agent.signal(SIGTERM)
        let stopped = await agent.finish()
        #expect(stopped.status == 0, "\(stopped)")
    }

    @Test(arguments: Installation.programs)
    func helpCompletionsAndManPageListEveryCommandAndOption(program: String) async throws {
        let installation = try installation()
        let binary = installation.path("bin/\(program)")
        let dump = try await RunningProcess.run(binary, ["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump)")
        let interface = try CommandInterface(JSON.parse(dump.stdout))
        try #require(interface.options.count >= 2, "\(dump.stdout)")
        let help = try await RunningProcess.run(binary, ["--help"])
        #expect(help.status == 0, "\(help)")
        let helpLines = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for command in interface.commands {
            #expect(
                helpLines.contains { $0 == command || $0.hasPrefix(command + " ") },
                "--help of \(program) lacks \(command)")
        }
        for option in interface.rootOptions { #expect(help.stdout.contains("--" + option), "--help lacks \(option)") }

        func text(_ file: String) throws -> String {
            try String(contentsOfFile: installation.path(file), encoding: .utf8)
        }
        let bash = try text("share/bash-completion/completions/\(program)")
        let zsh = try text("share/zsh/site-functions/_\(program)")
        let fish = try text("share/fish/vendor_completions.d/\(program).fish")
        let manual = try text("share/man/man1/\(program).1")
        #expect(!manual.contains("\n\n"), "an empty line in the man page of \(program), which man warns about")
        // Each format names a command and an option its own way (mdoc: `.It Em run`, `Fl -timeout`, `Fl o , -output`).
        for command in interface.commands {
            #expect(bash.contains("_\(program)_\(command)()"), "bash completion of \(program) lacks \(command)")
            #expect(zsh.contains("'\(command):"), "zsh completion of \(program) lacks \(command)")
            #expect(fish.contains("-fa '\(command)'"), "fish completion of \(program) lacks \(command)")
            #expect(manual.contains(".It Em \(command)\n"), "man page of \(program) lacks \(command)")
        }
        for option in interface.options {
            #expect(bash.contains("--" + option), "bash completion of \(program) lacks --\(option)")
            #expect(zsh.contains("--" + option), "zsh completion of \(program) lacks --\(option)")
            #expect(fish.contains("-l '\(option)'"), "fish completion of \(program) lacks --\(option)")
            #expect(
                manual.contains("Fl -\(option)") || manual.contains(", -\(option)"),
                "man page of \(program) lacks --\(option)")
        }
    }
}

/// The subcommands and long options a program shows, from ArgumentParser's `--experimental-dump-help`: its
/// subcommands (one level, as syncctl has), its own options and every option of every subcommand; hidden ones and
/// the built-in help, version and help subcommand left out.
struct CommandInterface {
    var commands: [String] = []
    var rootOptions: [String] = []
    var options: Set<String> = []

    init(_ dump: JSON) throws {
        let root = try #require(dump["command"])
        rootOptions = Self.longOptions(of: root)
        options.formUnion(rootOptions)
        for subcommand in root["subcommands"]?.arrayValue ?? [] where subcommand["shouldDisplay"]?.boolValue != false {
            guard let name = subcommand["commandName"]?.stringValue, name != "help" else { continue }
            commands.append(name)
            options.formUnion(Self.longOptions(of: subcommand))
        }
    }

    private static func longOptions(of command: JSON) -> [String] {
        var names: [String] = []
        for argument in command["arguments"]?.arrayValue ?? [] where argument["shouldDisplay"]?.boolValue != false {
            for name in argument["names"]?.arrayValue ?? [] where name["kind"]?.stringValue == "long" {
                if let long = name["name"]?.stringValue, long != "help", long != "version" { names.append(long) }
            }
        }
        return names
    }
}

/// The script's own checks, which run before it builds anything.
@Suite("scripts/install.sh arguments")
struct InstallArgumentTests {
    @Test func aRelativePrefixIsRefused() async throws {
        let result = try await Installation.run(prefix: "relative/prefix")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--prefix must be an absolute path, not 'relative/prefix'"), "\(result)")
    }

    @Test func anUnknownArgumentIsRefused() async throws {
        let result = try await Installation.run(prefix: "/tmp/unused", ["--frobnicate"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("unknown argument: --frobnicate"), "\(result)")
    }
}
