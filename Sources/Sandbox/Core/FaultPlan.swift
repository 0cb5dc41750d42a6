public import Foundation

/// A kind of fault the sandbox can inject into vendor requests.
///
/// Spec names (used in fault specs and in `POST /_sandbox/faults`):
///
/// | name | what the client sees | was the request performed? |
/// | --- | --- | --- |
/// | `500`…`599` | that status, text body, `X-Sandbox-Fault` header | no |
/// | `400`…`499` but `429` | that status, text body, `X-Sandbox-Fault` header (a refusal the client cannot retry; a dead letter on demand) | no |
/// | `429` | 429 with `Retry-After` (seconds, or an HTTP-date with `retry-after-date=`) | no |
/// | `timeout` | nothing for `timeout=` (default 30 s), then 504 | no |
/// | `reset` | the connection is closed with no response | no |
/// | `garbage` | 200 with a truncated, non-JSON body | no |
/// | `slow` | the normal answer after `slow=` (default 2 s) | yes |
/// | `lost` | 500 | **yes**: the write happened, its answer was lost |
/// | `lost-reset` | the connection is closed with no response | **yes** |
/// | `revoke` | every live token or session of the emulator is revoked before expiry, then the request runs, so it gets the vendor's own auth error | yes |
public enum FaultKind: Hashable, Sendable {
    /// An HTTP 5xx answer.
    case serverError(Int)
    /// An HTTP 4xx answer other than 429: a refusal the client must not retry.
    case clientError(Int)
    /// HTTP 429 with `Retry-After`.
    case rateLimited
    /// Hold the request past a client's timeout, then 504 without performing it.
    case timeout
    /// Close the connection without answering.
    case reset
    /// 200 with a malformed body.
    case garbage
    /// Perform the request slowly.
    case slow
    /// Perform the request, then answer 500 (success but response lost).
    case lost
    /// Perform the request, then close the connection (success but response lost).
    case lostReset
    /// Revoke every live token or session of the emulator, then perform the request. Vendors
    /// with static credentials (Apimo, Boston Logic) have nothing to revoke.
    case revoke

    /// The names ``init(name:)`` reads, for error messages.
    static let expectedNames = "500-599, 400-499, timeout, reset, garbage, slow, lost, lost-reset or revoke"

    /// Reads a spec name (`500`, `429`, `timeout`, `lost-reset`, ...); `nil` when unknown.
    /// - Parameter name: the name.
    public init?(name: String) {
        switch name.lowercased() {
        case "429": self = .rateLimited
        case "timeout": self = .timeout
        case "reset", "close": self = .reset
        case "garbage": self = .garbage
        case "slow": self = .slow
        case "lost": self = .lost
        case "lost-reset", "lost-close": self = .lostReset
        case "revoke": self = .revoke
        default:
            guard let code = Int(name) else { return nil }
            switch code {
            case 500...599: self = .serverError(code)
            case 400...499: self = .clientError(code)
            default: return nil
            }
        }
    }

    /// The spec name of this kind.
    public var name: String {
        switch self {
        case .serverError(let code), .clientError(let code): String(code)
        case .rateLimited: "429"
        case .timeout: "timeout"
        case .reset: "reset"
        case .garbage: "garbage"
        case .slow: "slow"
        case .lost: "lost"
        case .lostReset: "lost-reset"
        case .revoke: "revoke"
        }
    }

    /// Whether the request is still performed by the emulator when this fault fires.
    public var performsRequest: Bool {
        switch self {
        case .slow, .lost, .lostReset, .revoke: true
        default: false
        }
    }
}

extension FaultKind: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name: String
        if let code = try? container.decode(Int.self) {
            name = String(code)
        } else {
            name = try container.decode(String.self)
        }
        guard let kind = FaultKind(name: name) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown fault kind \"\(name)\"; expected \(FaultKind.expectedNames)"
            )
        }
        self = kind
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// An error in a fault spec, naming the token that could not be read.
public struct FaultSpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offending token, as written.
    public var token: String
    /// Why it was rejected.
    public var reason: String
    public var description: String { "invalid fault spec token \"\(token)\": \(reason)" }
}

/// How an injected 429 writes its `Retry-After` header (RFC 9110 §10.2.3 allows both).
public enum RetryAfterFormat: String, Sendable, Hashable, Codable {
    /// `Retry-After: 5`.
    case seconds
    /// `Retry-After: Sun, 22 Nov 2026 18:30:05 GMT`, that many seconds after the answer.
    case httpDate = "http-date"
}

/// A probabilistic fault plan: which faults fire on what share of vendor requests (optionally
/// only for one vendor and one route pattern), plus the parameters of the faults.
///
/// Spec grammar (whitespace around tokens is ignored, an empty spec means no faults):
///
/// ```
/// spec        = item *( "," item )
/// item        = rule / parameter
/// rule        = [ vendor ":" ] kind ":" probability [ "@" route ]
///                                             ; e.g. 500:0.1, mycrm:500:0.1, 429:0.2@/leads*
/// vendor      = "pf-expert" / "propq" / "mycrm" / "apimo" / "boston-logic"
///                                             ; the rule hits only that vendor's emulator
/// kind        = "500" … "599" / "429" / "timeout" / "reset" / "garbage" / "slow"
///             / "lost" / "lost-reset" / "revoke"
/// probability = decimal in 0 … 1              ; share of the matching requests
/// route       = path pattern; "*" matches any run of characters ("/" included); without
///               "*" the request path must be equal (the query string is never matched)
/// parameter   = "latency=" duration           ; extra delay on every vendor request
///             / "retry-after=" seconds        ; Retry-After of 429 answers, in seconds (default 1)
///             / "retry-after-date=" seconds   ; the same, written as an HTTP-date that far ahead
///             / "retry-after=http-date"       ; keep the seconds, write them as an HTTP-date
///             / "timeout=" duration           ; how long `timeout` holds (default 30s)
///             / "slow=" duration              ; how long `slow` delays (default 2s)
/// duration    = number [ "ms" / "s" / "m" / "h" ]   ; bare number = seconds
/// ```
///
/// Example: `500:0.1,429:0.05,timeout:0.02,reset:0.01,latency=200ms,slow:0.1` (every vendor,
/// every route, as before vendor and route scopes existed);
/// `mycrm:500:0.1,pf-expert:429:0.2@/v1/leads*,revoke:0.01,retry-after-date=5`.
///
/// One die is rolled per vendor request (seeded per vendor, so runs repeat); the rules that
/// apply to the request (vendor and route match) are tried in the order written. Rules with the
/// same vendor and route must add up to at most 1; where scopes overlap, the share beyond 1 is
/// never reached. A kind may appear once per vendor and route.
public struct FaultPlan: Sendable, Hashable, CustomStringConvertible {
    /// One probabilistic rule.
    public struct Rule: Sendable, Hashable {
        /// The fault.
        public var kind: FaultKind
        /// Share of matching vendor requests it hits, 0 … 1.
        public var probability: Double
        /// Only this vendor's emulator (every vendor when `nil`).
        public var vendor: SandboxVendor?
        /// Only request paths matching this pattern (every path when `nil`); see ``FaultRoute``.
        public var route: String?

        /// Creates a rule.
        public init(kind: FaultKind, probability: Double, vendor: SandboxVendor? = nil, route: String? = nil) {
            self.kind = kind
            self.probability = probability
            self.vendor = vendor
            self.route = route
        }

        /// Whether the rule applies to a request of `vendor` for `path`.
        /// - Parameters:
        ///   - vendor: the emulator's vendor (`nil`: only unscoped rules apply).
        ///   - path: the request path, without the query string.
        public func applies(to vendor: SandboxVendor?, path: String) -> Bool {
            if let only = self.vendor, only != vendor { return false }
            if let route, !FaultRoute.matches(pattern: route, path: path) { return false }
            return true
        }

        /// The rule as written in a spec.
        var specText: String {
            var text = "\(kind.name):\(probability)"
            if let vendor { text = "\(vendor.rawValue):" + text }
            if let route { text += "@" + route }
            return text
        }
    }

    /// The rules, in the order they are tried.
    public var rules: [Rule]
    /// Extra delay added to every vendor request.
    public var latency: Duration
    /// `Retry-After` seconds of injected 429 answers.
    public var retryAfterSeconds: Int
    /// How injected 429 answers write `Retry-After`.
    public var retryAfterFormat: RetryAfterFormat
    /// How long a `timeout` fault holds the request before answering 504.
    public var timeoutHold: Duration
    /// How long a `slow` fault delays the request.
    public var slowDelay: Duration

    /// Creates a plan; with no arguments, a plan that injects nothing.
    public init(
        rules: [Rule] = [],
        latency: Duration = .zero,
        retryAfterSeconds: Int = 1,
        retryAfterFormat: RetryAfterFormat = .seconds,
        timeoutHold: Duration = .seconds(30),
        slowDelay: Duration = .seconds(2)
    ) {
        self.rules = rules
        self.latency = latency
        self.retryAfterSeconds = retryAfterSeconds
        self.retryAfterFormat = retryAfterFormat
        self.timeoutHold = timeoutHold
        self.slowDelay = slowDelay
    }

    /// Whether the plan injects nothing at all.
    public var isEmpty: Bool { rules.isEmpty && latency == .zero }

    /// Parses a spec (grammar in the type's documentation).
    /// - Parameter spec: e.g. `"500:0.1,mycrm:429:0.05@/webservice.php,latency=200ms"`.
    /// - Throws: ``FaultSpecError`` naming the first bad token.
    public init(spec: String) throws(FaultSpecError) {
        self.init()
        struct Scope: Hashable {
            var vendor: SandboxVendor?
            var route: String?
        }
        struct Key: Hashable {
            var scope: Scope
            var kind: FaultKind
        }
        var seen: Set<Key> = []
        var totals: [Scope: Double] = [:]
        for rawToken in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let token = String(rawToken).trimmingSpaces()
            if token.isEmpty {
                if spec.trimmingSpaces().isEmpty { continue }
                throw FaultSpecError(token: token, reason: "empty item (two commas in a row, or a trailing comma)")
            }
            var head = token
            var route: String?
            if let at = token.firstIndex(of: "@") {
                head = String(token[..<at]).trimmingSpaces()
                let pattern = String(token[token.index(after: at)...]).trimmingSpaces()
                guard pattern.hasPrefix("/") || pattern.hasPrefix("*") else {
                    throw FaultSpecError(token: token, reason: "route \"\(pattern)\" must start with / or *")
                }
                guard !pattern.contains(where: { $0 == "?" || $0 == " " || $0 == "@" }) else {
                    throw FaultSpecError(token: token, reason: "route \"\(pattern)\" may not contain ?, @ or spaces")
                }
                route = pattern
            }
            if let eq = head.firstIndex(of: "=") {
                guard route == nil else {
                    throw FaultSpecError(token: token, reason: "parameters apply to every route; remove the @route")
                }
                let name = head[..<eq].lowercased().trimmingSpaces()
                let value = String(head[head.index(after: eq)...]).trimmingSpaces()
                try applyParameter(name: name, value: value, token: token)
                continue
            }
            let parts = head.split(separator: ":", omittingEmptySubsequences: false).map {
                String($0).trimmingSpaces()
            }
            guard parts.count == 2 || parts.count == 3 else {
                throw FaultSpecError(
                    token: token,
                    reason:
                        "expected [vendor:]kind:probability[@route] (e.g. 500:0.1, mycrm:500:0.1, 429:0.2@/leads*) or parameter=value (e.g. latency=200ms)"
                )
            }
            var vendor: SandboxVendor?
            if parts.count == 3 {
                guard let named = SandboxVendor(rawValue: parts[0].lowercased()) else {
                    throw FaultSpecError(
                        token: token,
                        reason: "unknown vendor \"\(parts[0])\"; expected \(SandboxVendor.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                vendor = named
            }
            let name = parts[parts.count - 2]
            let value = parts[parts.count - 1]
            guard let kind = FaultKind(name: name) else {
                throw FaultSpecError(token: token, reason: "unknown fault kind \"\(name)\"; expected \(FaultKind.expectedNames)")
            }
            guard let probability = Double(value), probability.isFinite, (0...1).contains(probability),
                value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
            else {
                throw FaultSpecError(token: token, reason: "probability \"\(value)\" must be a decimal between 0 and 1")
            }
            let scope = Scope(vendor: vendor, route: route)
            guard seen.insert(Key(scope: scope, kind: kind)).inserted else {
                throw FaultSpecError(
                    token: token, reason: "fault kind \"\(name)\" appears more than once for the same vendor and route")
            }
            totals[scope, default: 0] += probability
            guard totals[scope, default: 0] <= 1.000_000_1 else {
                throw FaultSpecError(token: token, reason: "probabilities for the same vendor and route add up to more than 1")
            }
            rules.append(Rule(kind: kind, probability: probability, vendor: vendor, route: route))
        }
    }

    private mutating func applyParameter(name: String, value: String, token: String) throws(FaultSpecError) {
        func duration() throws(FaultSpecError) -> Duration {
            do {
                return try Duration(parsing: value)
            } catch {
                throw FaultSpecError(token: token, reason: error.description)
            }
        }
        func wholeSeconds() throws(FaultSpecError) -> Int {
            let seconds = try duration().timeInterval
            guard seconds >= 0, seconds <= 31_536_000, seconds.rounded() == seconds else {
                throw FaultSpecError(token: token, reason: "\(name) must be a whole number of seconds (at most a year)")
            }
            return Int(seconds)
        }
        switch name {
        case "latency": latency = try duration()
        case "timeout": timeoutHold = try duration()
        case "slow": slowDelay = try duration()
        case "retry-after", "retry_after":
            switch value.lowercased() {
            case "http-date", "date": retryAfterFormat = .httpDate
            case "seconds": retryAfterFormat = .seconds
            default:
                retryAfterSeconds = try wholeSeconds()
                retryAfterFormat = .seconds
            }
        case "retry-after-date", "retry_after_date":
            retryAfterSeconds = try wholeSeconds()
            retryAfterFormat = .httpDate
        default:
            throw FaultSpecError(
                token: token,
                reason: "unknown parameter \"\(name)\"; expected latency, retry-after, retry-after-date, timeout or slow")
        }
    }

    /// The plan written back as a spec that ``init(spec:)`` reads to an equal plan.
    public var description: String {
        var items = rules.map(\.specText)
        let defaults = FaultPlan()
        if latency != defaults.latency { items.append("latency=\(latency.sandboxDescription)") }
        switch retryAfterFormat {
        case .seconds:
            if retryAfterSeconds != defaults.retryAfterSeconds { items.append("retry-after=\(retryAfterSeconds)") }
        case .httpDate:
            items.append("retry-after-date=\(retryAfterSeconds)")
        }
        if timeoutHold != defaults.timeoutHold { items.append("timeout=\(timeoutHold.sandboxDescription)") }
        if slowDelay != defaults.slowDelay { items.append("slow=\(slowDelay.sandboxDescription)") }
        return items.joined(separator: ",")
    }
}

/// Route patterns of fault rules and injections.
public enum FaultRoute {
    /// Whether `path` matches `pattern`: `*` matches any run of characters (`/` included), every
    /// other character matches itself; a pattern without `*` must equal the path.
    /// - Parameters:
    ///   - pattern: e.g. `/leads*`, `/api/v1/developments/*/publish`.
    ///   - path: the request path, without the query string.
    public static func matches(pattern: String, path: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let path = Array(path.utf8)
        var p = 0
        var s = 0
        var star: Int?
        var resume = 0
        while s < path.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = s
            } else if p < pattern.count, pattern[p] == path[s] {
                p += 1
                s += 1
            } else if let star {
                p = star + 1
                resume += 1
                s = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// `Retry-After` as an IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    /// - Parameter date: the instant (fractions of a second are dropped).
    public static func httpDate(_ date: Date) -> String {
        let time = CivilTime(date)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((time.daysSinceEpoch % 7) + 7) % 7]
        let two = CivilTime.two
        return "\(weekday), \(two(time.day)) \(months[time.month - 1]) \(time.year) "
            + "\(two(time.hour)):\(two(time.minute)):\(two(time.second)) GMT"
    }
}
