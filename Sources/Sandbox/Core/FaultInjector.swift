import Synchronization

/// A deterministic fault queued through the control API: the next `count` vendor requests that
/// match `method` and `path` fail with `kind`.
///
/// JSON: `{"kind":"429","count":2,"method":"POST","path":"/leads","retry_after":3,
/// "retry_after_format":"http-date","vendor":"mycrm"}`; only `kind` is required.
public struct FaultInjection: Sendable, Hashable, Codable {
    /// The fault.
    public var kind: FaultKind
    /// How many matching requests it hits (default 1).
    public var count: Int
    /// Only requests with this HTTP method (any when `nil`); case-insensitive.
    public var method: String?
    /// Only requests whose path starts with this prefix, or, when it contains `*`, matches it as
    /// a route pattern (``FaultRoute``); any path when `nil`.
    public var path: String?
    /// `Retry-After` seconds for a 429 (the plan's value when `nil`).
    public var retryAfter: Int?
    /// How a 429 writes `Retry-After` (the plan's format when `nil`).
    public var retryAfterFormat: RetryAfterFormat?
    /// Only this vendor's emulator (any when `nil`); an emulator refuses an injection for
    /// another vendor.
    public var vendor: SandboxVendor?

    /// Creates an injection.
    public init(
        kind: FaultKind, count: Int = 1, method: String? = nil, path: String? = nil, retryAfter: Int? = nil,
        retryAfterFormat: RetryAfterFormat? = nil, vendor: SandboxVendor? = nil
    ) {
        self.kind = kind
        self.count = count
        self.method = method
        self.path = path
        self.retryAfter = retryAfter
        self.retryAfterFormat = retryAfterFormat
        self.vendor = vendor
    }

    enum CodingKeys: String, CodingKey {
        case kind, count, method, path, vendor
        case retryAfter = "retry_after"
        case retryAfterFormat = "retry_after_format"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.kind = try container.decode(FaultKind.self, forKey: .kind)
        self.count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
        self.method = try container.decodeIfPresent(String.self, forKey: .method)
        self.path = try container.decodeIfPresent(String.self, forKey: .path)
        self.retryAfter = try container.decodeIfPresent(Int.self, forKey: .retryAfter)
        self.retryAfterFormat = try container.decodeIfPresent(RetryAfterFormat.self, forKey: .retryAfterFormat)
        self.vendor = try container.decodeIfPresent(SandboxVendor.self, forKey: .vendor)
        if let retryAfter, !(0...31_536_000).contains(retryAfter) {
            throw DecodingError.dataCorruptedError(
                forKey: .retryAfter, in: container, debugDescription: "retry_after must be between 0 and 31536000 seconds")
        }
        guard count >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container, debugDescription: "count must be at least 1")
        }
    }

    func matches(method: String, path: String) -> Bool {
        (self.method.map { $0.uppercased() == method.uppercased() } ?? true)
            && (self.path.map { $0.contains("*") ? FaultRoute.matches(pattern: $0, path: path) : path.hasPrefix($0) } ?? true)
    }
}

/// What the fault middleware must do with one vendor request.
public struct FaultDecision: Sendable, Hashable {
    /// Delay before anything else (settings latency + plan latency).
    public var delay: Duration
    /// The fault to inject, if any.
    public var fault: FaultKind?
    /// `Retry-After` seconds for a 429.
    public var retryAfterSeconds: Int
    /// How a 429 writes `Retry-After`.
    public var retryAfterFormat: RetryAfterFormat
    /// How long a `timeout` holds.
    public var timeoutHold: Duration
    /// How long a `slow` delays.
    public var slowDelay: Duration
}

/// The fault state of one emulator server: its probabilistic plan, the queue of deterministic
/// injections, the seeded die, and counters of what was injected.
public final class FaultInjector: Sendable {
    private struct State {
        var plan: FaultPlan
        var queue: [FaultInjection] = []
        var rng: SeededGenerator
        var injected: [String: Int] = [:]
    }

    private let state: Mutex<State>
    private let baseLatency: Duration
    private let initialPlan: FaultPlan
    private let seed: UInt64
    /// The emulator's vendor: rules scoped to another vendor never fire here (with `nil`, only
    /// unscoped rules do).
    public let vendor: SandboxVendor?

    /// Creates the injector of one emulator.
    /// - Parameters:
    ///   - plan: the probabilistic plan.
    ///   - latency: delay added to every vendor request on top of the plan's latency.
    ///   - seed: seed of the die.
    ///   - vendor: the emulator's vendor, for vendor-scoped rules.
    public init(plan: FaultPlan, latency: Duration = .zero, seed: UInt64 = 42, vendor: SandboxVendor? = nil) {
        self.vendor = vendor
        self.initialPlan = plan
        self.baseLatency = latency
        self.seed = seed
        self.state = Mutex(State(plan: plan, rng: SeededGenerator(seed: seed, stream: "faults")))
    }

    /// The current probabilistic plan.
    public var plan: FaultPlan {
        state.withLock { $0.plan }
    }

    /// Replaces the probabilistic plan.
    public func setPlan(_ plan: FaultPlan) {
        state.withLock { $0.plan = plan }
    }

    /// Queues deterministic faults, after those already queued. Injections scoped to another
    /// vendor are dropped (the control API refuses them before they get here).
    public func enqueue(_ injections: [FaultInjection]) {
        let mine = injections.filter { $0.vendor == nil || $0.vendor == vendor }
        state.withLock { $0.queue.append(contentsOf: mine) }
    }

    /// Deterministic faults still waiting.
    public var pending: [FaultInjection] {
        state.withLock { $0.queue }
    }

    /// How many faults of each kind were injected since the last reset.
    public var injectedCounts: [String: Int] {
        state.withLock { $0.injected }
    }

    /// Drops every queued injection and sets the plan to none.
    public func clear() {
        state.withLock { state in
            state.queue.removeAll()
            state.plan = FaultPlan()
        }
    }

    /// Back to the plan the run started with, an empty queue, a fresh die and zero counters.
    public func reset() {
        state.withLock { state in
            state = State(plan: initialPlan, rng: SeededGenerator(seed: seed, stream: "faults"))
        }
    }

    /// Decides the fate of one vendor request: queued injections first, then one roll of the die.
    /// - Parameters:
    ///   - method: the request's HTTP method.
    ///   - path: the request's path.
    /// - Returns: the delay to apply and the fault to inject, if any.
    public func decide(method: String, path: String) -> FaultDecision {
        state.withLock { state in
            var fault: FaultKind?
            var retryAfter = state.plan.retryAfterSeconds
            var retryAfterFormat = state.plan.retryAfterFormat
            if let index = state.queue.firstIndex(where: { $0.matches(method: method, path: path) }) {
                let injection = state.queue[index]
                fault = injection.kind
                if let seconds = injection.retryAfter { retryAfter = seconds }
                if let format = injection.retryAfterFormat { retryAfterFormat = format }
                if injection.count <= 1 {
                    state.queue.remove(at: index)
                } else {
                    state.queue[index].count -= 1
                }
            } else if !state.plan.rules.isEmpty {
                let roll = state.rng.nextUnit()
                var cumulative = 0.0
                for rule in state.plan.rules where rule.applies(to: vendor, path: path) {
                    cumulative += rule.probability
                    if roll < cumulative {
                        fault = rule.kind
                        break
                    }
                }
            }
            if let fault {
                state.injected[fault.name, default: 0] += 1
            }
            return FaultDecision(
                delay: baseLatency + state.plan.latency,
                fault: fault,
                retryAfterSeconds: retryAfter,
                retryAfterFormat: retryAfterFormat,
                timeoutHold: state.plan.timeoutHold,
                slowDelay: state.plan.slowDelay
            )
        }
    }
}
