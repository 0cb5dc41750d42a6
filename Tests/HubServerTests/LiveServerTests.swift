import AsyncHTTPClient
import Foundation
import HubApp
import HubOperations
import HubServer
import HubStore
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import RealtyModel
import Sandbox
import Testing

import struct ConnectorKit.VendorHTTPConfiguration

#if canImport(Glibc)
    import Glibc
#endif

/// The hub served over loopback against the five sandbox emulators.
@Suite struct LiveServerTests {
    static func request(
        _ http: HTTPClient, _ method: HTTPMethod, _ url: String, token: String? = nil, basic: String? = nil,
        contentType: String? = nil, body: String? = nil
    ) async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let basic { request.headers.add(name: "Authorization", value: "Basic \(Data(basic.utf8).base64EncodedString())") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 10 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    /// The demo's flow in-process (sandbox, tenant, client, five connections, first sync,
    /// server), then a lead posted through the API reaches each emulator that takes leads
    /// exactly once, as the sandbox's write log shows.
    @Test func leadPostedToTheServerIsDeliveredExactlyOnceToEachEmulator() async throws {
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(vendors: SandboxVendor.allCases, settings: EmulatorSettings(records: 10)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-live-\(UUID().uuidString)")
        var logger = Logger(label: "live-test")
        logger.logLevel = .warning
        let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory), logger: logger)
        let http = VendorHTTPConfiguration.standard.makeClient()
        defer { try? FileManager.default.removeItem(at: directory) }

        let (client, secret) = try await runtime.createAPIClient(tenant: "demo", name: "test", scopes: "*:*")
        for info in sandbox.emulators {
            var fields = info.credentials
            if info.vendor == .apimo, let first = fields["agency_ids"]?.split(separator: ",").first { fields["agency_ids"] = String(first) }
            _ = try await runtime.addConnection(
                tenant: "demo", vendor: info.vendor.rawValue, name: info.vendor.rawValue, baseURL: info.baseURL,
                authURL: info.authURL.map { _ in info.baseURL }, credentials: try JSONSerialization.data(withJSONObject: fields),
                syncIntervalSeconds: nil)
        }
        let connections = try await runtime.store.listConnections(tenant: "demo")
        let runs = try await runtime.sync(tenant: "demo", connections: connections, resource: nil, full: true)
        #expect(runs.allSatisfy { $0.status == .succeeded }, "\(runs.filter { $0.status != .succeeded }.map { $0.error ?? "" })")

        let port = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await HubApp.serve(
                runtime: runtime, options: HubServerOptions(port: 0, runWorkers: true), signals: false
            ) { bound in
                port.continuation.yield(bound)
            }
        }
        var iterator = port.stream.makeAsyncIterator()
        let bound = try #require(await iterator.next())
        let base = "http://127.0.0.1:\(bound)"

        let token = try await Self.request(
            http, .POST, "\(base)/oauth/token", basic: "\(client.id):\(secret)", contentType: "application/x-www-form-urlencoded",
            body: "grant_type=client_credentials")
        #expect(token.status == 200)
        let bearer = try #require(token.json["access_token"] as? String)
        let contacts = try await Self.request(http, .GET, "\(base)/v1/contacts?per_page=100", token: bearer)
        #expect(contacts.status == 200 && (contacts.json["count"] as? Int ?? 0) > 0)

        let email = "live-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let lead = #"{"lead":{"FirstName":"Live","LastName":"Test","Email":"\#(email)","MobilePhone":"+34600111222"}}"#
        let accepted = try await Self.request(http, .POST, "\(base)/v1/leads", token: bearer, contentType: "application/json", body: lead)
        #expect(accepted.status == 202, "\(accepted.json)")
        let deliveries = (accepted.json["deliveries"] as? [[String: Any]]) ?? []
        let targets = Set(deliveries.compactMap { $0["connection_id"] as? String })
        let targetVendors = Set(connections.filter { targets.contains($0.id) }.map(\.vendor))
        #expect(targetVendors == ["pf-expert", "mycrm", "apimo", "boston-logic"], "every emulator that takes leads")

        var states: [String] = []
        let deadline = Date().addingTimeInterval(60)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            let list = try await Self.request(http, .GET, "\(base)/v1/deliveries", token: bearer)
            states = ((list.json["value"] as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
        } while states.contains(where: { $0 != "done" && $0 != "dead" }) && Date() < deadline
        #expect(states.count == 4 && states.allSatisfy { $0 == "done" }, "\(states)")

        let encoder = JSONEncoder()
        for vendor in [SandboxVendor.pfExpert, .mycrm, .apimo, .bostonLogic] {
            let creates = sandbox.writeLog.entries(vendor: vendor, operation: .create).filter { entry in
                (try? encoder.encode(entry.body)).map { String(decoding: $0, as: UTF8.self).contains(email) } ?? false
            }
            #expect(creates.count == 1, "\(vendor.rawValue): \(creates.count) creates")
        }

        server.cancel()
        _ = await server.result
        try await http.shutdown()
        await runtime.shutdown()
        try await sandbox.shutdown()
    }

    /// PropQ inventory, the MyCRM address check, a sync started through the API and a
    /// connection test, over HTTP against the emulators.
    @Test func inventoryAddressSyncAndConnectionTestRoutes() async throws {
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(
                vendors: [.propq, .mycrm], settings: EmulatorSettings(records: 10, publishDuration: .milliseconds(300))))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-live-\(UUID().uuidString)")
        var logger = Logger(label: "live-test")
        logger.logLevel = .warning
        let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory), logger: logger)
        let http = VendorHTTPConfiguration.standard.makeClient()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (client, secret) = try await runtime.createAPIClient(tenant: "demo", name: "test", scopes: "*:*")
        var ids: [SandboxVendor: String] = [:]
        for info in sandbox.emulators {
            let connection = try await runtime.addConnection(
                tenant: "demo", vendor: info.vendor.rawValue, name: info.vendor.rawValue, baseURL: info.baseURL,
                authURL: info.authURL.map { _ in info.baseURL }, credentials: try JSONSerialization.data(withJSONObject: info.credentials),
                syncIntervalSeconds: nil)
            ids[info.vendor] = connection.id
        }
        let port = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await HubApp.serve(runtime: runtime, options: HubServerOptions(port: 0, runWorkers: true), signals: false) { bound in
                port.continuation.yield(bound)
            }
        }
        var iterator = port.stream.makeAsyncIterator()
        let base = "http://127.0.0.1:\(try #require(await iterator.next()))"
        let token = try #require(
            try await Self.request(
                http, .POST, "\(base)/oauth/token", basic: "\(client.id):\(secret)", contentType: "application/x-www-form-urlencoded",
                body: "grant_type=client_credentials"
            ).json["access_token"] as? String)
        let propq = try #require(ids[.propq])
        let mycrm = try #require(ids[.mycrm])

        let tested = try await Self.request(http, .POST, "\(base)/v1/connections/\(mycrm)/test", token: token)
        #expect(tested.status == 200 && tested.json["ok"] as? Bool == true, "\(tested.json)")

        let started = try await Self.request(
            http, .POST, "\(base)/v1/connections/\(mycrm)/sync", token: token, contentType: "application/json",
            body: #"{"resource":"contacts","full":true}"#)
        #expect(started.status == 202, "\(started.json)")
        var runs: [[String: Any]] = []
        let syncDeadline = Date().addingTimeInterval(30)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            runs =
                (try await Self.request(http, .GET, "\(base)/v1/sync-runs?connection=\(mycrm)", token: token).json["value"]
                    as? [[String: Any]]) ?? []
        } while !runs.contains(where: { $0["status"] as? String == "succeeded" }) && Date() < syncDeadline
        #expect(runs.first?["status"] as? String == "succeeded" && (runs.first?["inserted"] as? Int ?? 0) > 0, "\(runs)")

        // Each resource's availability and freshness: contacts just synced in full, members never.
        let resources = try await Self.request(http, .GET, "\(base)/v1/connections/\(mycrm)/resources", token: token)
        #expect(resources.status == 200)
        let states = (resources.json["value"] as? [[String: Any]]) ?? []
        #expect(states.compactMap { $0["resource"] as? String } == ["Contacts", "Member"])
        let contacts = try #require(states.first)
        #expect(contacts["availability"] as? String == "available")
        #expect(contacts["core"] as? Bool == true && contacts["incremental"] as? Bool == true)
        #expect(contacts["last_synced_at"] as? String == runs.first?["finished_at"] as? String)
        #expect(contacts["last_full_pass_at"] as? String == runs.first?["started_at"] as? String)
        #expect(states.last?["availability"] as? String == "not_synced")
        #expect(states.last?["last_synced_at"] == nil)
        let missing = try await Self.request(http, .GET, "\(base)/v1/connections/nope/resources", token: token)
        #expect(missing.status == 404)

        let units = try #require(await sandbox.emulator(.propq)?.control(.list(resource: "units")).records)
        guard case .object(let fields)? = units.first, case .string(let development)? = fields["DevId"],
            case .string(let unit)? = fields["UntName"]
        else {
            Issue.record("unexpected unit shape")
            return
        }
        let update = try await Self.request(
            http, .PUT, "\(base)/v1/connections/\(propq)/developments/\(development)/units/\(unit)", token: token,
            contentType: "application/json", body: #"{"status":"SOLD","price":420000,"directions":["North"]}"#)
        #expect(update.status == 202, "\(update.json)")
        let publish = try await Self.request(
            http, .POST, "\(base)/v1/connections/\(propq)/developments/\(development)/publish", token: token)
        #expect(publish.status == 202)
        for id in [update.json["id"] as? String, publish.json["id"] as? String].compactMap({ $0 }) {
            var state = ""
            let deadline = Date().addingTimeInterval(30)
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                state = try await Self.request(http, .GET, "\(base)/v1/deliveries/\(id)", token: token).json["state"] as? String ?? ""
            } while state != "done" && state != "dead" && Date() < deadline
            #expect(state == "done", "delivery \(id)")
        }
        let status = try await Self.request(
            http, .GET, "\(base)/v1/connections/\(propq)/developments/\(development)/publish-status", token: token)
        #expect(status.status == 200 && status.json["status"] as? String == "PUBLISHED", "\(status.json)")
        let unknown = try await Self.request(http, .GET, "\(base)/v1/connections/\(propq)/developments/999999/publish-status", token: token)
        #expect(unknown.status == 404, "\(unknown.json)")

        let address = #"{"address":"1600 Pennsylvania Ave NW, Washington, DC"}"#
        let first = try await Self.request(
            http, .POST, "\(base)/v1/connections/\(mycrm)/address-check", token: token, contentType: "application/json", body: address)
        #expect(first.status == 200 && first.json["cached"] as? Bool == false, "\(first.json)")
        let second = try await Self.request(
            http, .POST, "\(base)/v1/connections/\(mycrm)/address-check", token: token, contentType: "application/json", body: address)
        #expect(second.json["cached"] as? Bool == true)

        server.cancel()
        _ = await server.result
        try await http.shutdown()
        await runtime.shutdown()
        try await sandbox.shutdown()
    }

    /// `realtyhub demo` as a user runs it: it prints a working token, serves, and stops
    /// cleanly on SIGTERM.
    @Test func demoCommandServesAndStopsCleanly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["demo", "--json", "--port", "0", "--records", "5", "--data-dir", directory.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffer = Data()
        var document: [String: Any]?
        while document == nil {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            document = try? JSONSerialization.jsonObject(with: buffer) as? [String: Any]
        }
        let info = try #require(document, "the demo printed its details")
        let url = try #require(info["hub_url"] as? String)
        let token = try #require(info["token"] as? String)
        #expect((info["connections"] as? [Any])?.count == 5)
        let http = VendorHTTPConfiguration.standard.makeClient()
        let contacts = try await Self.request(http, .GET, "\(url)/v1/contacts?per_page=5", token: token)
        #expect(contacts.status == 200 && (contacts.json["count"] as? Int ?? 0) > 0, "the first sync stored contacts")
        let members = try await Self.request(http, .GET, "\(url)/v1/members?per_page=5", token: token)
        #expect(members.status == 200)
        try await http.shutdown()

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SIGTERM stops the demo cleanly")
        // A second run replaces the demo folder; another folder is refused.
        let foreign = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-notdemo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: foreign.appendingPathComponent("keep.txt"))
        defer { try? FileManager.default.removeItem(at: foreign) }
        let refused = Process()
        refused.executableURL = try Self.binary()
        refused.arguments = ["demo", "--port", "0", "--data-dir", foreign.path]
        refused.standardOutput = FileHandle.nullDevice
        refused.standardError = FileHandle.nullDevice
        try refused.run()
        refused.waitUntilExit()
        #expect(refused.terminationStatus != 0)
        #expect(
            FileManager.default.fileExists(atPath: foreign.appendingPathComponent("keep.txt").path),
            "a folder that is not a demo's is left alone")
    }

    static func binary() throws -> URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("realtyhub"),
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("realtyhub"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/realtyhub"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return found
    }
}
