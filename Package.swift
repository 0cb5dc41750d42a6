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
        .library(name: "ConnectorKit", targets: ["ConnectorKit"]),
        .library(name: "Connectors", targets: ["Connectors"]),
        .executable(name: "realtyhub", targets: ["realtyhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
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
            ],
            swiftSettings: swiftSettings
        ),

        // What every connector shares: the Connector protocol, vendor profiles, auth with a
        // token cache, retry and backoff, rate limits, paginators, the HTTP transport.
        .target(
            name: "ConnectorKit",
            dependencies: [
                "RealtyModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // Part of AsyncHTTPClient's API (ByteBuffer, HTTP methods, connect errors).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // One module per vendor: wire types, mapping, quirks, error table. Never another vendor.
        .target(name: "PFExpertConnector", dependencies: ["ConnectorKit", "RealtyModel"], swiftSettings: swiftSettings),
        .target(name: "ResalesOnlineConnector", dependencies: ["ConnectorKit", "RealtyModel"], swiftSettings: swiftSettings),
        .target(name: "MyCRMConnector", dependencies: ["ConnectorKit", "RealtyModel"], swiftSettings: swiftSettings),
        .target(name: "ApimoConnector", dependencies: ["ConnectorKit", "RealtyModel"], swiftSettings: swiftSettings),
        .target(name: "BostonLogicConnector", dependencies: ["ConnectorKit", "RealtyModel"], swiftSettings: swiftSettings),

        // The registry of the five vendors; the only place that knows them all.
        .target(
            name: "Connectors",
            dependencies: [
                "ConnectorKit", "RealtyModel",
                "PFExpertConnector", "ResalesOnlineConnector", "MyCRMConnector", "ApimoConnector",
                "BostonLogicConnector",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Composition root: configuration and the operations the CLI and server call.
        .target(
            name: "HubApp",
            dependencies: [
                "RealtyModel", "HubStore", "HubStoreSQLite", "ConnectorKit", "Connectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "realtyhub",
            dependencies: [
                "HubApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        // One test target for the kit and all five vendors, to keep compile and link cost down:
        // Tests/ConnectorTests/Kit/ and Tests/ConnectorTests/<Vendor>/.
        .testTarget(
            name: "ConnectorTests",
            dependencies: [
                "ConnectorKit", "Connectors", "RealtyModel",
                "PFExpertConnector", "ResalesOnlineConnector", "MyCRMConnector", "ApimoConnector",
                "BostonLogicConnector",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubAppTests",
            dependencies: [
                "HubApp", "HubStore", "HubStoreSQLite", "HubTestSupport", "ConnectorKit", "RealtyModel",
                .product(name: "Logging", package: "swift-log"),
            ],
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
