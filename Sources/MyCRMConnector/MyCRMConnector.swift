public import ConnectorKit
public import Foundation
public import Logging
public import RealtyModel

/// The MyCRM webservice connector (`webservice.php`, vtiger dialect).
///
/// - Reads Leads and Contacts into `Contacts` (Leads with `ContactType` `Lead`): incrementally
///   with `sync` by modified time (deletions included), or in full with VTQL `query` pages of
///   100. Reads Users into `Member` (full passes only; `sync` does not cover users).
/// - Creates Leads and Contacts, updates them with a partial `revise` (only the changed fields;
///   a `retrieve` first checks `modifiedtime` when the hub expects one), deletes them, and looks
///   them up by email or phone. Picklists map through ``MyCRMVocabulary``.
/// - Checks an address's broadband availability with ``checkAddress(street:city:state:)``.
///
/// Configured only by the base URL of the deployment (`https://crm.example.com`, with or
/// without `/webservice.php`) and the user name and access key.
public struct MyCRMConnector: Connector {
    public var vendor: VendorID { .mycrm }
    public var capabilities: ConnectorCapabilities { Self.declaredCapabilities }
    /// Social security and driving licence fields, plus the standard ones (see ``VendorProfile/mycrm``).
    public var sensitiveFields: SensitiveFields { VendorProfile.mycrm.sensitiveFields }

    /// What every MyCRM connection can do.
    public static let declaredCapabilities = ConnectorCapabilities(
        readable: [
            ReadCapability(
                resource: .contacts,
                vendorEndpoints: [
                    "GET webservice.php operation=sync (Leads, Contacts)", "GET webservice.php operation=query (Leads, Contacts)",
                ],
                incremental: true),
            ReadCapability(resource: .member, vendorEndpoints: ["GET webservice.php operation=query (Users)"], incremental: false),
        ],
        writable: [
            WriteCapability(
                resource: .contacts, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.email, .phone],
                fields: MyCRMVocabulary.writableFields)
        ],
        operations: ["address-check"])

    /// The production host of the address availability service (not the CRM deployment's host).
    public static let defaultAddressServiceURL = "https://prefav2.mycrmllc.com"

    let client: VendorHTTPClient
    let addressClient: VendorHTTPClient
    let sessionAuth: SessionAuth
    let webserviceURL: URL
    let addressServiceURL: URL
    let prefixes = MyCRMIDPrefixes()
    let syncScope = MyCRMSyncScope()

    /// Creates a connector for one connection.
    ///
    /// - Parameters:
    ///   - configuration: the base URL and `mycrm` credentials (user name, access key).
    ///   - transport: the HTTP transport.
    ///   - clock: the time source (sessions, backoff, limits).
    ///   - logger: the logger; the connection's metadata is added.
    ///   - addressServiceURL: the base of the address availability service. Default: the
    ///     configured base URL when it is a loopback address (the sandbox serves `/fcc` next to
    ///     `webservice.php`), else ``defaultAddressServiceURL``.
    /// - Throws: ``ConnectorError`` `.configuration` when the credentials are not MyCRM's or the
    ///   base URL is unusable.
    public init(
        configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger, addressServiceURL: URL? = nil
    ) throws {
        let profile = VendorProfile.mycrm
        let credentials = try configuration.credentials(as: MyCRMCredentials.self)
        let (username, accessKey) = (credentials.username, credentials.accessKey)
        let webserviceURL = try Self.webserviceURL(configuration)
        var idle: Duration = .seconds(1800)
        var lifetime: Duration = .seconds(86_400)
        if case .challengeSession(let idleTimeout, let absoluteLifetime) = profile.auth {
            idle = idleTimeout
            lifetime = absoluteLifetime
        }
        let login = MyCRMSessionLogin(
            webserviceURL: webserviceURL, username: username, accessKey: accessKey, idleTimeout: idle,
            absoluteLifetime: lifetime)
        let cache = TokenCache(
            connectionID: configuration.connectionID, renewalMargin: configuration.tokenRenewalMargin, clock: clock,
            logger: logger, shared: configuration.sharedSessions)
        let auth = SessionAuth(
            cache: cache, login: { context in try await login.login(context) },
            apply: { request, session in try MyCRMSessionLogin.apply(&request, session) })
        let redactor = configuration.redactor
        client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport, auth: auth, clock: clock,
            logger: logger,
            errorDecoder: { response, request in
                MyCRMErrors.decode(response, operation: request.operationName, redactor: redactor, request: request)
            })
        let addressBase = addressServiceURL ?? Self.defaultAddressService(for: configuration.baseURL)
        var addressConfiguration = configuration
        addressConfiguration.baseURL = addressBase
        addressClient = try VendorHTTPClient(
            configuration: addressConfiguration, profile: profile, transport: transport, auth: auth, clock: clock,
            logger: logger)
        sessionAuth = auth
        self.webserviceURL = webserviceURL
        self.addressServiceURL = addressBase
    }

    /// Logs in, proving the user name and access key work.
    ///
    /// - Throws: ``ConnectorError`` `.auth` naming the connection when refused.
    public func verify() async throws {
        try await client.authenticate()
    }

    /// Ends the current session at the vendor (`logout`), if there is one; call at shutdown.
    /// A session the vendor already dropped counts as logged out.
    ///
    /// - Throws: ``ConnectorError`` when the vendor cannot be reached or refuses otherwise.
    public func logout() async throws {
        guard let session = await sessionAuth.cache.cachedSession else { return }
        let operation = MyCRMOperation.logout
        let body = FormEncoding.encode([("operation", operation.rawValue), ("sessionName", session.secret)])
        let request = TransportRequest(
            method: operation.method, url: webserviceURL,
            headers: ["Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"], body: body,
            isIdempotent: true, operationName: operation.operationName)
        await sessionAuth.invalidate(session)
        do {
            _ = try await client.send(request, authenticated: false)
        } catch let error as ConnectorError where error.kind == .auth {
            return
        }
    }

    // MARK: - Calling webservice.php

    /// Calls an operation with its registered method and returns the answer's `result`.
    ///
    /// - Parameters:
    ///   - operation: the operation.
    ///   - parameters: its parameters (the session is added by the auth strategy).
    /// - Throws: ``ConnectorError``.
    func call(_ operation: MyCRMOperation, _ parameters: [(String, String)]) async throws -> JSONValue {
        try await call(operation, parameters, keepingListTexts: false).result
    }

    /// Calls an operation and returns the answer's `result` and, when `keepingListTexts` and
    /// `result` is a list, each element's own text (see ``RealtyModel/JSONValue/parsingList(_:member:)``).
    ///
    /// - Throws: ``ConnectorError``.
    func call(_ operation: MyCRMOperation, _ parameters: [(String, String)], keepingListTexts: Bool) async throws -> (
        result: JSONValue, texts: [String]
    ) {
        let fields = [("operation", operation.rawValue)] + parameters
        let request: TransportRequest
        switch operation.method {
        case .get:
            guard
                let url = webserviceURL.appending(
                    endpoint: "", query: fields.map { URLQueryItem(name: $0.0, value: $0.1) })
            else {
                throw ConnectorError(
                    .configuration, vendor: .mycrm, message: "cannot build the URL of \(operation.rawValue)",
                    connectionID: client.connectionID)
            }
            request = TransportRequest(
                method: .get, url: url, headers: ["Accept": "application/json"], isIdempotent: operation.isIdempotent,
                operationName: operation.operationName)
        default:
            request = TransportRequest(
                method: operation.method, url: webserviceURL,
                headers: ["Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"],
                body: FormEncoding.encode(fields), isIdempotent: operation.isIdempotent,
                operationName: operation.operationName)
        }
        let response = try await client.send(request)
        let envelope: MyCRMEnvelope
        var texts: [String] = []
        do {
            let json: JSONValue
            if keepingListTexts {
                (json, texts) = try client.decodeList(response, member: "result", what: "the answer to \(operation.rawValue)")
            } else {
                json = try client.decode(JSONValue.self, from: response, what: "the answer to \(operation.rawValue)")
            }
            envelope = try MyCRMEnvelope(json: json)
        } catch let error as ConnectorError {
            throw error
        } catch {
            var failure = ConnectorError.invalidResponse(
                decoding: error, vendor: .mycrm, what: "the answer to \(operation.rawValue)", httpStatus: response.status)
            failure.connectionID = client.connectionID
            throw failure
        }
        guard envelope.success, let result = envelope.result else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "\(operation.rawValue) answered without a result",
                httpStatus: response.status, connectionID: client.connectionID, operation: operation.operationName)
        }
        return (result, texts)
    }

    /// A VTQL `query`, returning its rows.
    ///
    /// - Throws: ``ConnectorError``; `.invalidResponse` when the result is not a list of records.
    func query(_ statement: String) async throws -> [MyCRMRecord] {
        try await queryRows(statement).rows
    }

    /// A VTQL `query`, returning its rows and each row's own text as the server sent it (empty
    /// when they could not be told apart).
    ///
    /// - Throws: ``ConnectorError``; `.invalidResponse` when the result is not a list of records.
    func queryRows(_ statement: String) async throws -> (rows: [MyCRMRecord], texts: [String]) {
        let (result, texts) = try await call(.query, [("query", statement)], keepingListTexts: true)
        guard let rows = result.arrayValue else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "query answered something other than a list of records",
                connectionID: client.connectionID, operation: MyCRMOperation.query.operationName)
        }
        var records: [MyCRMRecord] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            guard let record = MyCRMRecord(json: row) else {
                throw ConnectorError(
                    .invalidResponse, vendor: .mycrm, message: "query answered a row that is not a record",
                    connectionID: client.connectionID, operation: MyCRMOperation.query.operationName)
            }
            records.append(record)
        }
        return (records, texts.count == records.count ? texts : [])
    }

    /// The logged-in user's webservice id (`19x1`), logging in first when needed.
    func currentUserID() async throws -> String? {
        try await client.authenticate()?.attributes[MyCRMSessionLogin.userIDAttribute]
    }

    // MARK: - Configuration

    /// `<base>/webservice.php`, or the base itself when it already names `webservice.php`.
    static func webserviceURL(_ configuration: ConnectorConfiguration) throws -> URL {
        let base = configuration.baseURL
        if base.lastPathComponent.lowercased() == "webservice.php" { return base }
        guard let url = base.appending(endpoint: "webservice.php") else {
            throw ConnectorError(
                .configuration, vendor: .mycrm, message: "cannot build the webservice.php URL from the base URL",
                connectionID: configuration.connectionID)
        }
        return url
    }

    /// The address service base for a CRM base URL: the base itself on loopback (the sandbox),
    /// otherwise the vendor's production service.
    static func defaultAddressService(for baseURL: URL) -> URL {
        let host = (baseURL.host ?? "").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        if loopback, var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) {
            // A base naming webservice.php serves /fcc from its folder.
            if components.path.lowercased().hasSuffix("/webservice.php") {
                components.path = String(components.path.dropLast("/webservice.php".count))
            }
            components.query = nil
            if let url = components.url { return url }
        }
        return URL(string: defaultAddressServiceURL) ?? baseURL
    }
}

/// The id prefix of each module (`10` in `10x42` for Leads), read once from `describe`.
actor MyCRMIDPrefixes {
    private var known: [MyCRMModule: String] = [:]

    /// The module's prefix, reading it with `load` the first time.
    func prefix(of module: MyCRMModule, load: @Sendable (MyCRMModule) async throws -> String?) async throws -> String? {
        if let prefix = known[module] { return prefix }
        guard let prefix = try await load(module) else { return nil }
        known[module] = prefix
        return prefix
    }
}
