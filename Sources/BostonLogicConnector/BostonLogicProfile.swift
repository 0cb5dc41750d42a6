public import ConnectorKit

extension VendorID {
    /// Boston Logic Platform API.
    public static let bostonLogic = VendorID("boston-logic", displayName: "Boston Logic")
}

extension VendorProfile {
    /// Boston Logic Platform API: the facts from the seed document and the vendor notes.
    ///
    /// - Auth: `X-BL-API-Key` on every request, valid only together with the tenant's domain in
    ///   the `Host` header (the credentials' `host`); per-resource Read/Write/Delete rights, a
    ///   missing right answering 401 with `status: "unauthorized"`.
    /// - Paging: none documented; lists answer every record.
    /// - Limits: none documented; 4 in flight and 5 per second are our conservative defaults.
    ///   No daily quota is documented: a connection given its own daily budget
    ///   (`daily_requests`) counts it from midnight UTC.
    /// - The API lives on each tenant's own domain under `/api/v2`, so there is no default base URL.
    public static let bostonLogic = VendorProfile(
        vendor: .bostonLogic,
        defaultBaseURL: nil,
        auth: .apiKeyHeader(name: "X-BL-API-Key", bindsHost: true),
        paging: .init(style: .none, defaultPageSize: 1, maxPageSize: 1),
        rateLimits: RateLimits(maxConcurrency: 4, requestsPerSecond: 5, quotaTimeZone: "UTC"),
        notes: [
            "A 401 can mean a bad key or a missing per-resource right; the envelope's errors tell which."
        ])
}
