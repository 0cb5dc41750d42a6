import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import RealtyModel

@testable import HubServer

/// A hub with two tenants, records, a connection and API clients with different scopes, and
/// the API router over it.
struct APIHarness {
    let runtime: HubRuntime
    let api: HubAPI
    let directory: URL
    let registry = PrometheusCollectorRegistry()

    /// Tenant A: everything; its clients: `full` (*:*), `reader` (contacts:read only).
    /// Tenant B: one contact; its client `other` (*:*).
    var full: (id: String, secret: String)
    var reader: (id: String, secret: String)
    var other: (id: String, secret: String)
    var connectionID: String
    var contactKeys: [String]
    var otherContactKey: String

    static func make(requestsPerSecond: Double = 10_000, allowPrivateWebhookTargets: Bool = false) async throws -> APIHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-api-\(UUID().uuidString)")
        var logger = Logger(label: "api-test")
        logger.logLevel = .critical
        var configuration = HubConfiguration(dataDirectory: directory)
        configuration.allowPrivateWebhookTargets = allowPrivateWebhookTargets
        let runtime = try await HubRuntime.open(configuration, logger: logger)
        let full = try await runtime.createAPIClient(tenant: "tenant-a", name: "full", scopes: "*:*")
        let reader = try await runtime.createAPIClient(tenant: "tenant-a", name: "reader", scopes: "contacts:read")
        let other = try await runtime.createAPIClient(tenant: "tenant-b", name: "other", scopes: "*:*")
        let credentials = Data(#"{"username":"admin","access_key":"sandbox-access-key-1234"}"#.utf8)
        let connection = try await runtime.addConnection(
            tenant: "tenant-a", vendor: "mycrm", name: "crm", baseURL: "http://127.0.0.1:1", authURL: nil,
            credentials: credentials, syncIntervalSeconds: nil)

        let scope = SyncScope(tenant: "tenant-a", connectionID: connection.id, sourceSystemName: "mycrm")
        let members = (1...3).map { Fixtures.member($0, source: "mycrm") }
        _ = try await runtime.store.upsert(members, scope: scope, cursor: nil)
        let contacts = (0..<25).map { index -> Contact in
            var contact = Fixtures.contact(index)
            contact.ownerMemberSourceKey = "m-\(index % 3 + 1)"
            return contact
        }
        let summary = try await runtime.store.upsert(contacts, scope: scope, cursor: nil)
        let otherScope = SyncScope(tenant: "tenant-b", connectionID: "conn-b", sourceSystemName: "mycrm")
        let otherSummary = try await runtime.store.upsert([Fixtures.contact(999)], scope: otherScope, cursor: nil)

        let api = HubAPI(runtime: runtime, requestsPerSecond: requestsPerSecond, metrics: PrometheusCollectorRegistry())
        return APIHarness(
            runtime: runtime, api: api, directory: directory,
            full: (full.client.id, full.secret), reader: (reader.client.id, reader.secret), other: (other.client.id, other.secret),
            connectionID: connection.id, contactKeys: summary.items.map(\.key), otherContactKey: otherSummary.items[0].key)
    }

    func shutdown() async {
        await runtime.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    var application: some ApplicationProtocol {
        var logger = Logger(label: "api-test")
        logger.logLevel = .warning
        return Application(
            router: api.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    /// Runs `body` against the router.
    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await application.test(.router, body)
    }

    func token(_ client: (id: String, secret: String)) async throws -> String {
        try await HubServer.issueToken(runtime: runtime, clientID: client.id, secret: client.secret)
    }
}

extension TestResponse {
    /// The body as JSON.
    var json: RealtyModel.JSONValue {
        (try? JSONDecoder().decode(RealtyModel.JSONValue.self, from: Data(body.readableBytesView))) ?? .null
    }

    var text: String { String(buffer: body) }

    /// The envelope's error code.
    var errorCode: String? {
        if case .object(let top) = json, case .object(let error)? = top["error"], case .string(let code)? = error["code"] { return code }
        return nil
    }
}

extension RealtyModel.JSONValue {
    subscript(_ key: String) -> RealtyModel.JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var array: [RealtyModel.JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return value.doubleValue }
        return nil
    }
}

func bearer(_ token: String) -> HTTPFields {
    var fields = HTTPFields()
    fields[.authorization] = "Bearer \(token)"
    return fields
}

func jsonHeaders(_ token: String, extra: [(HTTPField.Name, String)] = []) -> HTTPFields {
    var fields = bearer(token)
    fields[.contentType] = "application/json"
    for (name, value) in extra { fields[name] = value }
    return fields
}

func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
