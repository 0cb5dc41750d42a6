/// Settings shared by every emulator in one sandbox run.
///
/// Built once at the edge (CLI flags, a test) and passed to each emulator's initialiser.
///
/// | key | default | meaning |
/// | --- | --- | --- |
/// | `records` | 50 | seeded records per resource (derived on demand, so a million costs no memory; PropQ seeds at most 1,000 developments) |
/// | `seed` | 42 | seed of the deterministic data generator and of the fault dice |
/// | `tokenTTL` | `nil` | token / session lifetime; `nil` keeps each vendor's documented default |
/// | `faults` | `FaultPlan()` (none) | probabilistic faults applied to vendor routes |
/// | `latency` | `.zero` | added to every vendor request (never to the control API) |
/// | `publishDuration` | 2 s | PropQ: how long a development stays PUBLISHING before PUBLISHED |
/// | `apimoRatePerSecond` | 10 | Apimo: requests per second before 429 |
/// | `apimoDailyQuota` | 1000 | Apimo: requests per day before 429 |
public struct EmulatorSettings: Sendable {
    /// Seeded records per resource. Records are derived from the seed and their index when read
    /// and only changes are stored, so large values cost no memory (PropQ, whose accounts hold a
    /// few developments, seeds at most 1,000 of them).
    public var records: Int
    /// Seed of the deterministic data generator (and of the fault dice).
    public var seed: UInt64
    /// Token or session lifetime; `nil` keeps the vendor's documented default.
    public var tokenTTL: Duration?
    /// Probabilistic faults applied to vendor routes.
    public var faults: FaultPlan
    /// Delay added to every vendor request (never to the control API).
    public var latency: Duration
    /// PropQ: time a development stays `PUBLISHING` before it becomes `PUBLISHED`.
    public var publishDuration: Duration
    /// Apimo: requests allowed per second.
    public var apimoRatePerSecond: Int
    /// Apimo: requests allowed per day.
    public var apimoDailyQuota: Int

    /// Creates settings; every parameter has the documented default.
    /// - Parameters:
    ///   - records: seeded records per resource (default 50).
    ///   - seed: generator seed (default 42).
    ///   - tokenTTL: token lifetime, `nil` for the vendor default.
    ///   - faults: probabilistic fault plan (default: none).
    ///   - latency: delay added to every vendor request (default zero).
    ///   - publishDuration: PropQ publishing time (default 2 s).
    ///   - apimoRatePerSecond: Apimo rate limit (default 10).
    ///   - apimoDailyQuota: Apimo daily quota (default 1000).
    public init(
        records: Int = 50,
        seed: UInt64 = 42,
        tokenTTL: Duration? = nil,
        faults: FaultPlan = FaultPlan(),
        latency: Duration = .zero,
        publishDuration: Duration = .seconds(2),
        apimoRatePerSecond: Int = 10,
        apimoDailyQuota: Int = 1000
    ) {
        self.records = records
        self.seed = seed
        self.tokenTTL = tokenTTL
        self.faults = faults
        self.latency = latency
        self.publishDuration = publishDuration
        self.apimoRatePerSecond = apimoRatePerSecond
        self.apimoDailyQuota = apimoDailyQuota
    }
}
