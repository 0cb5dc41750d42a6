// swift-tools-version:6.1
import PackageDescription

/// One set of compiler settings for every target: Swift 6 language mode (set by the tools
/// version), strict concurrency, and the upcoming features the codebase is written for.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "RealtyHub",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RealtyModel", targets: ["RealtyModel"]),
        .library(name: "HubStore", targets: ["HubStore"]),
        .library(name: "HubStoreSQLite", targets: ["HubStoreSQLite"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .executable(name: "realtyhub", targets: ["realtyhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already in the graph through Hummingbird; named because the sandbox uses them
        // directly (custom header names, closing a connection for the `reset` fault, graceful
        // shutdown of the emulator servers).
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Canonical resources with RESO names, identities, validation, JSON coding.
        .target(name: "RealtyModel", swiftSettings: swiftSettings),

        // Storage interfaces and their semantics; no database package.
        .target(
            name: "HubStore",
            dependencies: [
                "RealtyModel",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HubStoreSQLite",
            dependencies: [
                "HubStore", "RealtyModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // Composition root: configuration and the operations the CLI and server call.
        .target(
            name: "HubApp",
            dependencies: [
                "RealtyModel", "HubStore", "HubStoreSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Local emulators of the five vendor APIs: seeded data, control API, fault injection.
        // Never depends on ConnectorKit or a connector: the emulators are an independent
        // reading of the vendor documents.
        .target(
            name: "Sandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "realtyhub",
            dependencies: [
                "HubApp", "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test-only helpers: fixtures and the store contract suite.
        .target(
            name: "HubTestSupport",
            dependencies: ["RealtyModel", "HubStore"],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "RealtyModelTests", dependencies: ["RealtyModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HubStoreTests",
            dependencies: [
                "HubStore", "HubStoreSQLite", "HubTestSupport", "RealtyModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: [
                "Sandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubAppTests",
            dependencies: ["HubApp", "HubStore", "HubStoreSQLite", "HubTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks build only when asked for, so the normal build and CI stay lean:
//   REALTYHUB_BENCHMARKS=1 swift run -c release realtyhub-benchmarks
if Context.environment["REALTYHUB_BENCHMARKS"] != nil {
    package.targets.append(
        .executableTarget(
            name: "realtyhub-benchmarks",
            dependencies: ["HubStore", "HubStoreSQLite", "HubTestSupport", "RealtyModel"],
            path: "Benchmarks/StoreBenchmarks",
            swiftSettings: swiftSettings
        )
    )
}
