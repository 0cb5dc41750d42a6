public import Foundation
public import RealtyModel

/// A vendor's facts as data: where it lives, how it authenticates, how it pages, its limits,
/// timeouts and retry defaults, and the headers it uses for them.
///
/// Each vendor module declares one static profile (`VendorProfile.pfExpert`, ...); connectors
/// read it instead of hard-coding the facts, and ``ConnectorConfiguration`` overrides it per
/// connection. Quirks that are behaviour, not facts, stay in the vendor's code.
public struct VendorProfile: Sendable {
    /// The vendor.
    public var vendor: VendorID
    /// The production API base URL; nil when every customer has their own host (MyCRM
    /// deployments, Boston Logic tenant domains).
    public var defaultBaseURL: String?
    /// The production auth host's base URL, when auth lives on a separate host.
    public var defaultAuthBaseURL: String?
    /// How the vendor authenticates.
    public var auth: AuthKind
    /// How the vendor pages its lists.
    public var paging: Paging
    /// The documented limits (or our conservative defaults where none are documented).
    public var rateLimits: RateLimits
    /// Timeouts.
    public var timeouts: Timeouts
    /// Retry defaults.
    public var retry: RetryPolicy
    /// Names of the headers the vendor uses for rate limits and retries.
    public var headers: HeaderNames
    /// Where the facts come from and which readings were chosen where the documents are vague.
    public var notes: [String]
    /// Payload fields that must never leave the hub in clear (sealed inside `raw` by the store).
    public var sensitiveFields: SensitiveFields
    /// What the vendor documents a 3xx answer to mean (PropQ: a missing or wrong Content-Type);
    /// nil when it documents none. Redirects are never followed: a 3xx is reported as a
    /// `configuration` error naming the status, the `Location` and this meaning.
    public var redirectMeaning: String?
    /// The options a connection to the vendor may carry (``ConnectorConfiguration/options``),
    /// checked when the connection is added or changed; none by default.
    public var options: [ConnectionOptionSpec]

    /// Creates a profile.
    public init(
        vendor: VendorID, defaultBaseURL: String?, defaultAuthBaseURL: String? = nil, auth: AuthKind,
        paging: Paging, rateLimits: RateLimits, timeouts: Timeouts = Timeouts(), retry: RetryPolicy = RetryPolicy(),
        headers: HeaderNames = HeaderNames(), notes: [String] = [], redirectMeaning: String? = nil,
        sensitiveFields: SensitiveFields = .standard, options: [ConnectionOptionSpec] = []
    ) {
        self.options = options
        self.sensitiveFields = sensitiveFields
        self.vendor = vendor
        self.defaultBaseURL = defaultBaseURL
        self.defaultAuthBaseURL = defaultAuthBaseURL
        self.auth = auth
        self.paging = paging
        self.rateLimits = rateLimits
        self.timeouts = timeouts
        self.retry = retry
        self.headers = headers
        self.notes = notes
        self.redirectMeaning = redirectMeaning
    }

    /// How a vendor authenticates.
    public enum AuthKind: Sendable, Hashable {
        /// OAuth2 client credentials at `tokenPath` on the auth host.
        case oauth2ClientCredentials(tokenPath: String, body: OAuth2BodyStyle, defaultLifetime: Duration?)
        /// A challenge + login exchange creating a session with idle and absolute expiry.
        case challengeSession(idleTimeout: Duration, absoluteLifetime: Duration)
        /// HTTP Basic on every request.
        case httpBasic
        /// An API key in a header on every request, optionally bound to the `Host` header.
        case apiKeyHeader(name: String, bindsHost: Bool)

        /// A short name for logs and the probe report.
        public var name: String {
            switch self {
            case .oauth2ClientCredentials: return "oauth2-client-credentials"
            case .challengeSession: return "challenge-session"
            case .httpBasic: return "http-basic"
            case .apiKeyHeader: return "api-key-header"
            }
        }
    }

    /// How a list is paged.
    public struct Paging: Sendable, Hashable {
        /// The paging style of the vendor's main lists.
        public var style: Style
        /// The page size asked for by default.
        public var defaultPageSize: Int
        /// The largest page the vendor serves.
        public var maxPageSize: Int

        /// Creates paging facts.
        public init(style: Style, defaultPageSize: Int, maxPageSize: Int) {
            self.style = style
            self.defaultPageSize = defaultPageSize
            self.maxPageSize = maxPageSize
        }

        /// The paging styles the kit's paginators implement.
        public enum Style: String, Sendable, Hashable, Codable {
            /// `page`/`per_page` with a total `count` (see ``PageNumberPaginator``).
            case pageNumber = "page-number"
            /// `limit`/`offset` with `total_items` (see ``OffsetPaginator``).
            case limitOffset = "limit-offset"
            /// VTQL `LIMIT offset, count` pages and `sync` by modified time (see ``VTQLPaginator``,
            /// ``SyncPaginator``).
            case vtql
            /// The vendor does not page: a list answers every record.
            case none
        }
    }

    /// Timeouts for one vendor.
    public struct Timeouts: Sendable, Hashable {
        /// TCP/TLS connect timeout.
        public var connect: Duration
        /// Read (idle between bytes) timeout.
        public var read: Duration
        /// Deadline for one whole request.
        public var request: Duration

        /// Creates timeouts; defaults 10 s connect, 30 s read, 60 s per request.
        public init(connect: Duration = .seconds(10), read: Duration = .seconds(30), request: Duration = .seconds(60)) {
            self.connect = connect
            self.read = read
            self.request = request
        }
    }

    /// Header names a vendor uses for limits.
    public struct HeaderNames: Sendable, Hashable {
        /// The header carrying the wait before a retry (seconds or an HTTP date).
        public var retryAfter: String
        /// A header with the remaining request allowance, when the vendor sends one.
        public var rateLimitRemaining: String?
        /// A header with vendor warnings worth logging (PF's `X-MyCRM-API-Warning`).
        public var warning: String?

        /// Creates header names; `Retry-After` by default.
        public init(retryAfter: String = "Retry-After", rateLimitRemaining: String? = nil, warning: String? = nil) {
            self.retryAfter = retryAfter
            self.rateLimitRemaining = rateLimitRemaining
            self.warning = warning
        }
    }
}

/// How an OAuth2 client-credentials token request carries the client's credentials.
public enum OAuth2BodyStyle: Sendable, Hashable {
    /// HTTP Basic `client_id:client_secret` and a JSON body
    /// `{"grant_type":"client_credentials"[, "scope": scope]}` (PF Expert).
    case basicWithJSONBody(scope: String?)
    /// An `application/x-www-form-urlencoded` body with `grant_type`, `client_id` and
    /// `client_secret`, and no JSON content type (PropQ).
    case formBody
}

/// Per-connection request limits.
public struct RateLimits: Sendable, Hashable {
    /// Requests in flight at once.
    public var maxConcurrency: Int
    /// Sustained requests per second (nil: no rate limit).
    public var requestsPerSecond: Double?
    /// Requests allowed back to back before the rate applies (at least 1).
    public var burst: Int
    /// Requests per day (nil: none): the connection's daily budget, the smaller of the vendor's
    /// documented quota and the connection's own `daily_requests`.
    public var dailyQuota: Int?
    /// The time zone whose midnight resets the daily quota (an IANA name; default UTC). Every
    /// vendor profile states its own, documented (Apimo: Europe/Paris) or chosen (UTC).
    public var quotaTimeZone: String
    /// The share of the daily quota kept for deliveries, in percent (see ``RequestBudget``).
    public var deliveryReservePercent: Int

    /// Creates limits.
    ///
    /// - Parameters:
    ///   - maxConcurrency: requests in flight at once (default 4).
    ///   - requestsPerSecond: sustained rate (default none).
    ///   - burst: back-to-back allowance (default: the rate rounded up, at least 1).
    ///   - dailyQuota: requests per day (default none).
    ///   - quotaTimeZone: the quota's day boundary (default UTC).
    ///   - deliveryReservePercent: the share of the quota kept for deliveries (default 20).
    public init(
        maxConcurrency: Int = 4, requestsPerSecond: Double? = nil, burst: Int? = nil, dailyQuota: Int? = nil,
        quotaTimeZone: String = "UTC", deliveryReservePercent: Int = RequestBudget.defaultReservePercent
    ) {
        self.maxConcurrency = max(1, maxConcurrency)
        self.requestsPerSecond = requestsPerSecond
        // A rate beyond a million per second (or not a number) is as good as unpaced: the burst is
        // capped there so converting it can never overflow.
        let rate = requestsPerSecond.map { $0.isNaN ? 1 : min(max($0, 0), 1_000_000) } ?? 1
        self.burst = max(1, burst ?? Int(rate.rounded(.up)))
        self.dailyQuota = dailyQuota
        self.quotaTimeZone = quotaTimeZone
        self.deliveryReservePercent = deliveryReservePercent
    }

    /// The daily budget these limits set, or nil without a daily quota. An unknown zone name
    /// counts days in UTC.
    public var budget: RequestBudget? {
        guard let dailyQuota else { return nil }
        let zone = quotaZone
        return RequestBudget(
            dailyLimit: dailyQuota, reservePercent: deliveryReservePercent, timeZone: zone,
            timeZoneName: TimeZone(identifier: quotaTimeZone) == nil ? zone.identifier : quotaTimeZone)
    }

    /// The zone of ``quotaTimeZone`` (UTC when the name is unknown).
    public var quotaZone: TimeZone {
        TimeZone(identifier: quotaTimeZone) ?? TimeZone(secondsFromGMT: 0) ?? TimeZone.current
    }

    /// These limits with a connection's overrides applied: a rate of 0 removes the pacing, a
    /// daily quota override of 0 removes the quota, and a daily budget (`dailyRequests`) only
    /// ever lowers the quota (the smaller of the two is kept).
    public func applying(_ overrides: ConnectorConfiguration.LimitOverrides) -> RateLimits {
        var limits = self
        if let value = overrides.maxConcurrency { limits.maxConcurrency = max(1, value) }
        if let value = overrides.requestsPerSecond { limits.requestsPerSecond = value > 0 ? value : nil }
        if let value = overrides.dailyQuota { limits.dailyQuota = value > 0 ? value : nil }
        if let budget = overrides.dailyRequests, budget > 0 { limits.dailyQuota = min(limits.dailyQuota ?? budget, budget) }
        if let percent = overrides.deliveryReservePercent { limits.deliveryReservePercent = percent }
        return limits
    }
}
