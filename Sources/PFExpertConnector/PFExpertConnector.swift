public import ConnectorKit
import Foundation
public import Logging
public import RealtyModel

/// The PF Expert connector (Property Finder's CRM, legacy "MyCRM API v2").
///
/// - Auth: OAuth2 client credentials on the separate auth host (`authURL`,
///   `/auth/oauth/v1/token`), HTTP Basic `api_key:api_secret` with the JSON body
///   `{"scope":"openid","grant_type":"client_credentials"}`; the 30-minute bearer is cached,
///   renewed before it expires and once more when the API answers 401.
/// - Reads: users → `Member`; properties → `Property`; leads → `Contacts` (`ContactType` Lead);
///   WhatsApp leads and tracked calls → `Activity`. Lists are paged with `page`/`per_page`
///   (at most 100) until `count` is covered, sorted by id ascending so records created during a
///   pass land on later pages. Incremental reads use the documented date filters from the
///   newest change seen by the previous pass (less a day: the filters take dates, and the
///   vendor's time zone is not documented).
/// - Writes: leads, properties and users are created with `POST` (201 + `Location`); leads and
///   properties are updated with `PATCH` and a `replace` operation per changed value (the update
///   form the properties page documents), after checking the record's `updated_at`; properties
///   are deleted with `DELETE`. Vocabularies and writable fields: `docs/vendors/pf-expert.md`.
/// - Lookup: a property by its reference (`filters[reference]`); a user by email; a lead by email or mobile
///   among the leads created in the last two days (`filters[created][from]`), the only lead
///   filter documented, which covers a delivery interrupted between the vendor's success and
///   the hub's commit.
public struct PFExpertConnector: Connector {
    /// `pf-expert`.
    public let vendor = VendorID.pfExpert
    /// What PF Expert connections can read, write and do.
    public let capabilities: ConnectorCapabilities
    /// Passport data on leads, plus the standard fields (see ``VendorProfile/pfExpert``).
    public var sensitiveFields: SensitiveFields { VendorProfile.pfExpert.sensitiveFields }
    let client: VendorHTTPClient
    let clock: any ConnectorClock

    /// How far back a lead lookup searches (leads created since then).
    static let lookupWindow: TimeInterval = 2 * 86_400
    /// The most pages a lead lookup reads.
    static let lookupPageLimit = 10

    /// The capabilities every PF Expert connection has.
    public static let capabilities = ConnectorCapabilities(
        readable: [ResourceName.member, .property, .contacts, .activity].map(PFExpertEndpoint.readCapability),
        writable: [
            WriteCapability(
                resource: .contacts, canCreate: true, canUpdate: true, lookupKeys: [.email, .phone], fields: PFExpertMapping.leadFields),
            WriteCapability(
                resource: .property, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.externalReference],
                fields: PFExpertMapping.propertyFields),
            WriteCapability(resource: .member, canCreate: true, canUpdate: false, lookupKeys: [.email], fields: PFExpertMapping.userFields),
        ],
        operations: ["search-locations"])

    /// Creates a connector.
    ///
    /// - Parameters:
    ///   - configuration: the connection: API base URL (`https://api-v2.mycrm.com` or a
    ///     sandbox), auth URL (the host `https://auth.propertyfinder.com` or the full token URL
    ///     `https://auth.propertyfinder.com/auth/oauth/v1/token`; a sandbox serves both)
    ///     and `.pfExpert` credentials.
    ///   - transport: the HTTP transport.
    ///   - clock: the time source (token expiry, backoff).
    ///   - logger: the connection's logger.
    /// - Throws: ``ConnectorError`` `.configuration` when the configuration does not fit.
    public init(
        configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger
    ) throws {
        // `--auth-url` is read as either the auth host (`https://auth.propertyfinder.com`) or the
        // full token URL the vendor document prints (`.../auth/oauth/v1/token`, also what
        // `realtyhub sandbox --json` prints as `auth_url`); the kit accepts both.
        let redactor = configuration.redactor
        client = try VendorHTTPClient(
            standardAuth: configuration, profile: .pfExpert, transport: transport, clock: clock, logger: logger,
            errorDecoder: { response, request in
                let (names, resource) = Self.errorContext(for: request.url.path)
                return PFExpertErrors.classify(response, redactor: redactor, fieldNames: names, resource: resource)
            })
        self.clock = clock
        capabilities = Self.capabilities
    }

    /// Field names and resource for validation errors of a request path.
    static func errorContext(for path: String) -> ([String: String], ResourceName?) {
        if path.contains("/leads") { return (PFExpertErrors.leadFieldNames, .contacts) }
        if path.contains("/properties") { return (PFExpertErrors.propertyFieldNames, .property) }
        if path.contains("/users") { return (PFExpertErrors.userFieldNames, .member) }
        return ([:], nil)
    }

    // MARK: - Verify

    /// Requests a token, proving the API key and secret.
    ///
    /// - Throws: ``ConnectorError`` `.auth` naming the connection when refused.
    public func verify() async throws {
        try await client.authenticate()
    }

    // MARK: - Read

    /// Reads `Member`, `Property`, `Contacts` or `Activity` records page by page.
    ///
    /// - Parameters:
    ///   - type: the resource.
    ///   - mode: `.full` reads every record; `.incremental` reads what changed since the marks
    ///     in `cursor`: leads and properties newest change first until the mark, tracked calls
    ///     by their date filter; endpoints without a change signal are read whole.
    ///   - cursor: a page's cursor: resumes after that page, or, from the last page of a pass,
    ///     starts the next pass from its marks.
    /// - Returns: the pages; failures are ``ConnectorError``s.
    public func read<R: HubRecord>(
        _ type: R.Type, mode: ReadMode, after cursor: String?
    ) -> AsyncThrowingStream<ConnectorPage<R>, any Error> {
        let endpoints = PFExpertEndpoint.endpoints(for: R.resource)
        guard !endpoints.isEmpty else {
            return AsyncThrowingStream {
                $0.finish(
                    throwing: ConnectorError.unsupported(
                        .pfExpert, "read \(R.resource.rawValue) records", connectionID: client.connectionID))
            }
        }
        let session: PFExpertReadSession<R>
        do {
            session = try PFExpertReadSession(client: client, clock: clock, endpoints: endpoints, mode: mode, cursor: cursor)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return AsyncThrowingStream { try await session.next() }
    }

    // MARK: - Locations

    /// Searches PF's locations by name (`GET /locations?filters[string]=...`), for the location
    /// id a property needs.
    ///
    /// - Parameters:
    ///   - text: part of a city, community, sub-community or tower name.
    ///   - page: the page (1-based).
    /// - Returns: the matching locations of that page.
    /// - Throws: ``ConnectorError``.
    public func searchLocations(_ text: String, page: Int = 1) async throws -> [PFLocation] {
        let url = try client.url(
            "/locations",
            query: [
                URLQueryItem(name: "filters[string]", value: text), URLQueryItem(name: "page", value: String(max(1, page))),
                URLQueryItem(name: "per_page", value: "100"),
            ])
        let list = try await client.pfList(url, name: "locations", path: "/locations", listKey: "location")
        do {
            return try list.items.map(PFLocation.init(json:))
        } catch let error as WirePayloadError {
            throw ConnectorError(.invalidResponse, vendor: .pfExpert, message: error.description, connectionID: client.connectionID)
        }
    }
}

extension VendorHTTPClient {
    /// Reads one list answer of `endpoint`.
    func pfList(_ url: URL, endpoint: PFExpertEndpoint) async throws -> PFListPage {
        try await pfList(url, name: endpoint.name, path: endpoint.path, listKey: endpoint.listKey, expand: endpoint.expandsRelations)
    }

    /// Reads one list answer: `{"count", "page", "per_page", "<listKey>": [...]}`.
    ///
    /// - Parameter expand: whether to ask for related objects in full (`X-MyCRM-Expand-Data`).
    func pfList(_ url: URL, name: String, path: String, listKey: String, expand: Bool = false) async throws -> PFListPage {
        var request = try jsonRequest(.get, url, operationName: "GET \(path)")
        if expand { request.headers["X-MyCRM-Expand-Data"] = "true" }
        let response = try await send(request)
        let (json, texts) = try decodeList(response, member: listKey, what: "the \(name) list")
        do {
            var page = try PFListPage(json: json, key: listKey, resource: name)
            // Every PF mapping keeps its item itself as `raw`, so an item's text is its raw text.
            if texts.count == page.items.count { page.itemTexts = texts }
            return page
        } catch let error as WirePayloadError {
            throw ConnectorError(
                .invalidResponse, vendor: .pfExpert, message: error.description, httpStatus: response.status,
                connectionID: connectionID, operation: "GET \(path)")
        }
    }
}
