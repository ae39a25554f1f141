// swift-tools-version:6.1
import PackageDescription

/// The fuzz target, kept out of the main package so `swift build` at the root neither needs nor builds it.
/// Build it with libFuzzer (see scripts/fuzz.sh):
///   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
let package = Package(
    name: "sync-agent-fuzz",
    dependencies: [
        .package(name: "sync-agent", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "FuzzAgent",
            dependencies: [
                "CFuzzDriver",
                .product(name: "SyncServer", package: "sync-agent"),
                .product(name: "SyncProtocol", package: "sync-agent"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        )
    ]
)
