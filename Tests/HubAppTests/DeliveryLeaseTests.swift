import ConnectorKit
import Foundation
import HubApp
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import Synchronization
import Testing

@testable import SyncEngine

/// Short delivery leases: how many deliveries a worker claims per connection, heartbeats that
/// keep a slow attempt's lease, and attempts stopped when their lease is lost.
@Suite struct DeliveryLeaseTests {
    @Test func claimLimitIsWhatThePacingStartsWithinOneLease() {
        let wide = DeliveryPolicy(leaseDuration: 10, batchSize: 100)
        #expect(wide.claimLimit(for: RateLimits(requestsPerSecond: 5)) == 50, "5 requests/s over a 10 s lease")
        #expect(wide.claimLimit(for: RateLimits(requestsPerSecond: 0.25)) == 2)
        #expect(wide.claimLimit(for: RateLimits(requestsPerSecond: 0.01)) == 1, "at least one")
        #expect(wide.claimLimit(for: RateLimits()) == 100, "unpaced: the batch")
        #expect(wide.claimLimit(for: nil) == 100, "unknown: the batch")
        var huge = RateLimits()
        huge.requestsPerSecond = 1e300
        #expect(wide.claimLimit(for: huge) == 100, "never more than the batch")
        huge.requestsPerSecond = .infinity
        #expect(wide.claimLimit(for: huge) == 100)
        let standard = DeliveryPolicy()
        #expect(standard.leaseDuration == 10 && standard.batchSize == 16, "short leases by default")
        #expect(standard.claimLimit(for: RateLimits(requestsPerSecond: 5)) == 16, "the batch caps a fast connection")
        #expect(standard.claimLimit(for: RateLimits(requestsPerSecond: 0.5)) == 5)
        #expect(standard.heartbeatInterval == .milliseconds(3333), "renewed every third of the lease")
        #expect(PullRunner.defaultLeaseDuration == 10)
    }

    @Test func aWorkerClaimsAPacedConnectionsShareAndFillsTheBatchFromOthers() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        _ = try await store.createTenant(id: "t1", name: "Test")
        let now = Date()
        var slow = Connection(
            id: "slow", tenantID: "t1", vendor: "boston-logic", name: "slow", baseURL: "http://127.0.0.1:9", createdAt: now, updatedAt: now)
        slow.requestsPerSecond = 0.3 // 3 per 10 s lease
        let fast = Connection(
            id: "fast", tenantID: "t1", vendor: "boston-logic", name: "fast", baseURL: "http://127.0.0.1:9", createdAt: now, updatedAt: now)
        var unknown = Connection(
            id: "odd", tenantID: "t1", vendor: "no-such-vendor", name: "odd", baseURL: "http://127.0.0.1:9", createdAt: now, updatedAt: now)
        unknown.requestsPerSecond = 0.1
        for connection in [slow, fast, unknown] { _ = try await store.saveConnection(connection, credentials: nil) }
        for (index, connection) in (Array(repeating: "slow", count: 8) + Array(repeating: "fast", count: 4) + ["odd", "odd"]).enumerated() {
            _ = try await store.enqueue(
                [NewDelivery(tenantID: "t1", connectionID: connection, kind: .leadCreate, payload: Data("{}".utf8))],
                now: now.addingTimeInterval(Double(index) - 100))
        }
        let provider = RegistryConnectorProvider(transport: NoTransport(), logger: Logger(label: "test"))
        let worker = DeliveryWorker(
            store: store, connectors: provider,
            handlers: [.leadCreate: { context in DeliveryOutcome(remoteID: "remote-\(context.delivery.id)") }],
            policy: DeliveryPolicy(leaseDuration: 10, batchSize: 16), owner: "w1", logger: Logger(label: "test"))
        // The attempts of connections that cannot build a connector (no credentials) fail; the
        // claim is what counts here: the limits handed to the store.
        let limits = try await worker.claimLimits(connectionID: nil)
        #expect(limits == ["slow": 3], "only the paced connection is limited below the batch, got \(limits)")
        #expect(try await worker.runOnce() == 3 + 4 + 2, "3 of the slow connection, every other due delivery")
        let deliveries = try await store.listDeliveries(tenant: "t1", filter: DeliveryFilter(limit: 100))
        let slowPending = deliveries.filter { $0.connectionID == "slow" && $0.state == .pending }
        #expect(slowPending.count == 5, "the rest of the slow connection waits for the next claim")
        #expect(try await worker.claimLimits(connectionID: "fast").isEmpty)
    }

    @Test func aSlowAttemptKeepsItsLeaseAndALostLeaseStopsTheAttempt() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        _ = try await store.createTenant(id: "t1", name: "Test")
        let now = Date()
        let sandbox = try await SandboxRunner.start(SandboxOptions(vendors: [.bostonLogic]))
        defer { Task { try? await sandbox.shutdown() } }
        let info = try #require(sandbox.info(.bostonLogic))
        _ = try await store.saveConnection(
            Connection(id: "c1", tenantID: "t1", vendor: "boston-logic", name: "c1", baseURL: info.baseURL, createdAt: now, updatedAt: now),
            credentials: try JSONSerialization.data(withJSONObject: info.credentials))
        let provider = RegistryConnectorProvider(transport: NoTransport(), logger: Logger(label: "test"))
        let slow = try #require(
            try await store.enqueue(
                [NewDelivery(tenantID: "t1", connectionID: "c1", kind: .leadCreate, payload: Data("{}".utf8))], now: now
            ).first)

        // An attempt outlasting its lease (on the hub's clock, advanced by hand: the test does
        // not depend on how fast a loaded machine runs): the heartbeat renews it, nobody else
        // claims it.
        let clock = TestNow()
        let policy = DeliveryPolicy(leaseDuration: 3, batchSize: 4)
        let release = Mutex(false)
        let worker = DeliveryWorker(
            store: store, connectors: provider,
            handlers: [
                .leadCreate: { _ in
                    while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
                    return DeliveryOutcome(remoteID: "remote-1")
                }
            ],
            policy: policy, owner: "w1", now: { clock.now }, logger: Logger(label: "test"))
        let run = Task { try await worker.runOnce() }
        func current(_ id: String) async throws -> Delivery? { try await store.delivery(id: id, tenant: "t1") }
        let deadline = Date().addingTimeInterval(30)
        while try await current(slow.id)?.state != .inFlight, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let claimedUntil = try #require(try await current(slow.id)?.leaseExpiresAt)
        clock.advance(2)
        while try await (current(slow.id)?.leaseExpiresAt ?? .distantPast) <= claimedUntil, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        clock.advance(2) // past the lease as first claimed
        let stolen = try await store.claimDeliveries(owner: "w2", now: clock.now, leaseDuration: 3, limit: 4, connectionID: nil)
        #expect(stolen.isEmpty, "a live worker's renewed lease is not taken over")
        release.withLock { $0 = true }
        #expect(try await run.value == 1)
        let done = try #require(try await current(slow.id))
        #expect(done.state == .done && done.remoteID == "remote-1" && done.attempts == 1, "\(done.state) \(done.attempts)")

        // Another worker takes a delivery over (as after a stall past the expiry): the first
        // worker's heartbeat sees the lease gone and stops its attempt, recording nothing.
        let taken = try #require(
            try await store.enqueue(
                [NewDelivery(tenantID: "t1", connectionID: "c1", kind: .leadCreate, payload: Data("{}".utf8))], now: now
            ).first)
        let cancelled = Mutex(false)
        let stalled = DeliveryWorker(
            store: store, connectors: provider,
            handlers: [
                .leadCreate: { _ in
                    do {
                        try await Task.sleep(for: .seconds(30))
                    } catch {
                        cancelled.withLock { $0 = true }
                        throw error
                    }
                    return DeliveryOutcome(remoteID: "too-late")
                }
            ],
            policy: policy, owner: "w3", logger: Logger(label: "test"))
        let started = ContinuousClock.now
        let second = Task { try await stalled.runOnce() }
        // Steal only once the stalled worker holds the delivery (a fixed pause loses that race
        // on a loaded machine).
        let claimDeadline = Date().addingTimeInterval(30)
        while try await current(taken.id)?.leaseOwner != "w3", Date() < claimDeadline { try await Task.sleep(for: .milliseconds(20)) }
        let thief = try await store.claimDeliveries(
            owner: "w4", now: Date().addingTimeInterval(600), leaseDuration: 600, limit: 4, connectionID: nil)
        #expect(thief.map(\.id) == [taken.id])
        #expect(try await second.value == 1)
        #expect(ContinuousClock.now - started < .seconds(15), "the attempt stopped at the next heartbeat, not after 30 s")
        #expect(cancelled.withLock { $0 }, "the vendor call was cancelled")
        let after = try #require(try await store.delivery(id: taken.id, tenant: "t1"))
        #expect(
            after.state == .inFlight && after.leaseOwner == "w4" && after.attempts == 2 && after.lastError == nil,
            "the old worker recorded nothing: \(after.state) \(after.leaseOwner ?? "") \(after.lastError ?? "")")
    }

    @Test func renewalsThatFailTwiceGiveTheLeasesUp() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let leases = DeliveryLeases(ids: ["a", "b", "c"], confirmedAt: start)
        #expect(leases.renewed(held: ["a", "b", "c"], at: start.addingTimeInterval(3)).isEmpty)
        leases.finish("c")
        #expect(leases.renewed(held: ["a"], at: start.addingTimeInterval(6)) == ["b"], "b was taken over")
        #expect(leases.isLost("b") && !leases.isLost("a"))
        #expect(
            leases.renewalFailed(at: start.addingTimeInterval(9), leaseDuration: 10, margin: 3.3).isEmpty,
            "one failed renewal: the lease (until 16) outlasts the next beat")
        #expect(
            leases.renewalFailed(at: start.addingTimeInterval(12.8), leaseDuration: 10, margin: 3.3) == ["a"],
            "a second failure: the lease would expire before the next beat")
        #expect(leases.isLost("a") && !leases.isLost("c"), "a finished attempt is not lost")
    }
}

/// A transport that is never called (the handlers in these tests do not reach a vendor).
struct NoTransport: HTTPTransport {
    func send(_ request: TransportRequest) async throws -> TransportResponse {
        throw ConnectorError(.configuration, vendor: VendorID(rawValue: "boston-logic"), message: "no transport in this test")
    }
}

/// Pulls and request slots of a killed process come back within seconds too.
@Suite struct PullAndSlotTakeoverTests {
    @Test func aPullWhoseProcessDiedIsDueAtOnce() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func run(_ status: SyncRun.Status, error: String? = nil) -> SyncRun {
            SyncRun(
                tenantID: "t1", connectionID: "c1", resource: .contacts, mode: .incremental, status: status,
                startedAt: now.addingTimeInterval(-20), error: error)
        }
        let full = SyncRun(
            tenantID: "t1", connectionID: "c1", resource: .contacts, mode: .full, status: .succeeded,
            startedAt: now.addingTimeInterval(-60))
        let abandoned = SyncScheduler.due(
            runs: [run(.failed, error: PullRunner.abandonedReason), full], resource: .contacts, interval: 900, fullPassInterval: 86_400,
            now: now)
        #expect(abandoned == .incremental, "resumed now, not 15 minutes after it started")
        let failed = SyncScheduler.due(
            runs: [run(.failed, error: "HTTP 503"), full], resource: .contacts, interval: 900, fullPassInterval: 86_400, now: now)
        #expect(failed == nil, "an ordinary failure waits for the next scheduled time")
        let running = SyncScheduler.due(
            runs: [run(.running), full], resource: .contacts, interval: 900, fullPassInterval: 86_400, now: now)
        #expect(running == nil)
    }

    @Test func aSharedSlotIsRenewedWhileItsRequestRunsAndNotAfter() async throws {
        let shared = RecordingSharedLimits()
        let limiter = RateLimiter(
            limits: RateLimits(maxConcurrency: 1), vendor: VendorID(rawValue: "boston-logic"), clock: SystemConnectorClock(),
            shared: (connectionID: "c1", limits: shared))
        // The request runs until its slot was renewed twice (or 30 s pass).
        let value = try await limiter.withPermit {
            let deadline = Date().addingTimeInterval(30)
            while shared.renewals < 2, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return 7
        }
        #expect(value == 7)
        let during = shared.renewals
        #expect(during >= 2, "renewed every 50 ms while the request ran, got \(during)")
        #expect(shared.released == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(shared.renewals == during, "no renewal after the request ended")
    }
}

/// Grants every request and counts renewals and releases.
final class RecordingSharedLimits: SharedRequestLimits {
    private let counts = Mutex((renewals: 0, released: 0))
    var renewals: Int { counts.withLock { $0.renewals } }
    var released: Int { counts.withLock { $0.released } }
    var renewalInterval: Duration? { .milliseconds(50) }

    func reserve(connectionID: String, limits: RateLimits, purpose: RequestPurpose, now: Date) async throws -> SharedRequestDecision {
        .granted(SharedRequestPermit(connectionID: connectionID, slot: 0, wait: .zero))
    }

    func release(_ permit: SharedRequestPermit) async { counts.withLock { $0.released += 1 } }

    func renew(_ permit: SharedRequestPermit) async { counts.withLock { $0.renewals += 1 } }
}
