public import ConnectorKit

extension VendorProfile {
    /// Apimo webservice: the facts from the seed document and the vendor notes.
    ///
    /// - Auth: HTTP Basic `provider:token` on every request; access is granted per agency.
    /// - Paging: `limit`/`offset` with `total_items`; incremental lists take `timestamp` (unix
    ///   seconds) and answer the newest change time as `timestamp`. Limits differ per list
    ///   (users 10000, actions 1000, properties 1000 in the newer document, 200 in the older);
    ///   100 per page keeps every list within its maximum and pages small enough to retry.
    /// - Limits: documented free quota of 10 requests per second and 1,000 per day, the day
    ///   ending at midnight Paris time.
    public static let apimo = VendorProfile(
        vendor: .apimo,
        defaultBaseURL: "https://api.apimo.pro",
        auth: .httpBasic,
        paging: .init(style: .limitOffset, defaultPageSize: 100, maxPageSize: 1000),
        rateLimits: RateLimits(
            maxConcurrency: 4, requestsPerSecond: 10, burst: 10, dailyQuota: 1000, quotaTimeZone: "Europe/Paris"),
        timeouts: .init(connect: .seconds(10), read: .seconds(30), request: .seconds(60)),
        retry: RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), maxDelay: .seconds(30), maxRetryAfter: .seconds(60)),
        notes: [
            "Ids and most numbers are JSON strings; they are read as strings and accepted as numbers too.",
            "The over-quota answer is undocumented; a 429 or the limiter's own count both end as rate_limited.",
        ])
}
