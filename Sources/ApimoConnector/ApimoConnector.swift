public import ConnectorKit
import Foundation
public import Logging
import RealtyModel
import Synchronization

/// The Apimo webservice connector (`https://api.apimo.pro`).
///
/// - Reads agencies into `Office`, users into `Member`, each user's actions into `Activity`,
///   properties into `Property`, and contacts and leads into `Contacts` (leads with
///   `ContactType` `Lead` and source keys `lead-<id>`). Properties, contacts and leads read
///   incrementally with `timestamp`; actions incrementally for the users changed since the last
///   pass; the other lists have no such filter and are read in full.
/// - Creates leads, contacts and actions; updates contacts, actions and properties by a
///   read-modify-write `PUT` of Apimo's own JSON, checking `updated_at` first when the hub
///   expects a time (Apimo documents no update of a lead and no delete at all). Catalog codes
///   map to and from RESO values by their labels (`docs/vendors/apimo.md`). Adds and deletes
///   property pictures (`Media`, `Photo`; see `ApimoConnector+Media.swift`).
/// - Looks leads and contacts up by email or phone among those changed in the last days
///   (`timestamp`), one request in the usual case: a create whose answer was lost is found
///   instead of being sent twice.
///
/// Every request carries HTTP Basic `provider:token` and goes through the connection's limiter
/// (the profile's 10 requests per second and 1,000 per day). Access is per agency: the agencies
/// are the credentials' `agency_ids`, or when none are given every agency `GET /agencies` lists.
public struct ApimoConnector: Connector {
    public var vendor: VendorID { .apimo }
    public var capabilities: ConnectorCapabilities { Self.declaredCapabilities }

    /// What every Apimo connection can do.
    public static let declaredCapabilities = ConnectorCapabilities(
        readable: [
            ReadCapability(resource: .office, vendorEndpoints: [ApimoList.agencies.operationName], incremental: false),
            ReadCapability(resource: .member, vendorEndpoints: [ApimoList.users.operationName], incremental: false),
            ReadCapability(
                resource: .activity,
                vendorEndpoints: [ApimoList.users.operationName, ApimoList.actions.operationName], incremental: true, core: false),
            ReadCapability(resource: .property, vendorEndpoints: [ApimoList.properties.operationName], incremental: true),
            ReadCapability(
                resource: .contacts,
                vendorEndpoints: [ApimoList.contacts.operationName, ApimoList.leads.operationName], incremental: true),
        ],
        writable: [
            // No DELETE is documented for any of them; leads are create-only (the per-record
            // check refuses a lead update).
            WriteCapability(
                resource: .contacts, canCreate: true, canUpdate: true, lookupKeys: [.email, .phone],
                fields: ApimoMapping.contactFields + ApimoMapping.leadFields.filter { !ApimoMapping.contactFields.contains($0) }),
            WriteCapability(resource: .activity, canCreate: true, canUpdate: true, lookupKeys: [], fields: ApimoMapping.actionFields),
            WriteCapability(resource: .property, canCreate: false, canUpdate: true, lookupKeys: [], fields: ApimoMapping.propertyFields),
            // Property pictures: POST and DELETE only (no update is documented).
            WriteCapability(
                resource: .media, canCreate: true, canUpdate: false, canDelete: true, lookupKeys: [pictureURLLookup],
                fields: ApimoMapping.mediaFields),
        ])

    let client: VendorHTTPClient
    let provider: String
    /// The agencies named in the credentials (empty: every agency the provider sees).
    let grantedAgencies: [String]
    let catalogs: ApimoCatalogCache
    /// The page sizes this connection's server refused, by list (see ``ApimoList/fallbackLimit``).
    let refusedLimits: ApimoPageLimits

    /// Creates a connector for one connection.
    ///
    /// - Parameters:
    ///   - configuration: the base URL and `apimo` credentials (provider, token, agency ids).
    ///   - transport: the HTTP transport.
    ///   - clock: the time source (limits, backoff).
    ///   - logger: the logger; the connection's metadata is added.
    /// - Throws: ``ConnectorError`` `.configuration` when the credentials are not Apimo's, an
    ///   agency id is not a plain id, or the base URL is unusable.
    public init(
        configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger
    ) throws {
        let profile = VendorProfile.apimo
        let credentials = try configuration.credentials(as: ApimoCredentials.self)
        let provider = credentials.provider
        let agencyIDs = credentials.agencyIDs
        for agency in agencyIDs where !Self.isPlainID(agency) {
            throw ConnectorError(
                .configuration, vendor: .apimo, message: "agency id \"\(agency)\" is not a plain id",
                connectionID: configuration.connectionID)
        }
        let redactor = configuration.redactor
        client = try VendorHTTPClient(
            standardAuth: configuration, profile: profile, transport: transport, clock: clock, logger: logger,
            errorDecoder: { response, request in
                ApimoErrors.decode(response, request: request, provider: provider, redactor: redactor)
            })
        self.provider = provider
        grantedAgencies = agencyIDs
        catalogs = ApimoCatalogCache()
        refusedLimits = ApimoPageLimits()
    }

    /// Proves the provider and token work and every configured agency is granted: one
    /// `GET /agencies/{id}/users?limit=1` per configured agency, or `GET /agencies?limit=1`
    /// when none is configured.
    ///
    /// - Throws: ``ConnectorError`` `.auth` for refused credentials, `.permission` naming an
    ///   agency that has not granted access.
    public func verify() async throws {
        if grantedAgencies.isEmpty {
            _ = try await fetch(.agencies, agency: nil, user: nil, query: [URLQueryItem(name: "limit", value: "1")])
        }
        for agency in grantedAgencies {
            _ = try await fetch(.users, agency: agency, user: nil, query: [URLQueryItem(name: "limit", value: "1")])
        }
    }

    // MARK: - Requests

    /// One page of a list.
    ///
    /// - Throws: ``ConnectorError``; `.invalidResponse` when the answer lacks the list.
    func fetch(_ list: ApimoList, agency: String?, user: String?, query: [URLQueryItem]) async throws -> ApimoListPage {
        var query = query
        if let known = refusedLimits.limit(for: list) { query = Self.query(query, limitedTo: known) }
        do {
            return try await fetchOnce(list, agency: agency, user: user, query: query)
        } catch let error as ConnectorError where error.kind == .validation && error.httpStatus == 400 {
            // A server that refuses the page size (Apimo documents no limit for some lists) is
            // asked once more with the smaller one, which the connection then keeps using.
            guard let fallback = list.fallbackLimit, let asked = Self.limit(in: query), asked > fallback else { throw error }
            refusedLimits.remember(fallback, for: list)
            return try await fetchOnce(list, agency: agency, user: user, query: Self.query(query, limitedTo: fallback))
        }
    }

    private func fetchOnce(_ list: ApimoList, agency: String?, user: String?, query: [URLQueryItem]) async throws -> ApimoListPage {
        let url = try client.url(list.path(agency: agency, user: user), query: query)
        let request = try client.jsonRequest(.get, url, operationName: list.operationName)
        let response = try await client.send(request)
        let (json, texts) = try client.decodeList(response, member: list.collection, what: "the \(list.rawValue) list")
        guard var page = ApimoListPage(json: json, collection: list.collection) else {
            throw ConnectorError(
                .invalidResponse, vendor: .apimo,
                message: "the \(list.rawValue) answer has no \"\(list.collection)\" list of records",
                httpStatus: response.status, connectionID: client.connectionID, operation: list.operationName)
        }
        if texts.count == page.items.count { page.itemTexts = texts }
        return page
    }

    /// The `limit` of a query, when it has one.
    static func limit(in query: [URLQueryItem]) -> Int? {
        query.first { $0.name == "limit" }?.value.flatMap { Int($0) }
    }

    /// `query` with its `limit` lowered to `limit` (unchanged when already at or below it).
    static func query(_ query: [URLQueryItem], limitedTo limit: Int) -> [URLQueryItem] {
        query.map { item in
            guard item.name == "limit", let asked = item.value.flatMap({ Int($0) }), asked > limit else { return item }
            return URLQueryItem(name: "limit", value: String(limit))
        }
    }

    /// Every record of a list that takes no filter, reading pages of the list's maximum size.
    func fetchAll(_ list: ApimoList, agency: String?, user: String?) async throws -> [ApimoRecord] {
        var paginator: OffsetPaginator? = OffsetPaginator(limit: list.pageLimit)
        var records: [ApimoRecord] = []
        while let current = paginator {
            let page = try await fetch(list, agency: agency, user: user, query: current.queryItems())
            records += page.items
            paginator = current.next(received: page.items.count, total: page.totalItems)
        }
        return records
    }

    /// The agencies to read: the configured ones, else every agency the provider sees.
    func agencyIDs() async throws -> [String] {
        if !grantedAgencies.isEmpty { return grantedAgencies }
        return try await fetchAll(.agencies, agency: nil, user: nil).compactMap(\.id).filter(Self.isPlainID)
    }

    /// The labels of `names`, reading each catalog once per connector (`GET /catalogs/{name}?culture=en`).
    ///
    /// A catalog Apimo does not serve to this provider (404, 403) leaves its codes unlabelled.
    func catalogLabels(_ names: [ApimoCatalogs.Name]) async throws -> ApimoCatalogs {
        let connector = self
        return try await catalogs.labels(for: names) { name in
            do {
                let url = try connector.client.url("/catalogs/\(name.rawValue)", query: [URLQueryItem(name: "culture", value: "en")])
                let request = try connector.client.jsonRequest(.get, url, operationName: "GET /catalogs/{catalog}")
                let response = try await connector.client.send(request)
                let json = try connector.client.decode(JSONValue.self, from: response, what: "the \(name.rawValue) catalog")
                return ApimoCatalogs.entries(from: json) ?? [:]
            } catch let error as ConnectorError where error.kind == .notFound || error.kind == .permission {
                connector.client.logger.notice(
                    "catalog unavailable; its codes stay unlabelled", metadata: ["apimo.catalog": "\(name.rawValue)"])
                return [:]
            }
        }
    }

    /// Whether `id` can go into a path as one segment.
    static func isPlainID(_ id: String) -> Bool {
        !id.isEmpty && id != "." && id != ".." && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// The catalogs read so far, shared by the reads and writes of one connector.
/// The page sizes a connection's server refused, by list; shared by every read of the connection
/// (the hub keeps one connector per connection).
final class ApimoPageLimits: Sendable {
    private let limits = Mutex<[ApimoList: Int]>([:])

    /// The size to ask for instead of the list's own, once the server refused that.
    func limit(for list: ApimoList) -> Int? { limits.withLock { $0[list] } }

    func remember(_ limit: Int, for list: ApimoList) { limits.withLock { $0[list] = limit } }
}

actor ApimoCatalogCache {
    private var labels: [ApimoCatalogs.Name: [String: String]] = [:]

    /// The labels of `names`, loading the missing ones with `load`.
    func labels(
        for names: [ApimoCatalogs.Name], load: @Sendable (ApimoCatalogs.Name) async throws -> [String: String]
    ) async throws -> ApimoCatalogs {
        for name in names where labels[name] == nil {
            labels[name] = try await load(name)
        }
        return ApimoCatalogs(labels: labels.filter { names.contains($0.key) })
    }
}
