public import Foundation
public import HubOperations
public import HubServer
import Logging
import Metrics
public import Prometheus
public import ServiceLifecycle
public import SyncEngine
import UnixSignals

extension HubApp {
    /// Runs the scheduler (pulls on each connection's schedule) and the delivery worker until
    /// SIGTERM or SIGINT, then lets the attempts in progress finish (`realtyhub run`).
    ///
    /// - Parameters:
    ///   - runtime: the opened hub.
    ///   - fullPassInterval: how often each resource gets a full pass (deletion detection).
    ///   - pollInterval: how long the delivery worker sleeps when nothing is due.
    ///   - leaseDuration: how long a delivery attempt or a pull stays leased to this process
    ///     without a heartbeat (default 10 s).
    public static func runWorkers(
        _ runtime: HubRuntime, fullPassInterval: TimeInterval = 86_400, pollInterval: Duration = .milliseconds(250),
        leaseDuration: TimeInterval = DeliveryPolicy.defaultLeaseDuration
    ) async throws {
        let services = try await runtime.workerServices(
            fullPassInterval: fullPassInterval, pollInterval: pollInterval, leaseDuration: leaseDuration)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: runtime.logger))
        try await group.run()
    }

    /// Runs the hub's HTTP server, with the scheduler and delivery workers beside it unless
    /// `options.runWorkers` is false, in one service group until a shutdown signal (or until the
    /// surrounding task is cancelled).
    ///
    /// On SIGTERM or SIGINT the server stops accepting connections and finishes the requests in
    /// flight, the delivery worker finishes its current attempts, and API-started syncs complete.
    ///
    /// - Parameters:
    ///   - runtime: the opened hub.
    ///   - options: the server's and the workers' settings.
    ///   - registry: the Prometheus registry `/metrics` renders.
    ///   - signals: whether SIGTERM/SIGINT stop the server gracefully (tests pass false and
    ///     cancel instead).
    ///   - extra: more services to run and stop with the server (the demo's sandbox).
    ///   - onRunning: called with the bound port once the server listens.
    public static func serve(
        runtime: HubRuntime, options: HubServerOptions, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        signals: Bool = true, alongside extra: [any Service] = [], onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        var services: [any Service] = []
        if options.runWorkers {
            services = try await runtime.workerServices(fullPassInterval: options.fullPassInterval, leaseDuration: options.leaseDuration)
        }
        services += extra
        let server = HubServer.application(
            runtime: runtime, options: options, registry: registry, services: services, onRunning: onRunning)
        try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            if signals {
                let group = ServiceGroup(
                    configuration: ServiceGroupConfiguration(
                        services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: runtime.logger))
                try await group.run()
            } else {
                try await server.run()
            }
        }
    }
}
