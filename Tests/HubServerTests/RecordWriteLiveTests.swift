import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import RealtyModel
import Sandbox
import SyncEngine
import Testing

@testable import HubServer

/// Writes through the API against the sandbox's emulators, one vendor at a time: create → read
/// back → update → read back (and the vendor agrees at the next pull) → delete → gone, as far as
/// each vendor allows, and the refusal of what it does not allow.
@Suite struct RecordWriteLiveTests {
    struct Case: Sendable, CustomStringConvertible {
        var vendor: SandboxVendor
        /// The API collection written.
        var resource: ResourceName
        /// The record created, in RESO names.
        var record: JSONValue
        /// One field changed by the update, and its new value.
        var field: String
        var value: JSONValue
        var canDelete: Bool
        var description: String { "\(vendor.rawValue) \(resource.pathName)" }
    }

    static let stamp = UUID().uuidString.prefix(6).lowercased()
    static let cases: [Case] = [
        Case(
            vendor: .bostonLogic, resource: .contacts,
            record: [
                "FirstName": "Lia", "LastName": "Stone", "Email": .string("lia-\(stamp)@example.com"), "MobilePhone": "+1 617 555 0101",
            ],
            field: "LastName", value: "Stone-Hill", canDelete: true),
        Case(
            vendor: .bostonLogic, resource: .office, record: ["OfficeName": .string("Harbor \(stamp)"), "OfficePhone": "+1 617 555 0102"],
            field: "OfficeName", value: .string("Harbour \(stamp)"), canDelete: true),
        Case(
            vendor: .mycrm, resource: .contacts,
            record: ["FirstName": "Noa", "LastName": "Weiss", "Email": .string("noa-\(stamp)@example.com"), "ContactType": "Client"],
            field: "LastName", value: "Weiss-Ortiz", canDelete: true),
        Case(
            vendor: .mycrm, resource: .contacts,
            record: ["FirstName": "Ivo", "LastName": "Lenz", "Email": .string("ivo-\(stamp)@example.com"), "ContactType": "Lead"],
            field: "FirstName", value: "Ivan", canDelete: true),
        Case(
            vendor: .apimo, resource: .contacts,
            record: ["FirstName": "Elise", "LastName": "Moreau", "Email": .string("elise-\(stamp)@example.com"), "ContactType": "Contact"],
            field: "LastName", value: "Moreau-Petit", canDelete: false),
        Case(
            vendor: .pfExpert, resource: .contacts,
            record: [
                "FirstName": "Omar", "LastName": "Haddad", "Email": .string("omar-\(stamp)@example.com"), "MobilePhone": "+971 50 111 2233",
            ],
            field: "LastName", value: "Haddad-Ali", canDelete: false),
    ]

    struct Hub {
        let sandbox: RunningSandbox
        let runtime: HubRuntime
        let api: HubAPI
        let directory: URL
        let connection: Connection
        let token: String

        static func start(_ vendor: SandboxVendor) async throws -> Hub {
            let sandbox = try await SandboxRunner.start(
                SandboxOptions(
                    vendors: [vendor], settings: EmulatorSettings(records: 5, apimoRatePerSecond: 1000, apimoDailyQuota: 1_000_000)))
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-writes-\(UUID().uuidString)")
            var logger = Logger(label: "live-writes")
            logger.logLevel = .critical
            let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory), logger: logger)
            guard let info = sandbox.info(vendor) else { throw HubError(.notFound, "no emulator for \(vendor)") }
            var fields: [String: Any] = info.credentials
            if vendor == .apimo, let first = info.credentials["agency_ids"]?.split(separator: ",").first {
                fields["agency_ids"] = [String(first)]
            }
            if vendor == .propq, let id = info.credentials["client_id"].flatMap(Int.init) { fields["client_id"] = id }
            let connection = try await runtime.addConnection(
                tenant: "demo", vendor: vendor.rawValue, name: vendor.rawValue, baseURL: info.baseURL,
                authURL: info.authURL.map { _ in info.baseURL }, credentials: try JSONSerialization.data(withJSONObject: fields),
                syncIntervalSeconds: nil)
            let (client, secret) = try await runtime.createAPIClient(tenant: "demo", name: "test", scopes: "*:*")
            let token = try await HubServer.issueToken(runtime: runtime, clientID: client.id, secret: secret)
            let api = HubAPI(runtime: runtime, requestsPerSecond: 10_000, metrics: PrometheusCollectorRegistry())
            return Hub(sandbox: sandbox, runtime: runtime, api: api, directory: directory, connection: connection, token: token)
        }

        func stop() async throws {
            await runtime.shutdown()
            try await sandbox.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Runs the delivery worker until the delivery `id` is no longer waiting.
        func deliver(_ id: String) async throws -> Delivery {
            let worker = runtime.deliveryWorker()
            for _ in 0..<50 {
                _ = try await worker.runOnce()
                let delivery = try #require(try await runtime.store.delivery(id: id, tenant: "demo"))
                if delivery.state == .done || delivery.state == .dead || delivery.state == .conflict { return delivery }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try #require(try await runtime.store.delivery(id: id, tenant: "demo"))
        }

        var application: some ApplicationProtocol {
            var logger = Logger(label: "live-writes")
            logger.logLevel = .critical
            return Application(
                router: api.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        }
    }

    /// Whether the record `key` is marked deleted (empty: no such record).
    static func deletedFlags<R: HubRecord>(_ type: R.Type, _ hub: Hub, key: String) async throws -> [Bool] {
        guard let record = try await hub.runtime.store.record(R.self, tenant: "demo", key: key) else { return [] }
        return [record.metadata.deleted]
    }

    @Test(arguments: cases) func createUpdateDeleteThroughTheAPI(_ test: Case) async throws {
        let hub = try await Hub.start(test.vendor)
        let path = "/v1/\(test.resource.pathName)"
        let token = hub.token
        let body = JSONValue.object(["record": test.record, "connections": [.string(hub.connection.name)]]).jsonText
        let created = try await hub.application.test(.router) { client -> (delivery: String, key: String) in
            let response = try await client.execute(uri: path, method: .post, headers: jsonHeaders(token), body: buffer(body))
            #expect(response.status == .accepted, "\(test): \(response.text)")
            let id = try #require(response.json["deliveries"]?.array?.first?["id"]?.string)
            let done = try await hub.deliver(id)
            #expect(done.state == .done, "\(test): \(done.lastError ?? "")")
            let key = try #require(done.recordKey, "\(test): the delivery names the created record")
            return (id, key)
        }

        try await hub.application.test(.router) { client in
            // Read your write: the hub's copy is there at once, linked to the vendor's record.
            let read = try await client.execute(uri: "\(path)/\(created.key)", method: .get, headers: bearer(token))
            #expect(read.status == .ok)
            for (name, value) in test.record.objectValue ?? [:] where name != "ContactType" {
                #expect(read.json[name] == value, "\(test): \(name)")
            }
            #expect(read.json[test.resource.sourceKeyField]?.string?.isEmpty == false)
            let etag = try #require(read.headers[.eTag])

            let patch = JSONValue.object([test.field: test.value]).jsonText
            let updated = try await client.execute(
                uri: "\(path)/\(created.key)", method: .patch, headers: jsonHeaders(token, extra: [(.ifMatch, etag)]), body: buffer(patch))
            #expect(updated.status == .accepted, "\(test): \(updated.text)")
            let updateID = try #require(updated.json["deliveries"]?.array?.first?["id"]?.string)
            let done = try await hub.deliver(updateID)
            #expect(done.state == .done, "\(test): \(done.lastError ?? "")")
            let reread = try await client.execute(uri: "\(path)/\(created.key)", method: .get, headers: bearer(token))
            #expect(reread.json[test.field] == test.value, "\(test): the change is read back at once")
            #expect(reread.headers[.eTag] != etag)
            // The same If-Match again names the old content now.
            let stale = try await client.execute(
                uri: "\(path)/\(created.key)", method: .patch, headers: jsonHeaders(token, extra: [(.ifMatch, etag)]), body: buffer(patch))
            #expect(stale.status == .preconditionFailed)
        }

        // The vendor holds what the hub shows: a full pull finds the record as written.
        let runs = try await hub.runtime.sync(tenant: "demo", connections: [hub.connection], resource: test.resource, full: true)
        #expect(runs.allSatisfy { $0.status == .succeeded }, "\(test): \(runs.compactMap(\.error))")
        #expect(
            try await Self.deletedFlags(test.resource.recordType, hub, key: created.key) == [false],
            "\(test): still there after a full pass")

        try await hub.application.test(.router) { client in
            let deleted = try await client.execute(uri: "\(path)/\(created.key)", method: .delete, headers: bearer(token))
            guard test.canDelete else {
                #expect(deleted.status == .unprocessableContent, "\(test): \(deleted.text)")
                #expect(deleted.errorCode == "not_supported_by_vendor")
                return
            }
            #expect(deleted.status == .accepted, "\(test): \(deleted.text)")
            let deleteID = try #require(deleted.json["deliveries"]?.array?.first?["id"]?.string)
            let done = try await hub.deliver(deleteID)
            #expect(done.state == .done, "\(test): \(done.lastError ?? "")")
            let gone = try await client.execute(uri: "\(path)/\(created.key)", method: .get, headers: bearer(token))
            #expect(gone.json["DeletedYN"] == true)
        }
        if test.canDelete {
            // Gone at the vendor too: a full pass does not bring it back.
            _ = try await hub.runtime.sync(tenant: "demo", connections: [hub.connection], resource: test.resource, full: true)
            #expect(
                try await Self.deletedFlags(test.resource.recordType, hub, key: created.key) == [true], "\(test): deleted at the vendor")
        }
        try await hub.stop()
    }
}
