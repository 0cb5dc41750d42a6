public import Foundation

/// Everything one connection needs: where the vendor is, how to authenticate, and the bounds
/// that override the vendor's documented defaults.
///
/// Built once at the edge (CLI, store, tests) and passed to a connector's initialiser.
/// Keys, with defaults:
/// - `connectionID`: the hub connection id (required; named in auth errors and logs).
/// - `baseURL`: the API base (required), e.g. `https://api-v2.mycrm.com` or a sandbox URL.
/// - `authURL`: the base of a separate auth host (PF Expert), default: the vendor profile's auth
///   host when `baseURL` is the vendor's own host, otherwise `baseURL` (a sandbox serves both).
/// - `credentials`: the vendor's credentials (required).
/// - `timeouts`: connect and read timeouts and the per-request deadline (default: the profile's).
/// - `limits`: concurrency, requests per second, daily quota, daily budget and the share of it
///   kept for deliveries (default: the profile's).
/// - `retry`: the retry policy (default: the profile's).
/// - `pageSize`: the page size to ask for (default: the profile's; clamped to the vendor maximum).
/// - `tokenRenewalMargin`: renew tokens and sessions this long before they expire (default 60 s).
/// - `options`: vendor-specific, non-secret settings by name (default none), e.g. PropQ's
///   `development_ids` (comma-separated). Secrets belong in `credentials`, never here.
public struct ConnectorConfiguration: Sendable {
    /// The hub connection this configuration belongs to.
    public var connectionID: String
    /// The API base URL.
    public var baseURL: URL
    /// The base URL of a separate auth host, when the vendor has one.
    public var authURL: URL?
    /// The vendor credentials.
    public var credentials: any VendorCredentials
    /// Timeout overrides.
    public var timeouts: Timeouts
    /// Rate-limit overrides.
    public var limits: LimitOverrides
    /// A retry policy replacing the vendor profile's, when set.
    public var retry: RetryPolicy?
    /// A page size replacing the vendor profile's default, when set.
    public var pageSize: Int?
    /// How long before expiry a token or session is renewed.
    public var tokenRenewalMargin: Duration
    /// Vendor-specific, non-secret settings by name (each connector documents the ones it reads).
    public var options: [String: String]
    /// Tokens and sessions shared with the other hub processes of the same database, with a
    /// cross-process renewal lock (nil: this process logs in on its own).
    public var sharedSessions: (any SharedSessionStore)? = nil
    /// Request limits (concurrency, rate, daily quota) shared with the other hub processes of
    /// the same database (nil: this process counts on its own).
    public var sharedLimits: (any SharedRequestLimits)? = nil

    /// Timeout overrides; nil means the vendor profile's value.
    public struct Timeouts: Sendable, Hashable {
        /// How long to wait for a TCP/TLS connection.
        public var connect: Duration?
        /// How long to wait between bytes of a response.
        public var read: Duration?
        /// The deadline for one whole request (response head and body).
        public var request: Duration?

        /// Creates timeout overrides.
        public init(connect: Duration? = nil, read: Duration? = nil, request: Duration? = nil) {
            self.connect = connect
            self.read = read
            self.request = request
        }
    }

    /// Rate-limit overrides; nil means the vendor profile's value.
    public struct LimitOverrides: Sendable, Hashable {
        /// Requests in flight at once on this connection.
        public var maxConcurrency: Int?
        /// Sustained requests per second.
        public var requestsPerSecond: Double?
        /// Requests per day (the vendor's quota window); 0 removes the quota.
        public var dailyQuota: Int?
        /// The connection's own daily budget: it lowers the vendor's quota, never raises it.
        public var dailyRequests: Int?
        /// The share of the daily budget kept for deliveries, in percent (default 20).
        public var deliveryReservePercent: Int?

        /// Creates limit overrides.
        public init(
            maxConcurrency: Int? = nil, requestsPerSecond: Double? = nil, dailyQuota: Int? = nil, dailyRequests: Int? = nil,
            deliveryReservePercent: Int? = nil
        ) {
            self.maxConcurrency = maxConcurrency
            self.requestsPerSecond = requestsPerSecond
            self.dailyQuota = dailyQuota
            self.dailyRequests = dailyRequests
            self.deliveryReservePercent = deliveryReservePercent
        }
    }

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - connectionID: the hub connection id.
    ///   - baseURL: the API base URL.
    ///   - authURL: the base URL of a separate auth host.
    ///   - credentials: the vendor credentials.
    ///   - timeouts: timeout overrides.
    ///   - limits: rate-limit overrides.
    ///   - retry: a retry policy replacing the profile's.
    ///   - pageSize: a page size replacing the profile's default.
    ///   - tokenRenewalMargin: how long before expiry tokens are renewed.
    ///   - options: vendor-specific, non-secret settings by name.
    public init(
        connectionID: String, baseURL: URL, authURL: URL? = nil, credentials: any VendorCredentials,
        timeouts: Timeouts = Timeouts(), limits: LimitOverrides = LimitOverrides(), retry: RetryPolicy? = nil,
        pageSize: Int? = nil, tokenRenewalMargin: Duration = .seconds(60), options: [String: String] = [:]
    ) {
        self.connectionID = connectionID
        self.baseURL = baseURL
        self.authURL = authURL
        self.credentials = credentials
        self.timeouts = timeouts
        self.limits = limits
        self.retry = retry
        self.pageSize = pageSize
        self.tokenRenewalMargin = tokenRenewalMargin
        self.options = options
    }

    /// The vendor, from the credentials.
    public var vendor: VendorID { credentials.vendor }

    /// A redactor for this connection's secrets.
    public var redactor: Redactor { credentials.redactor }

    /// The credentials as the vendor's own credentials type.
    ///
    /// - Parameter type: the vendor's credentials type (`ApimoCredentials.self`, ...).
    /// - Returns: the credentials.
    /// - Throws: ``ConnectorError`` `.configuration` when they are another vendor's.
    public func credentials<C: VendorCredentials>(as type: C.Type) throws -> C {
        guard let credentials = credentials as? C else { throw credentialsMismatch(C.vendor) }
        return credentials
    }

    private func credentialsMismatch(_ vendor: VendorID) -> ConnectorError {
        ConnectorError(
            .configuration, vendor: vendor,
            message: "the credentials are for \(credentials.vendor.rawValue), not \(vendor.rawValue)",
            connectionID: connectionID)
    }

    /// Checks that the configuration can work with `profile`'s vendor: matching credentials, an
    /// http(s) base URL with a host.
    ///
    /// - Parameter profile: the vendor profile.
    /// - Throws: ``ConnectorError`` `.configuration` saying what to fix.
    public func validate(for profile: VendorProfile) throws {
        guard credentials.vendor == profile.vendor else { throw credentialsMismatch(profile.vendor) }
        for (name, url) in [("base URL", Optional(baseURL)), ("auth URL", authURL)] {
            guard let url else { continue }
            let scheme = url.scheme?.lowercased()
            guard scheme == "http" || scheme == "https", url.host?.isEmpty == false else {
                throw ConnectorError(
                    .configuration, vendor: profile.vendor,
                    message: "the \(name) must be an http or https URL with a host", connectionID: connectionID)
            }
        }
        if let pageSize, pageSize < 1 {
            throw ConnectorError(
                .configuration, vendor: profile.vendor, message: "the page size must be at least 1",
                connectionID: connectionID)
        }
    }

    /// The effective timeouts: overrides, else the profile's.
    public func effectiveTimeouts(_ profile: VendorProfile) -> VendorProfile.Timeouts {
        VendorProfile.Timeouts(
            connect: timeouts.connect ?? profile.timeouts.connect,
            read: timeouts.read ?? profile.timeouts.read,
            request: timeouts.request ?? profile.timeouts.request)
    }

    /// The effective rate limits: overrides, else the profile's.
    public func effectiveLimits(_ profile: VendorProfile) -> RateLimits { profile.rateLimits.applying(limits) }

    /// The effective retry policy: the override, else the profile's.
    public func effectiveRetry(_ profile: VendorProfile) -> RetryPolicy { retry ?? profile.retry }

    /// The effective page size: the override (clamped to the vendor maximum), else the profile's.
    public func effectivePageSize(_ profile: VendorProfile) -> Int {
        let size = pageSize ?? profile.paging.defaultPageSize
        return min(max(1, size), profile.paging.maxPageSize)
    }

    /// The base URL of the auth host: ``authURL`` when set; otherwise the profile's separate
    /// auth host when ``baseURL`` is the vendor's own default host, else ``baseURL`` itself (an
    /// emulator serves the auth paths next to the API).
    public func effectiveAuthBaseURL(_ profile: VendorProfile) -> URL {
        if let authURL { return authURL }
        if let defaultAuth = profile.defaultAuthBaseURL.flatMap(URL.init(string:)),
            let defaultBase = profile.defaultBaseURL.flatMap(URL.init(string:)),
            defaultBase.host?.lowercased() == baseURL.host?.lowercased()
        {
            return defaultAuth
        }
        return baseURL
    }

    /// The token endpoint of an OAuth2 profile: `tokenPath` under the auth host.
    ///
    /// The auth URL may be given two ways, and both are read as the same endpoint: the auth
    /// host (`https://auth.propertyfinder.com`, or a prefix under which the vendor serves its
    /// auth paths) or the full token URL the vendor's document prints
    /// (`https://auth.propertyfinder.com/auth/oauth/v1/token`, which `realtyhub sandbox --json`
    /// prints as `auth_url` too). Reading chosen: when the auth URL's path already ends with
    /// `tokenPath`, it is the token URL itself and is used as it is (a trailing `/` ignored);
    /// otherwise `tokenPath` is appended. A host whose prefix merely happens to end like the
    /// token path cannot be told apart, and no vendor serves one.
    ///
    /// - Parameters:
    ///   - profile: the vendor profile (its auth host default).
    ///   - tokenPath: the documented token path (`/auth/oauth/v1/token`).
    /// - Returns: the token URL, or nil when it cannot be built.
    public func tokenURL(_ profile: VendorProfile, tokenPath: String) -> URL? {
        let base = effectiveAuthBaseURL(profile)
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else { return nil }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        var suffix = tokenPath
        while suffix.hasSuffix("/") { suffix.removeLast() }
        if !suffix.hasPrefix("/") { suffix = "/" + suffix }
        guard suffix.count > 1, path.lowercased().hasSuffix(suffix.lowercased()) else {
            return base.appending(endpoint: tokenPath)
        }
        components.percentEncodedPath = String(path.dropLast(suffix.count))
        return components.url?.appending(endpoint: tokenPath)
    }
}

extension URL {
    /// This URL with `path` appended (a leading `/` is optional) and `query` items added,
    /// percent-encoded. Used to build vendor endpoints from a configured base URL, which may
    /// itself carry a path prefix.
    ///
    /// - Parameters:
    ///   - path: e.g. `/users` or `api/v2/offices`.
    ///   - query: query items, in order.
    /// - Returns: the endpoint URL, or nil when the result is not a valid URL.
    public func appending(endpoint path: String, query: [URLQueryItem] = []) -> URL? {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return nil }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var extra = path
        while extra.hasPrefix("/") { extra.removeFirst() }
        let encodedExtra = extra.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? extra
        components.percentEncodedPath = extra.isEmpty ? basePath : basePath + "/" + encodedExtra
        if !query.isEmpty {
            // `+` is a space in form decoding; encode it so values survive (emails, phone numbers).
            var items = components.percentEncodedQueryItems ?? []
            for item in query {
                let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&=;#"))
                items.append(
                    URLQueryItem(
                        name: item.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.name,
                        value: item.value.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }))
            }
            components.percentEncodedQueryItems = items
        }
        return components.url
    }
}
