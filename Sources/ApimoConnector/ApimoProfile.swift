public import ConnectorKit
import RealtyModel

extension VendorID {
    /// Apimo.
    public static let apimo = VendorID("apimo", displayName: "Apimo")
}

extension VendorProfile {
    /// Apimo webservice: the facts from the seed document and the vendor notes.
    ///
    /// - Auth: HTTP Basic `provider:token` on every request; access is granted per agency.
    /// - Paging: `limit`/`offset` with `total_items`; incremental lists take `timestamp` (unix
    ///   seconds) and answer the newest change time as `timestamp`. Limits differ per list
    ///   (users and leads 10,000, actions 1,000, properties 1,000 in the newer document, 200 in
    ///   the older). With 1,000 requests a day, every list asks for its largest page (see
    ///   `ApimoList.pageLimit`); a server that refuses a size gets a smaller one once, and the
    ///   connection keeps that. A configured page size caps them all.
    /// - Limits: documented free quota of 10 requests per second and 1,000 per day, the day
    ///   ending at midnight Paris time. "10 per second" is read as the strictest form, at most 10
    ///   requests in any one-second window (the sandbox enforces exactly that): a token bucket
    ///   with a burst of 10 at 10 a second lets 20 through in one such window, so requests leave
    ///   one at a time, 8 a second, which keeps any window at 10 or fewer with 250 ms of slack
    ///   for network and scheduling jitter. The 1,000 a day are the connection's daily budget
    ///   (a connection's own `daily_requests` can only lower it), of which 20% is kept for
    ///   deliveries by default: pulls stop at 800.
    public static let apimo = VendorProfile(
        vendor: .apimo,
        defaultBaseURL: "https://api.apimo.pro",
        auth: .httpBasic,
        paging: .init(style: .limitOffset, defaultPageSize: 10_000, maxPageSize: 10_000),
        rateLimits: RateLimits(
            maxConcurrency: 4, requestsPerSecond: 8, burst: 1, dailyQuota: 1000, quotaTimeZone: "Europe/Paris"),
        retry: RetryPolicy(baseDelay: .seconds(1)),
        notes: [
            "Ids and most numbers are JSON strings; they are read as strings and accepted as numbers too.",
            "The over-quota answer is undocumented; a 429 or the limiter's own count both end as rate_limited.",
        ],
        // Users carry a `password` (masked by the vendor): covered by the standard list.
        sensitiveFields: .standard)
}
