// swift-tools-version:6.1
import PackageDescription

/// Fuzzing (scripts/fuzz.sh, FUZZING.md): `REALTYHUB_FUZZ=1` instruments the package's own
/// targets for libFuzzer (coverage, and AddressSanitizer unless REALTYHUB_FUZZ_SANITIZERS says
/// otherwise) and adds the harnesses under Fuzz/. Never set for the normal build or CI.
let fuzzing = Context.environment["REALTYHUB_FUZZ"] != nil
var fuzzInstrumentation: [SwiftSetting] {
    guard Context.environment["REALTYHUB_FUZZ"] != nil else { return [] }
    // -O also in a debug build, so a harness built over an existing debug scratch folder runs
    // the package's code optimized (the dependencies keep their configuration).
    return [.unsafeFlags(["-sanitize=\(Context.environment["REALTYHUB_FUZZ_SANITIZERS"] ?? "fuzzer,address")", "-O"])]
}

/// One set of compiler settings for every target: Swift 6 language mode (set by the tools
/// version), strict concurrency, and the upcoming features the codebase is written for.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
] + fuzzInstrumentation

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")

let package = Package(
    name: "RealtyHub",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RealtyModel", targets: ["RealtyModel"]),
        .library(name: "HubStore", targets: ["HubStore"]),
        .library(name: "HubStoreSQLite", targets: ["HubStoreSQLite"]),
        .library(name: "HubStorePostgres", targets: ["HubStorePostgres"]),
        .library(name: "ConnectorKit", targets: ["ConnectorKit"]),
        .library(name: "Connectors", targets: ["Connectors"]),
        .library(name: "SyncEngine", targets: ["SyncEngine"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "ODataQuery", targets: ["ODataQuery"]),
        .executable(name: "realtyhub", targets: ["realtyhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // The dashboard's HTML templates (escaped by default).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Already in the graph through AsyncHTTPClient and Hummingbird; named because targets
        // use them directly (ByteBuffer and HTTP methods in the transport, custom header names
        // and connection control in the sandbox).
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // Prometheus text for /metrics, fed through swift-metrics.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The PostgreSQL store; swift-nio-ssl (already in the graph) for its TLS settings.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Property-based tests of the hub's query parsing (HubServerPropertyTests, ODataQueryTests).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Canonical resources with RESO names, identities, validation, JSON coding.
        .target(name: "RealtyModel", swiftSettings: swiftSettings),

        // What every connector shares: the Connector protocol, vendor profiles, auth with a
        // token cache, retry and backoff, rate limits, paginators, the HTTP transport.
        .target(
            name: "ConnectorKit",
            dependencies: [
                "RealtyModel", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // One module per vendor: wire types, mapping, quirks, error table. Never another vendor.
        .target(name: "PFExpertConnector", dependencies: ["ConnectorKit", "RealtyModel", logging], swiftSettings: swiftSettings),
        .target(name: "ResalesOnlineConnector", dependencies: ["ConnectorKit", "RealtyModel", logging], swiftSettings: swiftSettings),
        .target(
            name: "MyCRMConnector",
            dependencies: ["ConnectorKit", "RealtyModel", logging, .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(name: "ApimoConnector", dependencies: ["ConnectorKit", "RealtyModel", logging], swiftSettings: swiftSettings),
        .target(name: "BostonLogicConnector", dependencies: ["ConnectorKit", "RealtyModel", logging], swiftSettings: swiftSettings),

        // The registry of the five vendors; the only place that knows them all.
        .target(
            name: "Connectors",
            dependencies: [
                "ConnectorKit", logging,
                "PFExpertConnector", "ResalesOnlineConnector", "MyCRMConnector", "ApimoConnector",
                "BostonLogicConnector",
            ],
            swiftSettings: swiftSettings
        ),

        // Storage interfaces and their semantics; no database package.
        .target(
            name: "HubStore",
            dependencies: ["RealtyModel", "ODataQuery", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HubStoreSQLite",
            dependencies: [
                "HubStore", "RealtyModel", "ODataQuery",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The scale-out store: PostgreSQL through PostgresNIO, shared by many hub processes.
        .target(
            name: "HubStorePostgres",
            dependencies: [
                "HubStore", "RealtyModel", "ODataQuery", logging,
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),

        // Pull jobs, the delivery outbox workers and the scheduler.
        .target(
            name: "SyncEngine",
            dependencies: [
                "RealtyModel", "ConnectorKit", "HubStore", logging,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),

        // Local emulators of the five vendor APIs: seeded data, control API, fault injection.
        // Never depends on ConnectorKit or a connector: the emulators are an independent
        // reading of the vendor documents.
        .target(
            name: "Sandbox",
            dependencies: [
                "RealtyModel",
                logging,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The application layer: one use-case function per operation (accept a lead, add a
        // connection, sync, update a unit, ...), called by the server's routes and the CLI.
        .target(
            name: "HubOperations",
            dependencies: [
                "RealtyModel", "HubStore", "ConnectorKit", "SyncEngine", logging,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The hub's HTTP API: auth, /v1 routes over the application layer, OpenAPI, metrics.
        .target(
            name: "HubServer",
            dependencies: [
                "HubOperations", "HubStore", "RealtyModel", "ConnectorKit", "SyncEngine", "ODataQuery", logging,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root: configuration, the stores, the vendor registry over one HTTP
        // client, and the service groups (the server is one of their services).
        .target(
            name: "HubApp",
            dependencies: [
                "RealtyModel", "HubStore", "HubStoreSQLite", "HubStorePostgres", "ConnectorKit", "Connectors", "SyncEngine",
                "HubOperations", "HubServer", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The local receiver of `realtyhub webhooks listen` (WebhookListener) and its
                // calls to a hub's API (HubWebhooksClient).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "realtyhub",
            dependencies: [
                "HubApp", "HubOperations", "HubServer", "Sandbox", "HubStore", "ConnectorKit", "RealtyModel", logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The RESO Web API's query language (OData 4.01 $filter, $orderby, $select, ...): parsed
        // and checked against a resource; no server and no SQL.
        .target(name: "ODataQuery", dependencies: ["RealtyModel"], swiftSettings: swiftSettings),

        // Test-only helpers: fixtures, the store contract suite, a webhook receiver.
        .target(
            name: "HubTestSupport",
            dependencies: [
                "RealtyModel", "HubStore", "HubStorePostgres", "ODataQuery", logging,
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // The webhook receiver tests send to (WebhookTestReceiver).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "RealtyModelTests", dependencies: ["RealtyModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HubStoreTests",
            dependencies: [
                "HubStore", "HubStoreSQLite", "HubStorePostgres", "HubTestSupport", "RealtyModel", "ODataQuery",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // One test target for the kit and all five vendors (Tests/ConnectorTests/Kit/ and
        // Tests/ConnectorTests/<Vendor>/), plus the connectors against the live emulators
        // (Tests/ConnectorTests/Live/).
        .testTarget(
            name: "ConnectorTests",
            dependencies: [
                "ConnectorKit", "Connectors", "RealtyModel", "Sandbox", logging,
                "PFExpertConnector", "ResalesOnlineConnector", "MyCRMConnector", "ApimoConnector",
                "BostonLogicConnector",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: [
                // ConnectorKit only for the one shared HTTP client configuration (redirects off) and
                // the connectors' form encoder, which the MyCRM tests send their requests with.
                "Sandbox", "ConnectorKit", "RealtyModel",
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
            dependencies: [
                "HubApp", "HubOperations", "HubStore", "HubStoreSQLite", "HubTestSupport", "ConnectorKit", "RealtyModel", "SyncEngine",
                "Sandbox", logging, "ApimoConnector", "BostonLogicConnector",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubServerTests",
            dependencies: [
                "HubServer", "HubApp", "HubOperations", "HubStore", "HubStoreSQLite", "HubTestSupport", "ConnectorKit", "RealtyModel", "Sandbox",
                "SyncEngine", "ODataQuery", logging,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubServerPropertyTests",
            dependencies: [
                "HubServer", "RealtyModel",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ODataQueryTests",
            dependencies: [
                "ODataQuery", "RealtyModel",
                .product(name: "PropertyBased", package: "swift-property-based"),
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
            dependencies: ["HubStore", "HubStorePostgres", "HubStoreSQLite", "HubTestSupport", "RealtyModel"],
            path: "Benchmarks/StoreBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    package.targets.append(
        .executableTarget(
            name: "realtyhub-sync-benchmarks",
            dependencies: ["HubApp", "HubOperations", "HubStore", "HubStoreSQLite", "RealtyModel", logging],
            path: "Benchmarks/SyncBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // A full PF Expert lead sync by `realtyhub sync` (its own process: wall, CPU, peak RSS)
    // against the raw ceiling of the same pages fetched with no decoding and no store.
    package.targets.append(
        .executableTarget(
            name: "realtyhub-pull-benchmarks",
            dependencies: [
                "ConnectorKit", "Connectors", "HubApp", "HubOperations", "PFExpertConnector", "RealtyModel", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/PullBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Connector pull rate against the in-process sandbox (fetch + decode + map, no store).
    package.targets.append(
        .executableTarget(
            name: "realtyhub-connector-benchmarks",
            dependencies: [
                "ConnectorKit", "Connectors", "RealtyModel", "Sandbox", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ConnectorBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Scale-out: deliveries/s and synced records/s with 1, 2 and 3 `realtyhub run` processes on one
    // PostgreSQL database (REALTYHUB_BENCH_DATABASE_URL), the sandbox adding 50 ms per request.
    package.targets.append(
        .executableTarget(
            name: "realtyhub-scale-benchmarks",
            dependencies: ["ConnectorKit", "HubApp", "HubOperations", "HubStore", "HubTestSupport", "RealtyModel", "Sandbox", logging],
            path: "Benchmarks/ScaleBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Apimo requests and wall time per full and incremental sync of one agency, largest pages
    // against 100 a page, behind the vendor's 10 requests/s.
    package.targets.append(
        .executableTarget(
            name: "realtyhub-apimo-benchmarks",
            dependencies: [
                "ConnectorKit", "HubApp", "HubOperations", "HubStore", "RealtyModel", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/ApimoBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Accept → written at the vendor for updates through the API, at steady rates.
    package.targets.append(
        .executableTarget(
            name: "realtyhub-write-benchmarks",
            dependencies: [
                "ConnectorKit", "HubApp", "HubOperations", "HubServer", "HubStore", "RealtyModel", "Sandbox", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/WriteBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Deliveries in milliseconds: accept -> delivered to four emulators at a steady rate (SQLite in
    // one process, PostgreSQL in two), and leads/s committed through the API by concurrent clients.
    package.targets.append(
        .executableTarget(
            name: "realtyhub-delivery-benchmarks",
            dependencies: [
                "ConnectorKit", "HubApp", "HubOperations", "HubServer", "HubStore", "HubTestSupport", "RealtyModel", "Sandbox", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/DeliveryBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Webhooks sent: deliveries/s over several subscriptions and commit -> received latency.
    package.targets.append(
        .executableTarget(
            name: "realtyhub-webhook-benchmarks",
            dependencies: [
                "HubApp", "HubOperations", "HubStore", "HubTestSupport", "RealtyModel", logging,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/WebhookBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Dashboard pages with 100,000 records: median and p95 per page over loopback (ms).
    package.targets.append(
        .executableTarget(
            name: "realtyhub-dashboard-benchmarks",
            dependencies: [
                "HubApp", "HubOperations", "HubServer", "HubStore", "HubTestSupport", "RealtyModel", "Sandbox", logging,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/DashboardBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    // Sandbox serving rate: full pages of each emulator over loopback (records/s).
    package.targets.append(
        .executableTarget(
            name: "realtyhub-sandbox-benchmarks",
            dependencies: [
                "Sandbox", "ConnectorKit", "RealtyModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/SandboxBenchmarks",
            swiftSettings: swiftSettings
        )
    )
}

// libFuzzer harnesses, one executable per parser (scripts/fuzz.sh builds them into .build-fuzz):
//   REALTYHUB_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product fuzz-vtql
// Each calls the parser through the entry point its module offers (package visibility), so the
// harnesses follow the parsers as they change.
if fuzzing {
    // libFuzzer's driver is linked by the executables; lld because gold cannot link it with Swift's
    // entry point (SwiftPM renames `main`, so the harnesses start libFuzzer themselves).
    let fuzzLink: [LinkerSetting] = [
        .unsafeFlags(["-sanitize=\(Context.environment["REALTYHUB_FUZZ_SANITIZERS"] ?? "fuzzer,address")", "-use-ld=lld"])
    ]
    package.targets.append(
        .target(name: "FuzzSupport", dependencies: ["ConnectorKit", "RealtyModel", logging], path: "Fuzz/FuzzSupport", swiftSettings: swiftSettings)
    )
    let harnesses: [(String, [Target.Dependency])] = [
        ("fuzz-vtql", ["Sandbox"]),
        ("fuzz-mycrm-form", ["Sandbox"]),
        ("fuzz-propq-form-body", ["Sandbox"]),
        ("fuzz-hub-list-query", ["HubServer"]),
        ("fuzz-pfexpert-pages", ["Connectors", "PFExpertConnector"]),
        ("fuzz-propq-pages", ["Connectors", "ResalesOnlineConnector"]),
        ("fuzz-mycrm-pages", ["Connectors", "MyCRMConnector"]),
        ("fuzz-apimo-pages", ["Connectors", "ApimoConnector"]),
        ("fuzz-bostonlogic-pages", ["Connectors", "BostonLogicConnector"]),
    ]
    for (name, dependencies) in harnesses {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: ["FuzzSupport", "ConnectorKit", "RealtyModel", logging] + dependencies,
                path: "Fuzz/\(name)", swiftSettings: swiftSettings, linkerSettings: fuzzLink)
        )
    }
}
