import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle

/// What to start: which emulators, where, and with which settings.
///
/// | key | default | meaning |
/// | --- | --- | --- |
/// | `vendors` | all five | emulators to start |
/// | `host` | `127.0.0.1` | address to bind |
/// | `portBase` | `nil` | `nil` or 0: every emulator on a free port; N: pf-expert N, propq N+1, mycrm N+2, apimo N+3, boston-logic N+4 |
/// | `settings` | `EmulatorSettings()` | records, seed, token TTL, faults, latency, ... |
/// | `clock` | wall clock | time source shared by all emulators |
/// | `logLevel` | `.warning` | level of the servers' logs (stderr) |
/// | `emulatorTypes` | `[:]` | per-vendor emulator types overriding the built-in ones |
public struct SandboxOptions: Sendable {
    /// Emulators to start (duplicates are ignored).
    public var vendors: [SandboxVendor]
    /// Address to bind.
    public var host: String
    /// First port of the fixed layout, or `nil`/0 for free ports.
    public var portBase: Int?
    /// Settings shared by all emulators.
    public var settings: EmulatorSettings
    /// Time source shared by all emulators.
    public var clock: SandboxClock
    /// Level of the servers' logs.
    public var logLevel: Logger.Level
    /// Emulator types overriding the built-in ones (for tests).
    public var emulatorTypes: [SandboxVendor: any VendorEmulator.Type]

    /// Creates options; every parameter has the documented default.
    public init(
        vendors: [SandboxVendor] = SandboxVendor.allCases,
        host: String = "127.0.0.1",
        portBase: Int? = nil,
        settings: EmulatorSettings = EmulatorSettings(),
        clock: SandboxClock = .wall(),
        logLevel: Logger.Level = .warning,
        emulatorTypes: [SandboxVendor: any VendorEmulator.Type] = [:]
    ) {
        self.vendors = vendors
        self.host = host
        self.portBase = portBase
        self.settings = settings
        self.clock = clock
        self.logLevel = logLevel
        self.emulatorTypes = emulatorTypes
    }
}

/// Where one running emulator answers, and how to log in to it.
public struct EmulatorInfo: Sendable, Hashable, Codable {
    /// The vendor.
    public var vendor: SandboxVendor
    /// Base URL of the vendor API, e.g. `http://127.0.0.1:8600` (no trailing slash).
    public var baseURL: String
    /// Full URL of the token endpoint when the real vendor serves it on its own host
    /// (PF Expert); `nil` otherwise.
    public var authURL: String?
    /// Demo credentials in the vendor's own names.
    public var credentials: [String: String]
    /// Base URL of the control API (`<baseURL>/_sandbox`).
    public var controlURL: String
    /// The bound port.
    public var port: Int

    enum CodingKeys: String, CodingKey {
        case vendor, port, credentials
        case baseURL = "base_url"
        case authURL = "auth_url"
        case controlURL = "control_url"
    }
}

/// An error starting the sandbox.
public struct SandboxStartError: Error, CustomStringConvertible, Sendable {
    /// Why the sandbox could not start.
    public var message: String
    public var description: String { message }
}

/// Starts emulators in-process, one Hummingbird server per vendor.
public enum SandboxRunner {
    /// The emulator type built into the sandbox for each vendor.
    /// - Parameter vendor: the vendor.
    /// - Returns: its emulator type, or `nil` when this build has none.
    public static func emulatorType(for vendor: SandboxVendor) -> (any VendorEmulator.Type)? {
        builtInEmulators[vendor]
    }

    /// Starts the emulators and returns once every one is listening.
    /// - Parameter options: what to start.
    /// - Returns: the running sandbox; call ``RunningSandbox/shutdown()`` when done.
    /// - Throws: ``SandboxStartError`` for an unavailable vendor, a bad port, or a server that
    ///   failed to bind (the others are stopped first).
    /// - warning: the servers run until ``RunningSandbox/shutdown()``; prefer
    ///   ``withSandbox(_:_:)`` where a scope fits.
    public static func start(_ options: SandboxOptions) async throws -> RunningSandbox {
        var vendors: [SandboxVendor] = []
        for vendor in options.vendors where !vendors.contains(vendor) { vendors.append(vendor) }
        guard !vendors.isEmpty else { throw SandboxStartError(message: "no vendor to start") }
        if let base = options.portBase, base != 0 {
            guard base > 0, base + SandboxVendor.allCases.count - 1 <= 65535 else {
                throw SandboxStartError(message: "port base \(base) is out of range (1...65531)")
            }
        }

        var logger = Logger(label: "realtyhub.sandbox")
        logger.logLevel = options.logLevel
        let writeLog = WriteLog(clock: options.clock)
        let (ports, portsContinuation) = AsyncThrowingStream<(SandboxVendor, Int), any Error>.makeStream()

        var services: [any Service] = []
        var emulators: [SandboxVendor: any VendorEmulator] = [:]
        var injectors: [SandboxVendor: FaultInjector] = [:]
        for vendor in vendors {
            guard let type = options.emulatorTypes[vendor] ?? builtInEmulators[vendor] else {
                throw SandboxStartError(message: "no emulator for \(vendor.rawValue) in this build")
            }
            let emulator = type.init(settings: options.settings, clock: options.clock, writeLog: writeLog)
            var vendorDice = SeededGenerator(seed: options.settings.seed, stream: vendor.rawValue)
            let injector = FaultInjector(
                plan: options.settings.faults,
                latency: options.settings.latency,
                seed: vendorDice.next(),
                vendor: vendor
            )
            let router = Router(context: SandboxRequestContext.self)
            ControlAPI(emulator: emulator, vendor: vendor, injector: injector, writeLog: writeLog, clock: options.clock)
                .addRoutes(to: router)
            router.add(middleware: FaultMiddleware(injector: injector, revoker: emulator as? any TokenRevoking))
            emulator.addRoutes(to: router)

            let port = options.portBase.map { $0 == 0 ? 0 : $0 + vendor.portOffset } ?? 0
            var vendorLogger = logger
            vendorLogger[metadataKey: "sandbox.vendor"] = .string(vendor.rawValue)
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(options.host, port: port), serverName: nil),
                onServerRunning: { channel in
                    portsContinuation.yield((vendor, channel.localAddress?.port ?? port))
                },
                logger: vendorLogger
            )
            services.append(app)
            emulators[vendor] = emulator
            injectors[vendor] = injector
        }

        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let task = Task {
            do {
                try await group.run()
                portsContinuation.finish()
            } catch {
                portsContinuation.finish(throwing: error)
                throw error
            }
        }

        var bound: [SandboxVendor: Int] = [:]
        do {
            for try await (vendor, port) in ports {
                bound[vendor] = port
                if bound.count == vendors.count { break }
            }
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw SandboxStartError(message: "an emulator failed to start: \(error)")
        }
        guard bound.count == vendors.count else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw SandboxStartError(message: "the emulators stopped before all of them were listening")
        }

        let urlHost = Self.urlHost(options.host)
        let infos = vendors.map { vendor -> EmulatorInfo in
            let port = bound[vendor] ?? 0
            let base = "http://\(urlHost):\(port)"
            let emulator = emulators[vendor]
            return EmulatorInfo(
                vendor: vendor,
                baseURL: base,
                authURL: emulator.flatMap { type(of: $0).tokenPath }.map { base + $0 },
                credentials: emulator?.demoCredentials ?? [:],
                controlURL: base + FaultMiddleware.controlPrefix,
                port: port
            )
        }
        return RunningSandbox(
            emulators: infos,
            writeLog: writeLog,
            clock: options.clock,
            instances: emulators,
            injectors: injectors,
            group: group,
            task: task
        )
    }

    /// Starts the emulators, runs `body`, and shuts them down (also when `body` throws).
    /// - Parameters:
    ///   - options: what to start.
    ///   - body: the work to do while they run.
    /// - Returns: what `body` returns.
    /// - Throws: what `start` or `body` throws.
    public static func withSandbox<T: Sendable>(
        _ options: SandboxOptions,
        _ body: (RunningSandbox) async throws -> T
    ) async throws -> T {
        let sandbox = try await start(options)
        let result: T
        do {
            result = try await body(sandbox)
        } catch {
            try? await sandbox.shutdown()
            throw error
        }
        try await sandbox.shutdown()
        return result
    }

    /// The host as written in a URL: wildcard binds are reached through loopback and IPv6
    /// literals are bracketed.
    static func urlHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}

extension SandboxVendor {
    /// Offset from the port base in the fixed layout (pf-expert 0 … boston-logic 4).
    public var portOffset: Int {
        SandboxVendor.allCases.firstIndex(of: self) ?? 0
    }
}

/// A running sandbox: where each emulator answers, the shared write log and clock, and the
/// in-process handles tests use. Stop it with ``shutdown()``.
public final class RunningSandbox: Sendable {
    /// The running emulators, in the order they were asked for.
    public let emulators: [EmulatorInfo]
    /// Every successful vendor write of this run.
    public let writeLog: WriteLog
    /// The clock shared by all emulators.
    public let clock: SandboxClock
    private let instances: [SandboxVendor: any VendorEmulator]
    private let injectors: [SandboxVendor: FaultInjector]
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(
        emulators: [EmulatorInfo],
        writeLog: WriteLog,
        clock: SandboxClock,
        instances: [SandboxVendor: any VendorEmulator],
        injectors: [SandboxVendor: FaultInjector],
        group: ServiceGroup,
        task: Task<Void, any Error>
    ) {
        self.emulators = emulators
        self.writeLog = writeLog
        self.clock = clock
        self.instances = instances
        self.injectors = injectors
        self.group = group
        self.task = task
    }

    /// Where a vendor's emulator answers, or `nil` when it was not started.
    public func info(_ vendor: SandboxVendor) -> EmulatorInfo? {
        emulators.first { $0.vendor == vendor }
    }

    /// The emulator instance of a vendor (for in-process control), or `nil`.
    public func emulator(_ vendor: SandboxVendor) -> (any VendorEmulator)? {
        instances[vendor]
    }

    /// The fault state of a vendor's emulator, or `nil`.
    public func faults(_ vendor: SandboxVendor) -> FaultInjector? {
        injectors[vendor]
    }

    /// Stops every emulator gracefully: listeners close, requests in flight finish (held
    /// `timeout`/`slow` faults end early). Safe to call more than once.
    /// - Throws: the error a server failed with while running, if any.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Waits until the emulators stop (after ``shutdown()`` or a server failure).
    /// - Throws: the error a server failed with, if any.
    public func waitUntilStopped() async throws {
        try await task.value
    }
}
