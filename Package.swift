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
        .executable(name: "realtyhub", targets: ["realtyhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
