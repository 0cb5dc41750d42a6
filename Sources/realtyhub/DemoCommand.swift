import ArgumentParser
import Foundation
import HubApp
import HubOperations
import HubServer
import HubStore
import Logging
import RealtyModel
import Sandbox
import ServiceLifecycle

/// `realtyhub demo`: the five vendor emulators and the hub, connected, synced and serving.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the sandbox and the hub, connect all five emulators, sync, and serve the API.",
        discussion: """
            Creates the demo data folder (./realtyhub-demo unless --data-dir names another; a demo \
            folder from an earlier run is replaced), a tenant "demo" with an API client, one \
            connection per emulator, and runs a first sync. Prints the hub URL and a curl command \
            with a working token. Stops on Ctrl-C.
            """)

    @Option(name: .customLong("data-dir"), help: "The demo data folder (replaced on each run; must be a demo folder if it exists).")
    var dataDirectory = "realtyhub-demo"

    @Option(help: "The hub's port (0 picks a free one).")
    var port = 8080

    @Option(help: "Records per emulator resource.")
    var records = 50

    @Option(name: .customLong("sandbox-port-base"), help: "First port of the emulators (0 picks free ports).")
    var sandboxPortBase = 0

    @Flag(help: "Print the demo's details as one JSON document (for scripts).")
    var json = false

    static let marker = ".realtyhub-demo"
    static let tenant = "demo"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...100_000).contains(records) else { throw ValidationError("--records must be 1 to 100000") }
    }

    func run() async throws {
        var logger = Logger(label: "realtyhub.demo")
        logger.logLevel = ProcessInfo.processInfo.environment["REALTYHUB_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let directory = URL(fileURLWithPath: dataDirectory)
        do {
            try Self.prepare(directory)
        } catch {
            printError("realtyhub demo: \(error)")
            throw ExitCode.failure
        }

        let sandbox = try await SandboxRunner.start(
            SandboxOptions(
                vendors: SandboxVendor.allCases, host: "127.0.0.1", portBase: sandboxPortBase,
                settings: EmulatorSettings(records: records)))
        let runtime: HubRuntime
        do {
            // The demo folder keeps its own key file; the environment's key (if any) is for real data.
            // Webhooks may go to local receivers (`realtyhub webhooks listen`), unless
            // REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS says 0, false or no.
            var configuration = HubConfiguration(dataDirectory: directory)
            let refuse = ProcessInfo.processInfo.environment["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS"]?.lowercased()
            configuration.allowPrivateWebhookTargets = !["0", "false", "no"].contains(refuse ?? "")
            runtime = try await HubRuntime.open(configuration, logger: logger)
        } catch {
            try? await sandbox.shutdown()
            printError("realtyhub demo: \(error)")
            throw ExitCode.failure
        }

        do {
            let (client, secret) = try await runtime.createAPIClient(tenant: Self.tenant, name: "demo", scopes: "*:*")
            var connections: [Connection] = []
            for info in sandbox.emulators {
                var fields = info.credentials
                // A lead is written to one Apimo agency; with several configured the connector
                // cannot choose, so the demo connects the first agency only.
                if info.vendor == .apimo, let agencies = fields["agency_ids"], let first = agencies.split(separator: ",").first {
                    fields["agency_ids"] = String(first)
                }
                let credentials = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                // PropQ cannot list developments: the demo tracks the emulator's developments of
                // the demo client through the connection's `development_ids` option.
                var options: [String: String] = [:]
                if info.vendor == .propq {
                    let ids = try await Self.propqDevelopmentIDs(sandbox, clientID: fields["client_id"] ?? "")
                    if !ids.isEmpty { options["development_ids"] = ids.joined(separator: ",") }
                }
                connections.append(
                    try await runtime.addConnection(
                        tenant: Self.tenant, vendor: info.vendor.rawValue, name: info.vendor.rawValue, baseURL: info.baseURL,
                        // The token URL exactly as the sandbox prints it (`auth_url`): connectors accept
                        // the auth host or the full token URL.
                        authURL: info.authURL, credentials: credentials, syncIntervalSeconds: 300, options: options))
            }
            if !json { print("Syncing the five emulators…") }
            var summary: [(String, Int, Int)] = []
            for connection in connections {
                let runs = try await runtime.sync(tenant: Self.tenant, connections: [connection], resource: nil, full: true)
                let stored = runs.reduce(0) { $0 + $1.inserted + $1.updated + $1.unchanged }
                summary.append((connection.name, stored, runs.filter { $0.status == .failed }.count))
            }
            let token = try await HubServer.issueToken(runtime: runtime, clientID: client.id, secret: secret)
            let dashboardToken = try await HubServer.dashboardSignInToken(runtime: runtime, clientID: client.id)
            let options = HubServerOptions(host: "127.0.0.1", port: port, runWorkers: true, fullPassInterval: 3600)
            let json = self.json
            let connected = connections
            let synced = summary
            let directoryPath = directory.path
            try await HubApp.serve(runtime: runtime, options: options, alongside: [SandboxService(sandbox: sandbox)]) { port in
                let url = "http://127.0.0.1:\(port)"
                if json {
                    let document: [String: Any] = [
                        "hub_url": url, "client_id": client.id, "client_secret": secret, "token": token, "tenant": Self.tenant,
                        "dashboard_url": "\(url)/dashboard/link?token=\(dashboardToken)",
                        "data_dir": directoryPath,
                        "connections": connected.map { ["id": $0.id, "name": $0.name, "vendor": $0.vendor] },
                        "emulators": sandbox.emulators.map {
                            ["vendor": $0.vendor.rawValue, "base_url": $0.baseURL, "control_url": $0.controlURL]
                        },
                    ]
                    if let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) {
                        FileHandle.standardOutput.write(data + Data("\n".utf8))
                    }
                    return
                }
                var lines = ["", "Synced:"]
                for (name, stored, failed) in synced {
                    lines.append(
                        "  \(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(stored) records"
                            + (failed > 0 ? " (\(failed) runs failed; see realtyhub sync)" : ""))
                }
                lines += [
                    "",
                    "RealtyHub demo is running at \(url)  (data: \(directoryPath), tenant: \(Self.tenant))",
                    "",
                    "Try it (the token is valid for 30 minutes):",
                    "  curl -s -H 'Authorization: Bearer \(token)' '\(url)/v1/contacts?per_page=5&fields=ContactKey,FirstName,LastName,Email,SourceSystemName'",
                    "",
                    "The same records over the RESO Web API (OData):",
                    "  curl -s -G -H 'Authorization: Bearer \(token)' '\(url)/odata/Property' --data-urlencode '$filter=ListPrice gt 100000' --data-urlencode '$select=ListingKey,City,ListPrice' --data-urlencode '$top=5'",
                    "",
                    "Post a lead to every CRM that takes leads:",
                    "  curl -s -X POST -H 'Authorization: Bearer \(token)' -H 'Content-Type: application/json' \\",
                    "    -d '{\"lead\":{\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Email\":\"ada@example.com\"}}' \(url)/v1/leads",
                    "",
                    "A new token:  curl -s -u \(client.id):\(secret) -d grant_type=client_credentials \(url)/oauth/token",
                    "API document: \(url)/openapi.json",
                    "Dashboard (a one-time sign-in link, valid 15 minutes): \(url)/dashboard/link?token=\(dashboardToken)",
                    "",
                    "Watch webhooks arrive as records change (a local receiver with its own subscription):",
                    "  realtyhub webhooks listen --hub \(url) --token \(token)",
                    "",
                    "Ctrl-C stops the hub and the emulators.",
                ]
                print(lines.joined(separator: "\n"))
            }
            await runtime.shutdown()
        } catch {
            await runtime.shutdown()
            try? await sandbox.shutdown()
            printError("realtyhub demo: \(error)")
            throw ExitCode.failure
        }
    }

    /// The ids of the PropQ emulator's developments owned by `clientID` (the demo client), at
    /// most 200 (the most a connection's `development_ids` option takes), from the emulator's
    /// control interface.
    static func propqDevelopmentIDs(_ sandbox: RunningSandbox, clientID: String) async throws -> [String] {
        guard let emulator = sandbox.emulator(.propq) else { return [] }
        let listed = try await emulator.control(.list(resource: "developments"))
        var ids: [String] = []
        for record in listed.records ?? [] {
            guard case .object(let development) = record, case .string(let id)? = development["DevId"],
                case .number(let owner)? = development["ClientId"], owner.int64Value.map(String.init) == clientID
            else { continue }
            ids.append(id)
        }
        return Array(ids.prefix(200))
    }

    /// Creates the demo folder, replacing one an earlier demo made; refuses any other folder.
    static func prepare(_ directory: URL) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            let marker = directory.appendingPathComponent(Self.marker)
            let contents = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
            guard isDirectory.boolValue, manager.fileExists(atPath: marker.path) || contents.isEmpty else {
                throw ValidationError(
                    "\(directory.path) exists and is not a demo folder; the demo replaces its folder, so name another with --data-dir")
            }
            try manager.removeItem(at: directory)
        }
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("created by realtyhub demo; replaced by the next demo run\n".utf8).write(to: directory.appendingPathComponent(Self.marker))
    }
}
