public import Foundation
import HTTPTypes
public import HubOperations
import HubStore
import Hummingbird
import Logging
public import Prometheus
import RealtyModel
public import ServiceLifecycle

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
    /// The URL users reach the hub at, when it is not the listening address (behind a proxy):
    /// an https one makes the dashboard's cookies `Secure`.
    public var publicURL: URL?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, runWorkers: Bool = true, tokenLifetime: TimeInterval = 1800,
        requestsPerSecond: Double = 200, fullPassInterval: TimeInterval = 86_400, leaseDuration: TimeInterval = 10,
        publicURL: URL? = nil
    ) {
        self.publicURL = publicURL
        self.host = host
        self.port = port
        self.runWorkers = runWorkers
        self.tokenLifetime = tokenLifetime
        self.requestsPerSecond = requestsPerSecond
        self.fullPassInterval = fullPassInterval
        self.leaseDuration = leaseDuration
    }
}

/// The hub's HTTP server: the API router on Hummingbird. The composition root (HubApp) runs it
/// in one service group with the scheduler and the delivery workers.
public enum HubServer {
    /// The HTTP server as a service: the API, and `services` started before it and stopped
    /// after it (API-started syncs are awaited on shutdown).
    ///
    /// - Parameters:
    ///   - runtime: the hub's application layer.
    ///   - options: host, port, token lifetime, per-client rate.
    ///   - registry: the Prometheus registry `/metrics` renders.
    ///   - services: the services to run with the server (workers, the demo's sandbox).
    ///   - onRunning: called with the bound port once the server listens.
    public static func application(
        runtime: HubRuntime, options: HubServerOptions, registry: PrometheusCollectorRegistry, services: [any Service] = [],
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let api = HubAPI(
            runtime: runtime, tokenLifetime: options.tokenLifetime, requestsPerSecond: options.requestsPerSecond, metrics: registry,
            secureDashboardCookies: options.publicURL?.scheme?.lowercased() == "https")
        return Application(
            router: api.router(),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "RealtyHub"),
            services: services + [SyncDrain(api: api)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? options.port) },
            logger: runtime.logger)
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

extension HubServer {
    /// A bearer token for a client, as `POST /oauth/token` would issue it (the demo prints one).
    public static func issueToken(runtime: HubRuntime, clientID: String, secret: String, lifetime: TimeInterval = 1800) async throws
        -> String
    {
        let tokens = TokenService(secretBox: runtime.secretBox, store: runtime.store, lifetime: lifetime)
        return try await tokens.issue(clientID: clientID, secret: secret, requested: nil).token
    }

    /// A one-time dashboard sign-in link's token for `clientID`, valid 15 minutes: opening
    /// `/dashboard/link?token=<token>` signs the browser in as that client (the demo prints one).
    /// - Throws: ``HubError`` `.notFound` for an unknown client.
    public static func dashboardSignInToken(runtime: HubRuntime, clientID: String) async throws -> String {
        guard let client = try await runtime.store.apiClient(id: clientID) else { throw HubError(.notFound, "no API client \(clientID)") }
        return try await DashboardAuth(store: runtime.store, secureCookies: false).createLink(for: client)
    }
}
