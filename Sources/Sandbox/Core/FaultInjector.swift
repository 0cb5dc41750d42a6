import Synchronization

/// A deterministic fault queued through the control API: the next `count` vendor requests that
/// match `method` and `path` fail with `kind`.
public struct FaultInjection: Sendable, Hashable, Codable {
    /// The fault.
    public var kind: FaultKind
    /// How many matching requests it hits (default 1).
    public var count: Int
    /// Only requests with this HTTP method (any when `nil`); case-insensitive.
    public var method: String?
    /// Only requests whose path starts with this prefix (any when `nil`).
    public var path: String?
    /// `Retry-After` seconds for a 429 (the plan's value when `nil`).
    public var retryAfter: Int?

    /// Creates an injection.
    public init(kind: FaultKind, count: Int = 1, method: String? = nil, path: String? = nil, retryAfter: Int? = nil) {
        self.kind = kind
        self.count = count
        self.method = method
        self.path = path
        self.retryAfter = retryAfter
    }

    enum CodingKeys: String, CodingKey {
        case kind, count, method, path
        case retryAfter = "retry_after"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.kind = try container.decode(FaultKind.self, forKey: .kind)
        self.count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
        self.method = try container.decodeIfPresent(String.self, forKey: .method)
        self.path = try container.decodeIfPresent(String.self, forKey: .path)
        self.retryAfter = try container.decodeIfPresent(Int.self, forKey: .retryAfter)
        guard count >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container, debugDescription: "count must be at least 1")
        }
    }

    func matches(method: String, path: String) -> Bool {
        (self.method.map { $0.uppercased() == method.uppercased() } ?? true)
            && (self.path.map { path.hasPrefix($0) } ?? true)
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

    /// Creates the injector of one emulator.
    /// - Parameters:
    ///   - plan: the probabilistic plan.
    ///   - latency: delay added to every vendor request on top of the plan's latency.
    ///   - seed: seed of the die.
    public init(plan: FaultPlan, latency: Duration = .zero, seed: UInt64 = 42) {
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

    /// Queues deterministic faults, after those already queued.
    public func enqueue(_ injections: [FaultInjection]) {
        state.withLock { $0.queue.append(contentsOf: injections) }
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
            if let index = state.queue.firstIndex(where: { $0.matches(method: method, path: path) }) {
                let injection = state.queue[index]
                fault = injection.kind
                if let seconds = injection.retryAfter { retryAfter = seconds }
                if injection.count <= 1 {
                    state.queue.remove(at: index)
                } else {
                    state.queue[index].count -= 1
                }
            } else if !state.plan.rules.isEmpty {
                let roll = state.rng.nextUnit()
                var cumulative = 0.0
                for rule in state.plan.rules {
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
                timeoutHold: state.plan.timeoutHold,
                slowDelay: state.plan.slowDelay
            )
        }
    }
}
