public import ConnectorKit
import Foundation
public import Logging
public import RealtyModel

/// The Resales Online PropQ connector (API 1.7.0, "New Development updates").
///
/// - Auth: OAuth2 client credentials at `{base}/oauth/token` with a form body (`grant_type`,
///   the integer `client_id`, `client_secret`) and no JSON content type; the token is cached
///   for the `expires_in` of the answer and renewed once when the API answers 401.
/// - Every API call carries `Content-Type: application/json`, as the document requires (PropQ
///   answers 3xx without it), including calls without a body.
/// - Paths: the endpoint reference prints every development endpoint as
///   `https://api.propq.com/v1/developments/...`; only the PHP example uses `/api/v1`, and for
///   another endpoint (`/iam/me`). The connector follows the endpoint reference: `/v1`. A base
///   URL with a path prefix (`https://host/api`) serves an installation mounted elsewhere.
/// - Operations: ``updateUnit(development:unitName:changes:)``, ``publish(development:)`` and
///   ``publishStatus(development:)``.
/// - Reads: PropQ has no list of developments, so `Development` records are read for the
///   developments this connection is told to track (`developmentIDs`), one publish-status call
///   each; an id PropQ does not know (404) is left out of the pass. Without tracked
///   developments the connection declares nothing readable. The developments come from the
///   `developmentIDs` argument or, when it is empty, from the configuration option
///   `development_ids` (comma-separated), which is how the registry builds a PropQ connection.
public struct ResalesOnlineConnector: Connector {
    /// `propq`.
    public let vendor = VendorID.propq
    /// What PropQ connections can read and do.
    public let capabilities: ConnectorCapabilities
    /// The developments whose publish status `read(Development.self, ...)` reports.
    public let developmentIDs: [String]
    let client: VendorHTTPClient

    /// The configuration option naming the tracked developments, comma-separated.
    public static let developmentIDsOption = "development_ids"

    /// Most developments one connection tracks: each costs one publish-status request per pull,
    /// and a developer account holds a handful of developments.
    public static let maxTrackedDevelopments = 200

    /// The `development_ids` option as the hub checks it when a connection is added or changed.
    ///
    /// The document types `development_id` as a string path parameter and shows no example, so
    /// an id is not required to be a number: any 1 to 64 ASCII letters, digits, `.`, `_` or `-`
    /// beginning with a letter or digit (safe in a path as it is) is taken; no id twice; at most
    /// ``maxTrackedDevelopments``.
    ///
    /// There is no discovery: `GET /api/v1/iam/me` appears only in the document's PHP example,
    /// which prints "the information of the current user" without saying what it holds (the
    /// vendor notes: "shape undocumented"); nothing documents that it lists developments, so
    /// the ids come from this option alone.
    public static let developmentIDsSpec = ConnectionOptionSpec(
        key: developmentIDsOption,
        summary: "The PropQ development ids whose publish status the connection reads (PropQ cannot list developments)",
        rule: .idList(maxCount: maxTrackedDevelopments, maxLength: 64))

    /// The vendor operations this connector offers.
    public static let operations = ["update-unit", "publish-development", "publish-status"]

    /// Creates a connector.
    ///
    /// - Parameters:
    ///   - configuration: the connection: base URL (`https://api.propq.com` or a sandbox; the
    ///     token endpoint is `/oauth/token` under `authURL`, default the base URL) and `.propq`
    ///     credentials.
    ///   - transport: the HTTP transport.
    ///   - clock: the time source (token expiry, backoff).
    ///   - logger: the connection's logger.
    ///   - developmentIDs: the developments whose publish status reads report (default: the
    ///     configuration's `development_ids` option).
    /// - Throws: ``ConnectorError`` `.configuration` when the configuration does not fit.
    public init(
        configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger, developmentIDs: [String] = []
    ) throws {
        let redactor = configuration.redactor
        client = try VendorHTTPClient(
            standardAuth: configuration, profile: .propq, transport: transport, clock: clock, logger: logger,
            errorDecoder: { response, _ in ResalesOnlineErrors.classify(response, redactor: redactor) })
        self.developmentIDs =
            developmentIDs.isEmpty
            ? Self.developmentIDs(option: configuration.options[Self.developmentIDsOption]) : developmentIDs
        // PropQ cannot list developments: `Development` is readable only on a connection that
        // is told which developments to follow.
        let readable =
            self.developmentIDs.isEmpty
            ? []
            : [
                ReadCapability(
                    resource: .development, vendorEndpoints: ["GET /v1/developments/{development_id}/publish-status"],
                    incremental: false)
            ]
        capabilities = ConnectorCapabilities(readable: readable, writable: [], operations: Self.operations)
    }

    /// The development ids of a `development_ids` option: comma-separated, trimmed, empty items
    /// and repeats dropped, order kept.
    static func developmentIDs(option: String?) -> [String] {
        guard let option else { return [] }
        var seen: Set<String> = []
        return option.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    // MARK: - Verify

    /// Requests a token, proving the client id and secret.
    ///
    /// - Throws: ``ConnectorError`` `.auth` naming the connection when refused.
    public func verify() async throws {
        try await client.authenticate()
    }

    // MARK: - Operations

    /// Updates one unit of a development, found by its name (`UntName`).
    ///
    /// `POST /v1/developments/{development_id}/units/update-by-name` with
    /// `{"UntName", "UntStatus", "UntPrice", "UntDirections"}`. Setting a unit to a state is
    /// idempotent, so transient failures are retried.
    ///
    /// - Parameters:
    ///   - development: the development project id.
    ///   - unitName: the unit's name.
    ///   - changes: the unit's new status, price and directions.
    /// - Returns: PropQ's answer (undocumented; nil when empty).
    /// - Throws: ``ConnectorError``: `.validation` with field errors (422), `.notFound`, ...
    @discardableResult
    public func updateUnit(development: String, unitName: String, changes: UnitChanges) async throws -> JSONValue? {
        let id = try checkedID(development)
        let problems = changes.validate(unitName: unitName)
        guard problems.isEmpty else {
            throw ConnectorError(
                .validation, vendor: .propq, message: "the unit change is not valid", fieldErrors: problems,
                connectionID: client.connectionID, operation: "POST update-by-name")
        }
        let body = UnitUpdateBody(unitName: unitName, changes: changes)
        return try await call(
            .post, "/v1/developments/\(id)/units/update-by-name", body: body, idempotent: true,
            operation: "POST /v1/developments/{id}/units/update-by-name")
    }

    /// Publishes a development (`POST /v1/developments/{development_id}/publish`).
    ///
    /// Publishing runs in the background at PropQ; follow it with ``publishStatus(development:)``.
    /// Asking again publishes the same content again, so transient failures are retried.
    ///
    /// - Parameter development: the development project id.
    /// - Returns: PropQ's answer (undocumented; nil when empty).
    /// - Throws: ``ConnectorError``.
    @discardableResult
    public func publish(development: String) async throws -> JSONValue? {
        let id = try checkedID(development)
        return try await call(
            .post, "/v1/developments/\(id)/publish", body: nil, idempotent: true,
            operation: "POST /v1/developments/{id}/publish")
    }

    /// The publication state of a development (`GET /v1/developments/{development_id}/publish-status`).
    ///
    /// - Parameter development: the development project id.
    /// - Returns: `DevStatus` (`PUBLISHING`, `PUBLISHED`, ...).
    /// - Throws: ``ConnectorError`` `.notFound` for an unknown development id.
    public func publishStatus(development: String) async throws -> PublishStatus {
        try await publishStatusBody(development: development).status
    }

    func publishStatusBody(development: String) async throws -> PublishStatusBody {
        let id = try checkedID(development)
        let operation = "GET /v1/developments/{id}/publish-status"
        let raw = try await call(.get, "/v1/developments/\(id)/publish-status", body: nil, idempotent: true, operation: operation)
        do {
            return try PublishStatusBody(json: raw ?? .null)
        } catch let error as ResalesOnlineWireError {
            throw ConnectorError(
                .invalidResponse, vendor: .propq, message: error.reason, connectionID: client.connectionID, operation: operation)
        }
    }

    /// A development id usable in a path.
    func checkedID(_ development: String) throws -> String {
        let id = development.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, !id.contains(where: { "/?#%".contains($0) || $0.isWhitespace }) else {
            throw ConnectorError(
                .validation, vendor: .propq, message: "\"\(development)\" is not a PropQ development id",
                fieldErrors: [FieldError(field: "development_id", message: "must be a non-empty id without / ? # %")],
                connectionID: client.connectionID)
        }
        return id
    }

    /// Sends one API call with the headers PropQ requires and reads its JSON answer.
    private func call(
        _ method: ConnectorKit.HTTPMethod, _ path: String, body: (any Encodable)?, idempotent: Bool, operation: String
    ) async throws -> JSONValue? {
        var request = try client.jsonRequest(
            method, try client.url(path), body: body, isIdempotent: idempotent, operationName: operation)
        request.headers["Content-Type"] = "application/json"
        let response = try await client.send(request)
        guard !response.body.isEmpty else { return nil }
        return try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
    }

    // MARK: - Read

    /// Reads `Development` records: the publish status of each tracked development, a page
    /// per 25 developments. Always a full pass.
    ///
    /// - Returns: the pages; `.configuration` when no developments are tracked.
    public func read<R: HubRecord>(
        _ type: R.Type, mode: ReadMode, after cursor: String?
    ) -> AsyncThrowingStream<ConnectorPage<R>, any Error> {
        guard R.resource == .development else {
            return AsyncThrowingStream {
                $0.finish(
                    throwing: ConnectorError.unsupported(
                        .propq, "read \(R.resource.rawValue) records", connectionID: client.connectionID))
            }
        }
        guard !developmentIDs.isEmpty else {
            // No pass at all rather than an empty one: an empty full pass would mark every
            // stored development deleted.
            return AsyncThrowingStream {
                $0.finish(
                    throwing: ConnectorError(
                        .configuration, vendor: .propq,
                        message: "PropQ cannot list developments; this connection tracks none (configure the development ids)",
                        connectionID: client.connectionID))
            }
        }
        let session: ResalesOnlineReadSession<R>
        do {
            session = try ResalesOnlineReadSession(connector: self, cursor: cursor)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return AsyncThrowingStream { try await session.next() }
    }
}

/// The position of a development read: the index of the next development to ask about.
struct ResalesOnlineCursor: Codable, Sendable, Hashable {
    var next: Int
}

/// Reads the tracked developments' publish status, a page per batch of developments.
actor ResalesOnlineReadSession<R: HubRecord> {
    /// Developments per page.
    static var batchSize: Int { 25 }

    private let connector: ResalesOnlineConnector
    private var next: Int
    private var finished = false

    init(connector: ResalesOnlineConnector, cursor: String?) throws {
        self.connector = connector
        var start = 0
        if let cursor {
            start = try CursorCoding.decode(ResalesOnlineCursor.self, from: cursor, vendor: .propq).next
            // The list of developments may have changed since the cursor was written.
            if start < 0 || start >= connector.developmentIDs.count { start = 0 }
        }
        next = start
    }

    func next() async throws -> ConnectorPage<R>? {
        guard !finished else { return nil }
        let ids = connector.developmentIDs
        let end = min(next + Self.batchSize, ids.count)
        var records: [R] = []
        for id in ids[next..<end] {
            let body: PublishStatusBody
            do {
                body = try await connector.publishStatusBody(development: id)
            } catch let error as ConnectorError where error.kind == .notFound {
                continue
            }
            if let record = ResalesOnlineMapping.development(id: id, status: body) as? R {
                var record = record
                record.metadata.connectionID = connector.client.connectionID
                records.append(record)
            }
        }
        next = end
        if end >= ids.count {
            finished = true
            return ConnectorPage(records: records, cursor: CursorCoding.encode(ResalesOnlineCursor(next: 0)), isLast: true)
        }
        return ConnectorPage(records: records, cursor: CursorCoding.encode(ResalesOnlineCursor(next: end)), isLast: false)
    }
}
