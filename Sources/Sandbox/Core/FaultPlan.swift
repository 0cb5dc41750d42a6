/// A kind of fault the sandbox can inject into vendor requests.
///
/// Spec names (used in fault specs and in `POST /_sandbox/faults`):
///
/// | name | what the client sees | was the request performed? |
/// | --- | --- | --- |
/// | `500`…`599` | that status, text body, `X-Sandbox-Fault` header | no |
/// | `429` | 429 with `Retry-After: <seconds>` | no |
/// | `timeout` | nothing for `timeout=` (default 30 s), then 504 | no |
/// | `reset` | the connection is closed with no response | no |
/// | `garbage` | 200 with a truncated, non-JSON body | no |
/// | `slow` | the normal answer after `slow=` (default 2 s) | yes |
/// | `lost` | 500 | **yes**: the write happened, its answer was lost |
/// | `lost-reset` | the connection is closed with no response | **yes** |
public enum FaultKind: Hashable, Sendable {
    /// An HTTP 5xx answer.
    case serverError(Int)
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
        default:
            guard let code = Int(name), (500...599).contains(code) else { return nil }
            self = .serverError(code)
        }
    }

    /// The spec name of this kind.
    public var name: String {
        switch self {
        case .serverError(let code): String(code)
        case .rateLimited: "429"
        case .timeout: "timeout"
        case .reset: "reset"
        case .garbage: "garbage"
        case .slow: "slow"
        case .lost: "lost"
        case .lostReset: "lost-reset"
        }
    }

    /// Whether the request is still performed by the emulator when this fault fires.
    public var performsRequest: Bool {
        switch self {
        case .slow, .lost, .lostReset: true
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
                debugDescription: "unknown fault kind \"\(name)\"; expected 500-599, 429, timeout, reset, garbage, slow, lost or lost-reset"
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

/// A probabilistic fault plan: which faults fire on what share of vendor requests, plus the
/// parameters of the faults.
///
/// Spec grammar (whitespace around tokens is ignored, an empty spec means no faults):
///
/// ```
/// spec        = item *( "," item )
/// item        = rule / parameter
/// rule        = kind ":" probability          ; e.g. 500:0.1
/// kind        = "500" … "599" / "429" / "timeout" / "reset" / "garbage" / "slow"
///             / "lost" / "lost-reset"
/// probability = decimal in 0 … 1              ; share of vendor requests
/// parameter   = "latency=" duration           ; extra delay on every vendor request
///             / "retry-after=" seconds        ; Retry-After of 429 answers (default 1)
///             / "timeout=" duration           ; how long `timeout` holds (default 30s)
///             / "slow=" duration              ; how long `slow` delays (default 2s)
/// duration    = number [ "ms" / "s" / "m" / "h" ]   ; bare number = seconds
/// ```
///
/// Example: `500:0.1,429:0.05,timeout:0.02,reset:0.01,latency=200ms,slow:0.1`.
/// One die is rolled per vendor request (seeded, so runs repeat); the rules are tried in the
/// order written and their probabilities must add up to at most 1. A kind may appear once.
public struct FaultPlan: Sendable, Hashable, CustomStringConvertible {
    /// One probabilistic rule.
    public struct Rule: Sendable, Hashable {
        /// The fault.
        public var kind: FaultKind
        /// Share of vendor requests it hits, 0 … 1.
        public var probability: Double
        /// Creates a rule.
        public init(kind: FaultKind, probability: Double) {
            self.kind = kind
            self.probability = probability
        }
    }

    /// The rules, in the order they are tried.
    public var rules: [Rule]
    /// Extra delay added to every vendor request.
    public var latency: Duration
    /// `Retry-After` seconds of injected 429 answers.
    public var retryAfterSeconds: Int
    /// How long a `timeout` fault holds the request before answering 504.
    public var timeoutHold: Duration
    /// How long a `slow` fault delays the request.
    public var slowDelay: Duration

    /// Creates a plan; with no arguments, a plan that injects nothing.
    public init(
        rules: [Rule] = [],
        latency: Duration = .zero,
        retryAfterSeconds: Int = 1,
        timeoutHold: Duration = .seconds(30),
        slowDelay: Duration = .seconds(2)
    ) {
        self.rules = rules
        self.latency = latency
        self.retryAfterSeconds = retryAfterSeconds
        self.timeoutHold = timeoutHold
        self.slowDelay = slowDelay
    }

    /// Whether the plan injects nothing at all.
    public var isEmpty: Bool { rules.isEmpty && latency == .zero }

    /// Parses a spec (grammar in the type's documentation).
    /// - Parameter spec: e.g. `"500:0.1,429:0.05,latency=200ms"`.
    /// - Throws: ``FaultSpecError`` naming the first bad token.
    public init(spec: String) throws(FaultSpecError) {
        self.init()
        var seen: Set<FaultKind> = []
        var total = 0.0
        for rawToken in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let token = String(rawToken).trimmingSpaces()
            if token.isEmpty {
                if spec.trimmingSpaces().isEmpty { continue }
                throw FaultSpecError(token: token, reason: "empty item (two commas in a row, or a trailing comma)")
            }
            if let eq = token.firstIndex(of: "=") {
                let name = token[..<eq].lowercased().trimmingSpaces()
                let value = String(token[token.index(after: eq)...]).trimmingSpaces()
                try applyParameter(name: name, value: value, token: token)
            } else if let colon = token.firstIndex(of: ":") {
                let name = String(token[..<colon]).trimmingSpaces()
                let value = String(token[token.index(after: colon)...]).trimmingSpaces()
                guard let kind = FaultKind(name: name) else {
                    throw FaultSpecError(
                        token: token,
                        reason: "unknown fault kind \"\(name)\"; expected 500-599, 429, timeout, reset, garbage, slow, lost or lost-reset"
                    )
                }
                guard let probability = Double(value), probability.isFinite, (0...1).contains(probability),
                    value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
                else {
                    throw FaultSpecError(token: token, reason: "probability \"\(value)\" must be a decimal between 0 and 1")
                }
                guard seen.insert(kind).inserted else {
                    throw FaultSpecError(token: token, reason: "fault kind \"\(name)\" appears more than once")
                }
                total += probability
                guard total <= 1.000_000_1 else {
                    throw FaultSpecError(token: token, reason: "probabilities add up to more than 1")
                }
                rules.append(Rule(kind: kind, probability: probability))
            } else {
                throw FaultSpecError(
                    token: token,
                    reason: "expected kind:probability (e.g. 500:0.1) or parameter=value (e.g. latency=200ms)"
                )
            }
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
        switch name {
        case "latency": latency = try duration()
        case "timeout": timeoutHold = try duration()
        case "slow": slowDelay = try duration()
        case "retry-after", "retry_after":
            let seconds = try duration().timeInterval
            guard seconds >= 0, seconds.rounded() == seconds else {
                throw FaultSpecError(token: token, reason: "retry-after must be a whole number of seconds")
            }
            retryAfterSeconds = Int(seconds)
        default:
            throw FaultSpecError(
                token: token, reason: "unknown parameter \"\(name)\"; expected latency, retry-after, timeout or slow")
        }
    }

    /// The plan written back as a spec that ``init(spec:)`` reads to an equal plan.
    public var description: String {
        var items = rules.map { "\($0.kind.name):\($0.probability)" }
        let defaults = FaultPlan()
        if latency != defaults.latency { items.append("latency=\(latency.sandboxDescription)") }
        if retryAfterSeconds != defaults.retryAfterSeconds { items.append("retry-after=\(retryAfterSeconds)") }
        if timeoutHold != defaults.timeoutHold { items.append("timeout=\(timeoutHold.sandboxDescription)") }
        if slowDelay != defaults.slowDelay { items.append("slow=\(slowDelay.sandboxDescription)") }
        return items.joined(separator: ",")
    }
}
