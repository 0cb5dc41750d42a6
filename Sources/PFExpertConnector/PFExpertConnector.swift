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
/// - Writes: leads and properties are created with `POST` (201 + `Location`) and updated with
///   `PATCH` and a list of `replace` operations, the update form the properties page documents.
/// - Lookup: a property by its reference (`filters[reference]`); a lead by email or mobile
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
            WriteCapability(resource: .contacts, canCreate: true, canUpdate: true, lookupKeys: [.email, .phone]),
            WriteCapability(resource: .property, canCreate: true, canUpdate: true, lookupKeys: [.externalReference]),
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
    ///   - mode: `.full` reads every record; `.incremental` uses the date filters from the
    ///     marks in `cursor` (endpoints without a filter are read whole).
    ///   - cursor: a page's cursor: resumes after that page, or, from the last page of a pass,
    ///     starts the next pass from its marks.
    /// - Returns: the pages; failures are ``ConnectorError``s.
    public func read<R: HubRecord>(
        _ type: R.Type, mode: ReadMode, after cursor: String?
    ) -> AsyncThrowingStream<ConnectorPage<R>, any Error> {
        let endpoints = PFExpertEndpoint.endpoints(for: R.resource)
        guard !endpoints.isEmpty else {
            return AsyncThrowingStream {
                $0.finish(throwing: ConnectorError.unsupported(
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

    // MARK: - Write

    /// Creates a lead (`Contact`) or a property (`Property`): `POST /leads` or `POST /properties`
    /// with the record wrapped in its singular key.
    ///
    /// - Returns: the new record's id (from the answer's body or its `Location`).
    /// - Throws: ``ConnectorError`` (`.validation` with field errors for `InvalidRequest`).
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        switch record {
        case let contact as Contact:
            let body = PFExpertMapping.createBody(key: "lead", fields: PFExpertMapping.leadFields(contact))
            return try await send(.post, path: "/leads", body: body, itemKey: "lead", remoteID: nil)
        case let property as Property:
            let body = PFExpertMapping.createBody(key: "property", fields: PFExpertMapping.propertyFields(property))
            return try await send(.post, path: "/properties", body: body, itemKey: "property", remoteID: nil)
        default:
            throw ConnectorError.unsupported(.pfExpert, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// Updates a lead or property: `PATCH /leads/{id}` or `PATCH /properties/{id}` with a
    /// `replace` operation per field the record has (fields it lacks are left as they are).
    ///
    /// - Throws: ``ConnectorError`` (`.notFound` for an unknown id).
    public func update<R: HubRecord>(_ record: R, remoteID: String) async throws -> WriteResult {
        let id = try Self.checkedID(remoteID, connectionID: client.connectionID)
        switch record {
        case let contact as Contact:
            let body = PFExpertMapping.patchBody(fields: PFExpertMapping.leadFields(contact))
            return try await send(.patch, path: "/leads/\(id)", body: body, itemKey: "lead", remoteID: id)
        case let property as Property:
            let body = PFExpertMapping.patchBody(fields: PFExpertMapping.propertyFields(property))
            return try await send(.patch, path: "/properties/\(id)", body: body, itemKey: "property", remoteID: id)
        default:
            throw ConnectorError.unsupported(.pfExpert, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// A remote id usable in a path: PF ids are integers; anything with a path character is refused.
    static func checkedID(_ remoteID: String, connectionID: String) throws -> String {
        let id = remoteID.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw ConnectorError(
                .validation, vendor: .pfExpert, message: "\"\(remoteID)\" is not a PF Expert record id",
                connectionID: connectionID)
        }
        return id
    }

    /// Sends a write and reads the record id from the answer: the body's `{"<item>": {"id"}}`,
    /// else the last segment of `Location`, else the id written to.
    private func send(_ method: ConnectorKit.HTTPMethod, path: String, body: JSONValue, itemKey: String, remoteID: String?) async throws -> WriteResult {
        // A PATCH of `replace` operations sets fields to values: resending it is harmless, so
        // transient failures are retried. A POST is not resent blindly (see ``lookup(_:)``).
        let request = try client.jsonRequest(
            method, try client.url(path), body: body, isIdempotent: method == .patch ? true : nil,
            operationName: "\(method) \(Self.template(path))")
        let response = try await client.send(request)
        var raw: JSONValue?
        if !response.body.isEmpty {
            raw = try client.decode(JSONValue.self, from: response, what: "the answer to \(method) \(Self.template(path))")
        }
        let item = raw?[itemKey] ?? raw
        let location = response.headers["Location"].flatMap { URL(string: $0) }
        let id = item?.text("id") ?? location.flatMap { Self.lastPathSegment($0) } ?? remoteID
        guard let id else {
            throw ConnectorError(
                .invalidResponse, vendor: .pfExpert,
                message: "the answer to \(method) \(path) has neither a record id nor a Location header",
                httpStatus: response.status, connectionID: client.connectionID)
        }
        return WriteResult(remoteID: id, location: location, raw: item)
    }

    /// `/leads/123` → `/leads/{id}`, for low-cardinality operation names.
    static func template(_ path: String) -> String {
        path.split(separator: "/").map { segment in
            segment.allSatisfy(\.isNumber) ? "{id}" : String(segment)
        }.reduce("") { $0 + "/" + $1 }
    }

    static func lastPathSegment(_ url: URL) -> String? {
        let segment = url.path.split(separator: "/").last.map(String.init)
        return segment?.isEmpty == false ? segment : nil
    }

    // MARK: - Lookup

    /// Finds an existing lead (by email or mobile among recent leads) or property (by reference).
    ///
    /// - Returns: the vendor id, or nil when nothing matches.
    /// - Throws: ``ConnectorError``.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        switch record {
        case let contact as Contact: return try await lookupLead(contact)
        case let property as Property: return try await lookupProperty(property)
        default:
            throw ConnectorError.unsupported(
                .pfExpert, "look up existing \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// A property with the same reference (`filters[reference]`).
    private func lookupProperty(_ property: Property) async throws -> String? {
        guard let reference = property.listingID, FieldRules.isPresent(reference) else { return nil }
        let url = try client.url("/properties", query: [
            URLQueryItem(name: "filters[reference]", value: reference), URLQueryItem(name: "per_page", value: "100"),
        ])
        let page = try await client.pfList(url, endpoint: .properties)
        for item in page.items where item.text("reference") == reference {
            if let id = item.text("id") { return id }
        }
        return nil
    }

    /// A lead created in the lookup window with the same email (case-insensitive) or mobile
    /// number (compared by digits).
    private func lookupLead(_ contact: Contact) async throws -> String? {
        let email = contact.email.map { $0.lowercased() }
        let phones = Set([contact.mobilePhone, contact.homePhone].compactMap { $0.map(WireValues.digits) }.filter { $0.count >= 5 })
        guard email != nil || !phones.isEmpty else { return nil }
        let since = PFExpertReadSession<Contact>.day(clock.now().addingTimeInterval(-Self.lookupWindow))
        var paginator = PageNumberPaginator(perPage: 100)
        for _ in 0..<Self.lookupPageLimit {
            let url = try client.url("/leads", query: paginator.queryItems() + [
                URLQueryItem(name: "filters[created][from]", value: since),
                URLQueryItem(name: "sort", value: "id"), URLQueryItem(name: "sort_order", value: "desc"),
            ])
            let page = try await client.pfList(url, endpoint: .leads)
            for item in page.items {
                let sameEmail = email != nil && item.text("email")?.lowercased() == email
                let samePhone = [item.text("mobile"), item.text("phone")].contains { $0.map { phones.contains(WireValues.digits($0)) } ?? false }
                if sameEmail || samePhone, let id = item.text("id") { return id }
            }
            guard let next = paginator.next(received: page.items.count, total: page.count) else { return nil }
            paginator = next
        }
        return nil
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
        let url = try client.url("/locations", query: [
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
        try await pfList(url, name: endpoint.name, path: endpoint.path, listKey: endpoint.listKey)
    }

    /// Reads one list answer: `{"count", "page", "per_page", "<listKey>": [...]}`.
    func pfList(_ url: URL, name: String, path: String, listKey: String) async throws -> PFListPage {
        let request = try jsonRequest(.get, url, operationName: "GET \(path)")
        let response = try await send(request)
        let json = try decode(JSONValue.self, from: response, what: "the \(name) list")
        do {
            return try PFListPage(json: json, key: listKey, resource: name)
        } catch let error as WirePayloadError {
            throw ConnectorError(
                .invalidResponse, vendor: .pfExpert, message: error.description, httpStatus: response.status,
                connectionID: connectionID, operation: "GET \(path)")
        }
    }
}
