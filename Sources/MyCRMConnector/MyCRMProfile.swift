public import ConnectorKit
import RealtyModel

extension VendorID {
    /// The MyCRM webservice (vtiger dialect).
    public static let mycrm = VendorID("mycrm", displayName: "MyCRM")
}

extension VendorProfile {
    /// The MyCRM webservice (vtiger dialect): the facts from the seed document and the vtiger
    /// server behaviour described in the vendor notes.
    ///
    /// - Auth: `getchallenge` (GET) then `login` (POST) with md5(token + access key) giving a
    ///   `sessionName`; sessions expire after 1800 s idle and 86400 s absolute.
    /// - Paging: VTQL `query` pages of at most 100 rows (`LIMIT offset, n;`) and `sync` by
    ///   `modifiedTime` (100 per call, `more` and `lastModifiedTime`).
    /// - Limits: self-hosted webservices have none; 4 in flight and 10 per second are our
    ///   conservative defaults.
    ///   No daily quota is documented: a connection given its own daily budget
    ///   (`daily_requests`) counts it from midnight UTC.
    /// - Errors: always HTTP 200 with `{"success":false,"error":{"code","message"}}`.
    /// - The host is the customer's own deployment, so there is no default base URL.
    public static let mycrm = VendorProfile(
        vendor: .mycrm,
        defaultBaseURL: nil,
        auth: .challengeSession(idleTimeout: .seconds(1800), absoluteLifetime: .seconds(86_400)),
        paging: .init(style: .vtql, defaultPageSize: 100, maxPageSize: 100),
        rateLimits: RateLimits(maxConcurrency: 4, requestsPerSecond: 10, quotaTimeZone: "UTC"),
        notes: [
            "Login answers carry sessionName (the server) or sessionId (the document); both are accepted.",
            "Each operation is GET or POST exactly as registered; parameters sent the other way are ignored by the server.",
        ],
        // MyCRM's Contacts carry a social security number and driving licence data as custom
        // fields (vendors/mycrm-webservice.md); the licence's expiry is sealed with its number.
        sensitiveFields: SensitiveFields(["ssn", "dl_license", "dl_expdate"]))
}
