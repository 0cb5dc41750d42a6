import AsyncHTTPClient
import ConnectorKit
import Connectors
import Foundation
import Logging
import NIOCore
import RealtyModel
import Sandbox
import Synchronization

/// One sandbox emulator reached over loopback, with a shared `HTTPClient` and a transport that
/// counts the requests it sends, for the live connector tests.
///
/// Each test starts its own harness (the emulators listen on free ports) and stops it with
/// ``shutdown()``; ``withLiveSandbox(_:settings:clock:_:)`` does both around a body.
final class LiveSandbox: Sendable {
    /// The running sandbox (emulators, write log, clock, fault injectors).
    let sandbox: RunningSandbox
    /// The shared client every connector of this harness uses.
    let httpClient: HTTPClient
    /// Counts the requests sent through ``transport`` by method and path.
    let traffic: CountingTransport
    /// The transport connectors are built with.
    var transport: any HTTPTransport { traffic }

    private init(sandbox: RunningSandbox, httpClient: HTTPClient, traffic: CountingTransport) {
        self.sandbox = sandbox
        self.httpClient = httpClient
        self.traffic = traffic
    }

    /// Starts the emulators of `vendors` on free loopback ports.
    ///
    /// - Parameters:
    ///   - vendors: the emulators to start.
    ///   - settings: records, token TTL, faults, latency, publish duration, ...
    ///   - clock: the sandbox clock (`.manual(start:)` for tests that move time).
    ///   - readTimeout: the client's read timeout (short, so `timeout` faults end quickly).
    static func start(
        _ vendors: [SandboxVendor], settings: EmulatorSettings = EmulatorSettings(), clock: SandboxClock = .wall(),
        readTimeout: Duration = .seconds(5)
    ) async throws -> LiveSandbox {
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(vendors: vendors, portBase: 0, settings: settings, clock: clock, logLevel: .critical))
        let client = VendorHTTPConfiguration(connectTimeout: .seconds(2), readTimeout: readTimeout).makeClient()
        let traffic = CountingTransport(base: AsyncHTTPClientTransport(client: client))
        return LiveSandbox(sandbox: sandbox, httpClient: client, traffic: traffic)
    }

    /// Where `vendor`'s emulator answers.
    func info(_ vendor: SandboxVendor) throws -> EmulatorInfo {
        guard let info = sandbox.info(vendor) else { throw LiveHarnessError("\(vendor.rawValue) is not running") }
        return info
    }

    /// The emulator instance of `vendor`, for in-process control.
    func emulator(_ vendor: SandboxVendor) throws -> any VendorEmulator {
        guard let emulator = sandbox.emulator(vendor) else { throw LiveHarnessError("\(vendor.rawValue) is not running") }
        return emulator
    }

    /// The fault injector of `vendor`'s emulator.
    func faults(_ vendor: SandboxVendor) throws -> FaultInjector {
        guard let injector = sandbox.faults(vendor) else { throw LiveHarnessError("\(vendor.rawValue) is not running") }
        return injector
    }

    /// The configuration of a connection to `vendor`'s emulator, from its published info: base
    /// URL, auth host (the origin of `authURL`) and the demo credentials decoded from the vendor's
    /// own JSON names.
    func configuration(_ vendor: SandboxVendor, connectionID: String = "live-test") throws -> ConnectorConfiguration {
        let info = try self.info(vendor)
        guard let vendorID = ConnectorRegistry.vendor(named: vendor.rawValue) else {
            throw LiveHarnessError("no connector vendor named \(vendor.rawValue)")
        }
        guard let baseURL = URL(string: info.baseURL) else { throw LiveHarnessError("bad base URL \(info.baseURL)") }
        var authURL: URL?
        if let full = info.authURL, var components = URLComponents(string: full) {
            components.path = ""
            components.query = nil
            authURL = components.url
        }
        let json = try JSONSerialization.data(withJSONObject: info.credentials, options: [.sortedKeys])
        let credentials = try ConnectorRegistry.credentials(for: vendorID, json: json)
        return ConnectorConfiguration(connectionID: connectionID, baseURL: baseURL, authURL: authURL, credentials: credentials)
    }

    /// Builds `vendor`'s connector through the registry.
    ///
    /// - Parameters:
    ///   - vendor: the vendor.
    ///   - clock: the connector's clock (default: the system clock).
    ///   - adjust: changes to the configuration (retry policy, page size, options, ...).
    func connector(
        _ vendor: SandboxVendor, clock: any ConnectorClock = SystemConnectorClock(),
        adjust: (inout ConnectorConfiguration) -> Void = { _ in }
    ) throws -> any Connector {
        var configuration = try self.configuration(vendor)
        adjust(&configuration)
        var logger = Logger(label: "realtyhub.live-test")
        logger.logLevel = .critical
        return try ConnectorRegistry.make(
            vendor: configuration.vendor, configuration: configuration, transport: transport, clock: clock, logger: logger)
    }

    /// Stops the client and the emulators. Safe to call once per harness.
    func shutdown() async {
        try? await httpClient.shutdown()
        try? await sandbox.shutdown()
    }
}

/// Starts a ``LiveSandbox``, runs `body`, and shuts it down (also when `body` throws).
func withLiveSandbox<T: Sendable>(
    _ vendors: [SandboxVendor], settings: EmulatorSettings = EmulatorSettings(), clock: SandboxClock = .wall(),
    readTimeout: Duration = .seconds(5), _ body: (LiveSandbox) async throws -> T
) async throws -> T {
    let live = try await LiveSandbox.start(vendors, settings: settings, clock: clock, readTimeout: readTimeout)
    do {
        let result = try await body(live)
        await live.shutdown()
        return result
    } catch {
        await live.shutdown()
        throw error
    }
}

/// A transport that forwards to another one and counts what it sends, by method and path.
/// Measures real traffic (e.g. how many token requests concurrent readers caused).
final class CountingTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let counts = Mutex<[String: Int]>([:])

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let key = "\(request.method.rawValue) \(request.url.path)"
        counts.withLock { $0[key, default: 0] += 1 }
        return try await base.send(request)
    }

    /// Requests sent to `path` (any method, or only `method`).
    func count(path: String, method: HTTPMethod? = nil) -> Int {
        counts.withLock { counts in
            counts.reduce(0) { total, entry in
                let parts = entry.key.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[1] == path, method == nil || parts[0] == method?.rawValue else { return total }
                return total + entry.value
            }
        }
    }

    /// Requests sent to paths starting with `prefix`.
    func count(pathPrefix prefix: String) -> Int {
        counts.withLock { counts in
            counts.reduce(0) { total, entry in
                let path = entry.key.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
                return path.hasPrefix(prefix) ? total + entry.value : total
            }
        }
    }

    /// All requests sent so far.
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }

    /// Forgets the counts.
    func reset() { counts.withLock { $0 = [:] } }
}

/// A harness failure (an emulator not started, a bad published URL).
struct LiveHarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Connector {
    /// Reads every page of `type` and returns the records and the pages' count.
    func readAll<R: HubRecord>(_ type: R.Type, mode: ReadMode = .full, after cursor: String? = nil) async throws
        -> (records: [R], pages: Int, cursor: String?)
    {
        var records: [R] = []
        var pages = 0
        var last = cursor
        for try await page in read(type, mode: mode, after: cursor) {
            records += page.records
            pages += 1
            if let next = page.cursor { last = next }
        }
        return (records, pages, last)
    }
}

/// The count of records the emulator holds for `resource` (`control(.list)`).
func emulatorCount(_ live: LiveSandbox, _ vendor: SandboxVendor, _ resource: String) async throws -> Int {
    let response = try await live.emulator(vendor).control(.list(resource: resource))
    return response.records?.count ?? response.ids.count
}

/// Runs `body` and returns the `ConnectorError` it threw, or `nil` when it did not throw one.
func connectorError(_ body: () async throws -> Void) async -> ConnectorError? {
    do {
        try await body()
        return nil
    } catch let error as ConnectorError {
        return error
    } catch {
        return nil
    }
}
