public import Foundation
public import HubApp
import HTTPTypes
import Hummingbird
import Logging
import Metrics
public import Prometheus
public import ServiceLifecycle
import UnixSignals

/// How `realtyhub serve` runs.
public struct HubServerOptions: Sendable {
    public var host: String
    /// 0 picks a free port (reported through `onRunning`).
    public var port: Int
    /// Whether the scheduler and delivery workers run in this process.
    public var runWorkers: Bool
    public var tokenLifetime: TimeInterval
    public var requestsPerSecond: Double
    public var fullPassInterval: TimeInterval
    public var leaseDuration: TimeInterval

    public init(
        host: String = "127.0.0.1", port: Int = 8080, runWorkers: Bool = true, tokenLifetime: TimeInterval = 1800,
        requestsPerSecond: Double = 200, fullPassInterval: TimeInterval = 86_400, leaseDuration: TimeInterval = 10
    ) {
        self.host = host
        self.port = port
        self.runWorkers = runWorkers
        self.tokenLifetime = tokenLifetime
        self.requestsPerSecond = requestsPerSecond
        self.fullPassInterval = fullPassInterval
        self.leaseDuration = leaseDuration
    }
}

/// The hub's HTTP server: the API router on Hummingbird, with the scheduler and delivery
/// workers beside it, under one service group.
///
/// On SIGTERM or SIGINT the server stops accepting connections and finishes the requests in
/// flight, the delivery worker finishes its current attempts, and API-started syncs complete.
public enum HubServer {
    /// Runs until a shutdown signal (or until the surrounding task is cancelled).
    ///
    /// - Parameters:
    ///   - onRunning: called with the bound port once the server listens.
    ///   - signals: whether SIGTERM/SIGINT stop the server gracefully (tests pass false and
    ///     cancel instead).
    ///   - extra: more services to run and stop with the server (the demo's sandbox).
    public static func run(
        runtime: HubRuntime, options: HubServerOptions, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        signals: Bool = true, alongside extra: [any Service] = [], onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let api = HubAPI(runtime: runtime, tokenLifetime: options.tokenLifetime, requestsPerSecond: options.requestsPerSecond, metrics: registry)
        var services: [any Service] = []
        if options.runWorkers {
            services = try await runtime.workerServices(fullPassInterval: options.fullPassInterval, leaseDuration: options.leaseDuration)
        }
        services.append(SyncDrain(api: api))
        services += extra
        let app = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "RealtyHub"),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? options.port) },
            logger: runtime.logger)
        try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            if signals {
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                    services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: runtime.logger))
                try await group.run()
            } else {
                try await app.run()
            }
        }
    }
}

/// Waits for API-started sync runs when the service group shuts down.
struct SyncDrain: Service {
    let api: HubAPI

    func run() async throws {
        try? await gracefulShutdown()
        await api.drain()
    }
}
