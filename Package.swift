// swift-tools-version:6.1
import PackageDescription

/// Layers, one direction of dependency (see docs/ARCHITECTURE.md):
/// SyncCore (pure) <- SyncProtocol (pure wire format) <- SyncServer (NIO) / SyncClient (POSIX) <- executables.
/// Linux only: the agent and the client use epoll, inotify, SO_PEERCRED, /proc and Glibc directly.
let package = Package(
    name: "sync-agent",
    products: [
        .executable(name: "sync-agent", targets: ["sync-agent"]),
        .executable(name: "syncctl", targets: ["syncctl"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "SyncProtocol", targets: ["SyncProtocol"]),
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
    ],
    targets: [
        .target(name: "SyncCore"),
        .target(name: "SyncProtocol", dependencies: ["SyncCore"]),
        // SO_PEERCRED: Swift's Glibc does not import `struct ucred`, so a tiny C target reads it.
        .target(name: "CPeerCredentials"),
        .target(
            name: "SyncServer",
            dependencies: [
                "SyncCore",
                "SyncProtocol",
                "CPeerCredentials",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The client checks the server's uid (SO_PEERCRED) before it sends anything: CPeerCredentials again.
        .target(name: "SyncClient", dependencies: ["SyncCore", "SyncProtocol", "CPeerCredentials"]),
        .executableTarget(
            name: "sync-agent",
            dependencies: [
                "SyncServer",
                "SyncProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // syncctl: every command in SyncCtl (unit-tested), a thin main in the executable. A release gets its static
        // runtime from the build command (`swift build -c release --static-swift-stdlib`, docs/BENCHMARKS.md).
        .target(
            name: "SyncCtl",
            dependencies: [
                "SyncClient",
                "SyncProtocol",
                "SyncCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "syncctl", dependencies: ["SyncCtl"]),
        // sync-top: a pure model and layout (SyncTop), one thin curses file in the executable.
        .target(name: "SyncTop", dependencies: ["SyncCore"]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .executableTarget(
            name: "sync-top",
            dependencies: [
                "SyncTop",
                "SyncCore",
                "SyncProtocol",
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
                "SyncServer", "SyncClient", "SyncProtocol", "SyncCore", "SyncTop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SyncTestSupport",
            dependencies: [
                "SyncServer", "SyncClient", "SyncProtocol", "SyncCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SyncTestSupport"
        ),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore"], exclude: ["Goldens"]),
        .testTarget(
            name: "SyncTopTests",
            dependencies: ["SyncTop", "SyncCore", "SyncProtocol", "sync-top"],
            exclude: ["Goldens", "Fixtures"]
        ),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol"]),
        .testTarget(
            name: "SyncServerTests",
            dependencies: [
                "SyncServer", "SyncClient", "SyncTestSupport", "CPeerCredentials",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        .testTarget(name: "SyncCtlTests", dependencies: ["SyncCtl", "SyncCore", "SyncProtocol"]),
        // Runs the built sync-agent and syncctl as child processes.
        .testTarget(name: "EndToEndTests", dependencies: ["sync-agent", "syncctl", "SyncClient", "SyncTestSupport"]),
    ]
)
