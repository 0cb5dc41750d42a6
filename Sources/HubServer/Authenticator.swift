import Foundation
import HTTPTypes
import Hummingbird

/// Checks the bearer token of a request and applies the per-client request rate.
struct Authenticator: Sendable {
    let tokens: TokenService
    let limiter: RateLimiter

    func authenticate(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized(
                "this route needs a bearer token: POST /oauth/token with the client id and secret, then send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        let principal = try await tokens.authenticate(String(parts[1]).trimmingCharacters(in: .whitespaces))
        if let wait = await limiter.take(principal.clientID) {
            var headers = HTTPFields()
            headers[.retryAfter] = String(Int(wait.rounded(.up)))
            throw APIError(
                .tooManyRequests, .rateLimited, "too many requests for this client; retry after \(Int(wait.rounded(.up))) s",
                headers: headers)
        }
        return principal
    }
}

/// A token bucket per key: `rate` requests per second on average, bursts up to `burst`.
actor RateLimiter {
    private let rate: Double
    private let burst: Double
    private var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]

    init(rate: Double, burst: Double) {
        self.rate = max(0.001, rate)
        self.burst = max(1, burst)
    }

    /// Takes one token; returns nil when allowed, or the seconds until a token is available.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Double? {
        var bucket = buckets[key] ?? (burst, now)
        let elapsed = now - bucket.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(burst, bucket.tokens + seconds * rate)
        bucket.at = now
        defer {
            if buckets.count > 50_000 { buckets.removeAll() }
            buckets[key] = bucket
        }
        guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
        bucket.tokens -= 1
        return nil
    }
}
