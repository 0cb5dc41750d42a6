public import ConnectorKit

extension VendorID {
    /// Resales Online PropQ (new-development updates).
    public static let propq = VendorID("propq", displayName: "Resales Online PropQ")
}

extension VendorProfile {
    /// Resales Online PropQ (API 1.7.0): the facts from the seed document and the vendor notes.
    ///
    /// - Auth: OAuth2 client credentials at `https://api.propq.com/oauth/token` with a form body
    ///   (`grant_type`, integer `client_id`, `client_secret`) and no JSON content type; the token
    ///   is cached for its `expires_in` (the prose says 2592000 s, the sample shows 7200 s; the
    ///   answer decides, 7200 s is assumed only when it is missing).
    /// - Paging: none; PropQ has no list endpoints (publish status is per development).
    /// - Limits: none documented; 2 in flight and 5 requests per second are our conservative
    ///   defaults for a developer's unit updates.
    ///   No daily quota is documented: a connection given its own daily budget
    ///   (`daily_requests`) counts it from midnight UTC.
    public static let propq = VendorProfile(
        vendor: .propq,
        defaultBaseURL: "https://api.propq.com",
        auth: .oauth2ClientCredentials(tokenPath: "/oauth/token", body: .formBody, defaultLifetime: .seconds(7200)),
        paging: .init(style: .none, defaultPageSize: 1, maxPageSize: 1),
        rateLimits: RateLimits(maxConcurrency: 2, requestsPerSecond: 5, quotaTimeZone: "UTC"),
        notes: [
            "419 means a wrong HTTP method; 3xx answers mean a missing or wrong Content-Type.",
            "Endpoints are documented under both /v1 and /api/v1; /v1 (the endpoint reference) is used.",
        ],
        // "3xx: the Content-Type may be missing and the current request is not processed
        // successfully" (API 1.7.0, response codes).
        redirectMeaning:
            "missing or wrong Content-Type (PropQ answers 3xx when the Content-Type header is missing or not application/json)",
        options: [ResalesOnlineConnector.developmentIDsSpec]
    )
}
