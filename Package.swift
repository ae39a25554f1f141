// swift-tools-version:6.1
import PackageDescription

/// Layers, one direction of dependency (see docs/ARCHITECTURE.md):
/// SyncCore (pure) <- SyncProtocol (pure wire format) <- SyncServer (NIO) / SyncClient (POSIX) <- executables;
/// SyncOS (the OS calls) and SyncReports (text and JSON reports) beside them.
/// Linux only: the agent and the client use epoll, inotify, SO_PEERCRED, /proc and Glibc directly.
let package = Package(
    name: "sync-agent",
    products: [
        .executable(name: "sync-agent", targets: ["sync-agent"]),
        .executable(name: "syncctl", targets: ["syncctl"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "SyncProtocol", targets: ["SyncProtocol"]),
        .library(name: "SyncOS", targets: ["SyncOS"]),
        .library(name: "SyncReports", targets: ["SyncReports"]),
        .library(name: "SyncReadiness", targets: ["SyncReadiness"]),
        .library(name: "SyncServer", targets: ["SyncServer"]),
        .library(name: "SyncClient", targets: ["SyncClient"]),
        .executable(name: "sync-top", targets: ["sync-top"]),
        .library(name: "SyncTop", targets: ["SyncTop"]),
        .executable(name: "sync-bench", targets: ["sync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already built for postgres-nio; named for the TLS of the store's connections.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "SyncCore"),
        .target(name: "SyncProtocol", dependencies: ["SyncCore"]),
        // The OS calls of the package (clocks, environment, socket path and its file checks, writes, signals), so
        // that SyncCore and SyncProtocol stay pure.
        .target(name: "SyncOS", dependencies: ["SyncCore"]),
        // What people read: graph exports, the why tree, the timeline and its Gantt chart, and their `-o json`.
        .target(name: "SyncReports", dependencies: ["SyncCore", "SyncProtocol"]),
        // Readiness checks of a service (CHECK syntax, probe back-off, tcp/http/cmd probes, file and log waits).
        .target(name: "SyncReadiness", dependencies: ["SyncCore", "SyncOS"]),
        // SO_PEERCRED: Swift's Glibc does not import `struct ucred`, so a tiny C target reads it.
        .target(name: "CPeerCredentials"),
        .target(
            name: "SyncServer",
            dependencies: [
                "SyncCore",
                "SyncProtocol",
                "SyncOS",
                "CPeerCredentials",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PostgreSQL store (`sync-agent --store postgres://…`, docs/MULTI-HOST.md): a target of its own so that
        // only sync-agent links postgres-nio (and its TLS and crypto); syncctl, sync-top and sync-bench do not.
        .target(
            name: "SyncPostgres",
            dependencies: [
                "SyncServer", "SyncCore", "SyncProtocol", "SyncOS",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The client checks the server's uid (SO_PEERCRED) before it sends anything: CPeerCredentials again.
        .target(name: "SyncClient", dependencies: ["SyncCore", "SyncProtocol", "SyncOS", "CPeerCredentials"]),
        .executableTarget(
            name: "sync-agent",
            dependencies: [
                "SyncServer",
                "SyncPostgres",
                "SyncProtocol",
                "SyncOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // syncctl: every command in SyncCtl (unit-tested), a thin main in the executable. A release gets its static
        // runtime from the build command (scripts/build-release.sh, docs/BENCHMARKS.md).
        .target(
            name: "SyncCtl",
            dependencies: [
                "SyncClient",
                "SyncProtocol",
                "SyncCore",
                "SyncOS",
                "SyncReports",
                "SyncReadiness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "syncctl", dependencies: ["SyncCtl"]),
        // sync-top: a pure model and layout (SyncTop), one thin curses file in the executable.
        .target(name: "SyncTop", dependencies: ["SyncCore", "SyncReports"]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .executableTarget(
            name: "sync-top",
            dependencies: [
                "SyncTop",
                "SyncCore",
                "SyncProtocol",
                "SyncOS",
                "SyncClient",
                "SyncServer",
                "CNcurses",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // sync-bench: the benchmarks of docs/BENCHMARKS.md, against the built executables and an in-process agent.
        .executableTarget(
            name: "sync-bench",
            dependencies: [
                "SyncServer", "SyncClient", "SyncProtocol", "SyncCore", "SyncOS", "SyncTop", "SyncAgentHarness",
                "SyncReadiness", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // `--count`: the agent's request path on test channels, for instruction counts.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // An agent inside the calling process, for the tests and sync-bench (an executable cannot use a test target).
        .target(
            name: "SyncAgentHarness",
            dependencies: [
                "SyncServer", "SyncClient", "SyncOS", "SyncCore", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SyncTestSupport",
            dependencies: [
                "SyncAgentHarness", "SyncServer", "SyncClient", "SyncProtocol", "SyncCore", "SyncOS",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SyncTestSupport"
        ),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore"]),
        .testTarget(name: "SyncReportsTests", dependencies: ["SyncReports", "SyncCore"], exclude: ["Goldens"]),
        .testTarget(name: "SyncOSTests", dependencies: ["SyncOS"]),
        .testTarget(name: "SyncReadinessTests", dependencies: ["SyncReadiness", "SyncOS"]),
        .testTarget(
            name: "SyncTopTests",
            dependencies: ["SyncTop", "SyncCore", "SyncProtocol", "SyncReports", "SyncOS", "sync-top"],
            exclude: ["Goldens", "Fixtures"]
        ),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol"]),
        .testTarget(
            name: "SyncServerTests",
            dependencies: [
                "SyncServer", "SyncClient", "SyncTestSupport", "CPeerCredentials",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        // Runs a real PostgreSQL server (SyncTestSupport's PostgresServer).
        .testTarget(
            name: "SyncPostgresTests",
            dependencies: [
                "SyncPostgres", "SyncServer", "SyncClient", "SyncTestSupport", "SyncCore", "SyncProtocol",
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "SyncCtlTests", dependencies: ["SyncCtl", "SyncCore", "SyncProtocol", "SyncOS", "SyncReadiness"]),
        // Runs the built sync-agent and syncctl as child processes.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["sync-agent", "syncctl", "SyncClient", "SyncTestSupport", "SyncReadiness"]),
        // Runs the scripts of the recipes in examples/ against the built sync-agent (syncctl, sync-top on PATH).
        .testTarget(
            name: "ExampleTests", dependencies: ["sync-agent", "syncctl", "sync-top", "SyncTestSupport"]),
    ]
)
