import ApimoConnector
import BostonLogicConnector
import ConnectorKit
import Foundation
import HubApp
import Logging
import RealtyModel
import Synchronization
import Testing

/// Answers Boston Logic requests from a closure and records them.
private final class ProbeTransport: HTTPTransport {
    private let handler: @Sendable (TransportRequest) -> TransportResponse
    private let log = Mutex<[TransportRequest]>([])

    init(_ handler: @escaping @Sendable (TransportRequest) -> TransportResponse) { self.handler = handler }

    var requests: [TransportRequest] { log.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        log.withLock { $0.append(request) }
        return handler(request)
    }
}

@Suite struct ProbeTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let credentials = BostonLogicCredentials(apiKey: "bl-probe-key-123", host: "tenant.example")

    private func request() throws -> ProbeRequest {
        ProbeRequest(
            vendor: .bostonLogic, baseURL: try #require(URL(string: "http://127.0.0.1:9")), credentials: credentials,
            connectionID: "probe-bl")
    }

    private static func envelope(_ data: String) -> TransportResponse {
        TransportResponse(
            status: 200, headers: ["Content-Type": "application/json"],
            body: Data(#"{"status":"success","message":"ok","data":\#(data)}"#.utf8))
    }

    @Test func aWorkingConnectionReportsCapabilitiesAndFirstPages() async throws {
        let transport = ProbeTransport { request in
            request.url.path.hasSuffix("/offices") ? Self.envelope(#"[{"id":5,"name":"Main Office"}]"#) : Self.envelope("[]")
        }
        let report = await HubApp.probe(try request(), logger: logger, transport: transport, clock: ManualConnectorClock(autoAdvance: true))
        #expect(report.succeeded, "\(report.renderedText)")
        #expect(report.authentication.ok)
        let readable = try #require(report.capabilities?.readable)
        #expect(report.resources.map(\.resource) == readable.map(\.resource.rawValue))
        let office = try #require(report.resources.first { $0.resource == "Office" })
        #expect(office.count == 1)
        #expect(office.firstRecordKey == "5")
        #expect(
            transport.requests.allSatisfy { $0.headers["X-BL-API-Key"] == "bl-probe-key-123" && $0.headers["Host"] == "tenant.example" })
        #expect(report.renderedText.contains("[ok  ] authentication"))
        #expect(report.renderedText.hasSuffix("probe succeeded"))
    }

    @Test func refusedCredentialsFailClassifiedWithoutReadingOrLeaking() async throws {
        let transport = ProbeTransport { _ in
            TransportResponse(
                status: 401,
                body: Data(#"{"status":"unauthorized","message":"bad key bl-probe-key-123","errors":["API key invalid"]}"#.utf8))
        }
        let report = await HubApp.probe(try request(), logger: logger, transport: transport, clock: ManualConnectorClock(autoAdvance: true))
        #expect(!report.succeeded)
        #expect(report.authentication.failure?.kind == "auth")
        #expect(report.authentication.failure?.httpStatus == 401)
        #expect(report.resources.isEmpty)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!json.contains("bl-probe-key-123"))
        #expect(!report.renderedText.contains("bl-probe-key-123"))
        #expect(report.renderedText.contains("[FAIL] authentication"))
    }

    @Test func aFailingResourceIsReportedAndTheOthersStillRead() async throws {
        let transport = ProbeTransport { request in
            request.url.path.hasSuffix("/teams")
                ? TransportResponse(
                    status: 401,
                    body: Data(
                        #"{"status":"unauthorized","message":"no","errors":["API Key does not have permissions to read teams"]}"#.utf8))
                : Self.envelope("[]")
        }
        let report = await HubApp.probe(try request(), logger: logger, transport: transport, clock: ManualConnectorClock(autoAdvance: true))
        #expect(!report.succeeded)
        #expect(report.authentication.ok)
        let teams = try #require(report.resources.first { $0.resource == "Teams" })
        #expect(!teams.ok)
        #expect(teams.failure != nil)
        #expect(report.resources.contains { $0.ok })
    }

    /// A server without the lead's property-views route (a path the document only guesses):
    /// activities come from the notes alone and the probe says SKIP for the views and succeeds;
    /// without either route, the whole Activity resource is SKIP and the probe still succeeds.
    @Test(arguments: [false, true])
    func anAuxiliaryRouteTheServerLacksIsSkipped(notesMissingToo: Bool) async throws {
        let noRoute = TransportResponse(status: 404, headers: ["Content-Type": "text/html"], body: Data("<h1>Not Found</h1>".utf8))
        let transport = ProbeTransport { request in
            let path = request.url.path
            if path.hasSuffix("/property_views") { return noRoute }
            if path.hasSuffix("/property_notes") {
                return notesMissingToo ? noRoute : Self.envelope(#"[{"id":3,"note":"Nice view","created_at":"2024-01-02T10:00:00Z"}]"#)
            }
            if path.hasSuffix("/leads/7") { return Self.envelope(#"{"id":7,"first_name":"Jo"}"#) }
            if path.hasSuffix("/leads") { return Self.envelope(#"[{"id":7,"first_name":"Jo"}]"#) }
            return Self.envelope("[]")
        }
        let report = await HubApp.probe(try request(), logger: logger, transport: transport, clock: ManualConnectorClock(autoAdvance: true))
        #expect(report.succeeded, "\(report.renderedText)")
        let activity = try #require(report.resources.first { $0.resource == "Activity" })
        #expect(!activity.core)
        if notesMissingToo {
            #expect(!activity.ok)
            #expect(activity.skipped?.contains("HTTP 404") == true)
            #expect(report.renderedText.contains("[SKIP] Activity     not available on this connection: "))
        } else {
            #expect(activity.ok)
            #expect(activity.count == 1)
            #expect(activity.unavailable.map(\.endpoint) == ["GET /api/v2/leads/{id}/property_views"])
            #expect(
                report.renderedText.contains(
                    "[SKIP] Activity     GET /api/v2/leads/{id}/property_views is not available on this connection (404 "))
        }
        #expect(report.renderedText.hasSuffix("probe succeeded"))
    }

    /// A 401 on an auxiliary route without a permission message, while the key reads the core
    /// lists, is this route's refusal: skipped, not an authentication failure.
    @Test func aBareRefusalOfAnAuxiliaryRouteIsSkippedWhenTheCoreWorks() async throws {
        let refused = TransportResponse(status: 401, body: Data(#"{"status":"unauthorized","message":"Unauthorized"}"#.utf8))
        let transport = ProbeTransport { request in
            let path = request.url.path
            if path.hasSuffix("/property_views") || path.hasSuffix("/property_notes") { return refused }
            if path.hasSuffix("/leads") { return Self.envelope(#"[{"id":7,"first_name":"Jo"}]"#) }
            return Self.envelope("[]")
        }
        let report = await HubApp.probe(try request(), logger: logger, transport: transport, clock: ManualConnectorClock(autoAdvance: true))
        #expect(report.succeeded, "\(report.renderedText)")
        #expect(report.resources.first { $0.resource == "Activity" }?.skipped != nil)
        #expect(report.resources.filter { $0.resource != "Activity" }.allSatisfy { $0.ok })
    }

    @Test func requestsAreBuiltFromFilesOrTheEnvironmentOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("apimo.json")
        try Data(#"{"provider":"12","token":"apimo-secret-token","agency_ids":[3]}"#.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)

        var warnings: [String] = []
        let fromFile = try ProbeRequest(
            vendorName: "apimo", baseURL: "https://api.apimo.pro", authURL: nil, credentialsFile: file.path, connectionID: "c1",
            timeoutSeconds: 5, environment: [:], warn: { warnings.append($0) })
        #expect(fromFile.credentials as? ApimoCredentials == .apimo(provider: "12", token: "apimo-secret-token", agencyIDs: ["3"]))
        #expect(fromFile.timeouts.request == .seconds(5))
        #expect(warnings.count == 1 && warnings[0].contains("chmod 600"))

        let fromEnvironment = try ProbeRequest(
            vendorName: "PF-EXPERT", baseURL: "http://127.0.0.1:8080", authURL: "http://127.0.0.1:8081", credentialsFile: nil,
            connectionID: "", timeoutSeconds: nil, environment: ["REALTYHUB_CREDENTIALS": #"{"api_key":"k1234","api_secret":"s1234"}"#])
        #expect(fromEnvironment.vendor.rawValue == "pf-expert")
        #expect(fromEnvironment.connectionID == "probe")
        #expect(fromEnvironment.authURL?.port == 8081)

        let cases: [(String, String, String?, [String: String], String)] = [
            ("zillow", "https://x.example", file.path, [:], "unknown vendor"),
            ("apimo", "ftp://x.example", file.path, [:], "--base-url"),
            ("apimo", "https://user:pw@x.example", file.path, [:], "must not carry credentials"),
            ("apimo", "https://x.example", nil, [:], "no credentials"),
            ("apimo", "https://x.example", directory.appendingPathComponent("missing.json").path, [:], "cannot read"),
            ("mycrm", "https://x.example", file.path, [:], "\"username\" is missing"),
        ]
        for (vendor, base, path, environment, expected) in cases {
            let error = #expect(throws: ProbeSetupError.self) {
                try ProbeRequest(
                    vendorName: vendor, baseURL: base, authURL: nil, credentialsFile: path, connectionID: "c",
                    timeoutSeconds: nil, environment: environment)
            }
            #expect(error?.message.contains(expected) == true, "\(vendor) \(base): \(error?.message ?? "no error")")
            #expect(error?.message.contains("apimo-secret-token") == false)
        }
        #expect(throws: ProbeSetupError.self) {
            try ProbeRequest(
                vendorName: "apimo", baseURL: "https://x.example", authURL: nil, credentialsFile: file.path, connectionID: "c",
                timeoutSeconds: -1, environment: [:])
        }
    }
}
