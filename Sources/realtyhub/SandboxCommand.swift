import ArgumentParser
import Foundation
import Logging
import Sandbox
import ServiceLifecycle
import UnixSignals

/// `realtyhub sandbox`: runs local emulators of the vendor APIs until SIGINT or SIGTERM.
///
/// Prints each emulator's base URL, token URL, control URL and demo credentials; with `--json`,
/// exactly one JSON document on stdout: `{"emulators": [{"vendor", "base_url", "auth_url",
/// "control_url", "port", "credentials"}], "settings": {...}}`. Logs go to stderr.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run local emulators of the vendor APIs with seeded data and fault injection.",
        discussion: """
            Each emulator listens on its own port and also serves a control API under /_sandbox \
            (health, writes, faults, reset, control, clock). Stop with Ctrl-C (SIGINT) or SIGTERM.

            Fault spec: comma-separated [vendor:]kind:probability[@route] rules and parameter=value settings, e.g. \
            500:0.1,429:0.05,timeout:0.02,reset:0.01,lost:0.01,slow:0.1,latency=200ms,retry-after=2,timeout=30s,slow=2s. \
            Kinds: 500-599, 429, timeout, reset, garbage, slow, lost, lost-reset, revoke (revokes every live token or \
            session, then runs the request). A vendor prefix limits a rule to one emulator (mycrm:500:0.1); a route \
            limits it to matching paths, * matching anything (pf-expert:429:0.2@/leads*). retry-after=N answers \
            Retry-After: N; retry-after-date=N answers an HTTP-date N seconds ahead.
            """
    )

    @Option(help: "Emulators to start: 'all' or a comma-separated list of pf-expert, propq, mycrm, apimo, boston-logic.")
    var vendors: String = "all"

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "First port: pf-expert N, propq N+1, mycrm N+2, apimo N+3, boston-logic N+4. Omit or 0 for free ports.")
    var portBase: Int?

    @Option(help: "Seeded records per resource (up to 10,000,000: records are derived on demand, only changes take memory).")
    var records: Int = 50

    @Option(help: "Seed of the generated data and of the fault dice.")
    var seed: UInt64 = 42

    @Option(help: "Token/session lifetime (e.g. 30s, 5m); default: each vendor's documented lifetime.")
    var tokenTTL: String?

    @Option(help: "Fault spec, e.g. 500:0.1,mycrm:429:0.05,pf-expert:503:0.2@/leads*,latency=200ms.")
    var faults: String?

    @Option(help: "Delay added to every vendor request (e.g. 50ms).")
    var latency: String?

    @Flag(help: "Print exactly one JSON document describing the emulators on stdout.")
    var json = false

    @Option(help: "Server log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func validate() throws {
        _ = try makeOptions()
    }

    /// The sandbox options these flags describe.
    /// - Throws: `ValidationError` naming the flag and the bad value.
    func makeOptions() throws -> SandboxOptions {
        var settings = EmulatorSettings(records: records, seed: seed)
        guard (0...10_000_000).contains(records) else {
            throw ValidationError("--records must be between 0 and 10000000 (got \(records))")
        }
        if let portBase, !(0...65531).contains(portBase) {
            throw ValidationError("--port-base must be between 0 and 65531 so that five ports fit (got \(portBase))")
        }
        if let tokenTTL {
            let ttl = try Self.duration(tokenTTL, flag: "--token-ttl")
            guard ttl > .zero else { throw ValidationError("--token-ttl must be longer than zero") }
            settings.tokenTTL = ttl
        }
        if let latency {
            settings.latency = try Self.duration(latency, flag: "--latency")
        }
        if let faults {
            do {
                settings.faults = try FaultPlan(spec: faults)
            } catch {
                throw ValidationError("--faults: \(error.description)")
            }
        }
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError(
                "--log-level: unknown level \"\(logLevel)\"; expected trace, debug, info, notice, warning, error or critical")
        }
        return SandboxOptions(
            vendors: try Self.vendorList(vendors),
            host: host,
            portBase: portBase,
            settings: settings,
            logLevel: level
        )
    }

    /// Reads `all` or a comma-separated list of vendor names.
    /// - Throws: `ValidationError` naming the unknown vendor.
    static func vendorList(_ text: String) throws -> [SandboxVendor] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--vendors: give 'all' or at least one vendor name") }
        if names == ["all"] { return SandboxVendor.allCases }
        return try names.map { name in
            guard let vendor = SandboxVendor(rawValue: name) else {
                throw ValidationError(
                    "--vendors: unknown vendor \"\(name)\"; expected \(SandboxVendor.allCases.map(\.rawValue).joined(separator: ", ")) or all"
                )
            }
            return vendor
        }
    }

    /// Reads a duration flag such as `30s` or `5m`.
    /// - Throws: `ValidationError` naming the flag.
    static func duration(_ text: String, flag: String) throws -> Duration {
        do {
            return try Duration(parsing: text)
        } catch {
            throw ValidationError("\(flag): \(error.description)")
        }
    }

    func run() async throws {
        let options = try makeOptions()
        let sandbox = try await SandboxRunner.start(options)
        if json {
            printJSON(sandbox, options: options)
        } else {
            printText(sandbox, options: options)
        }
        var logger = Logger(label: "realtyhub.sandbox")
        logger.logLevel = options.logLevel
        let group = ServiceGroup(
            configuration: .init(
                services: [SandboxService(sandbox: sandbox)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            try? await sandbox.shutdown()
            throw error
        }
    }

    private func printText(_ sandbox: RunningSandbox, options: SandboxOptions) {
        var lines = [
            "RealtyHub sandbox: \(sandbox.emulators.count) emulator(s), seed \(options.settings.seed), "
                + "\(options.settings.records) records per resource. Stop with Ctrl-C.",
            "",
        ]
        for info in sandbox.emulators {
            lines.append("\(info.vendor.rawValue)")
            var rows = [("base URL", info.baseURL)]
            if let authURL = info.authURL { rows.append(("token URL", authURL)) }
            rows.append(("control", info.controlURL))
            rows += info.credentials.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
            let width = rows.map(\.0.count).max() ?? 0
            for (name, value) in rows {
                lines.append("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)")
            }
            lines.append("")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func printJSON(_ sandbox: RunningSandbox, options: SandboxOptions) {
        struct Settings: Encodable {
            var records: Int
            var seed: UInt64
            var tokenTTLSeconds: Double?
            var faults: String
            var latencySeconds: Double
            enum CodingKeys: String, CodingKey {
                case records, seed, faults
                case tokenTTLSeconds = "token_ttl_seconds"
                case latencySeconds = "latency_seconds"
            }
        }
        struct Document: Encodable {
            var emulators: [EmulatorInfo]
            var settings: Settings
        }
        let settings = options.settings
        let document = Document(
            emulators: sandbox.emulators,
            settings: Settings(
                records: settings.records, seed: settings.seed, tokenTTLSeconds: settings.tokenTTL?.timeInterval,
                faults: settings.faults.description, latencySeconds: settings.latency.timeInterval)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(document) {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}

/// Keeps the sandbox running inside the command's service group: returns when graceful
/// shutdown is triggered (after stopping the emulators), fails if the emulators stop on their
/// own.
struct SandboxService: Service {
    let sandbox: RunningSandbox

    struct StoppedUnexpectedly: Error, CustomStringConvertible {
        var description: String { "the emulators stopped unexpectedly" }
    }

    func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                try await sandbox.shutdown()
                return true
            }
            group.addTask {
                try await sandbox.waitUntilStopped()
                return false
            }
            let shutdownRequested = try await group.next() ?? true
            group.cancelAll()
            try await group.waitForAll()
            if !shutdownRequested { throw StoppedUnexpectedly() }
        }
    }
}
