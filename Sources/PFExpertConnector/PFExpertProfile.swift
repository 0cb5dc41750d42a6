public import ConnectorKit
import RealtyModel

extension VendorID {
    /// PF Expert, Property Finder's CRM (legacy "MyCRM API v2").
    public static let pfExpert = VendorID("pf-expert", displayName: "PF Expert")
}

extension VendorProfile {
    /// PF Expert (legacy "MyCRM API v2"): the facts from the seed document and the vendor notes.
    ///
    /// - Auth: OAuth2 client credentials at `https://auth.propertyfinder.com/auth/oauth/v1/token`
    ///   (a separate host from the API), HTTP Basic `api_key:api_secret` and the JSON body
    ///   `{"scope":"openid","grant_type":"client_credentials"}`; 30-minute bearer, no refresh.
    /// - Paging: `page` (1-based) and `per_page`, at most 100, lists carry `count`.
    /// - Limits: the legacy API documents none; the newer Enterprise API allows 650 requests per
    ///   minute per client, so 10 per second with 4 in flight stays under it.
    ///   No daily quota is documented: a connection given its own daily budget
    ///   (`daily_requests`) counts it from midnight UTC.
    /// - Warnings arrive in `X-MyCRM-API-Warning`.
    public static let pfExpert = VendorProfile(
        vendor: .pfExpert,
        defaultBaseURL: "https://api-v2.mycrm.com",
        defaultAuthBaseURL: "https://auth.propertyfinder.com",
        auth: .oauth2ClientCredentials(
            tokenPath: "/auth/oauth/v1/token", body: .basicWithJSONBody(scope: "openid"), defaultLifetime: .seconds(1800)),
        paging: .init(style: .pageNumber, defaultPageSize: 100, maxPageSize: 100),
        rateLimits: RateLimits(maxConcurrency: 4, requestsPerSecond: 10, quotaTimeZone: "UTC"),
        headers: .init(retryAfter: "Retry-After", warning: "X-MyCRM-API-Warning"),
        notes: [
            "Legacy rate limits are undocumented; 10 req/s follows the Enterprise API's 650 req/min.",
            "Default per_page is unclear in the documents; we always send per_page explicitly (100).",
        ],
        // The legacy lead object carries identity document data (vendors/pf-expert.md).
        sensitiveFields: SensitiveFields(["passport_number", "passport_expiry_date"]))
}
