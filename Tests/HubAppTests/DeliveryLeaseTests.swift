import ConnectorKit
import Foundation
import HubApp
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
@testable import SyncEngine
import Synchronization
import Testing

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
        var slow = Connection(id: "slow", tenantID: "t1", vendor: "boston-logic", name: "slow", baseURL: "http://127.0.0.1:9", createdAt: now, updatedAt: now)
        slow.requestsPerSecond = 0.3  // 3 per 10 s lease
        let fast = Connection(id: "fast", tenantID: "t1", vendor: "boston-logic", name: "fast", baseURL: "http://127.0.0.1:9", createdAt: now, updatedAt: now)
        var unknown = Connection(id: "odd", tenantID: "t1", vendor: "no-such-vendor", name: "odd", baseURL: "http://127.0.0.1:9", createdAt: now, updatedAt: now)
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
            handlers: [.leadCreate: { context in "remote-\(context.delivery.id)" }],
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
        let slow = try #require(try await store.enqueue(
            [NewDelivery(tenantID: "t1", connectionID: "c1", kind: .leadCreate, payload: Data("{}".utf8))], now: now).first)

        // A 1.5 s attempt under a 0.6 s lease: the heartbeat keeps it, nobody else claims it.
        let policy = DeliveryPolicy(leaseDuration: 0.6, batchSize: 4)
        let worker = DeliveryWorker(
            store: store, connectors: provider,
            handlers: [.leadCreate: { _ in
                try await Task.sleep(for: .milliseconds(1500))
                return "remote-1"
            }],
            policy: policy, owner: "w1", logger: Logger(label: "test"))
        let run = Task { try await worker.runOnce() }
        var stolen: [Delivery] = []
        for _ in 0..<12 {
            try await Task.sleep(for: .milliseconds(100))
            stolen += try await store.claimDeliveries(owner: "w2", now: Date(), leaseDuration: 0.6, limit: 4, connectionID: nil)
        }
        #expect(try await run.value == 1)
        #expect(stolen.isEmpty, "a live worker's slow attempt is never taken over")
        let done = try #require(try await store.delivery(id: slow.id, tenant: "t1"))
        #expect(done.state == .done && done.remoteID == "remote-1" && done.attempts == 1)

        // Another worker takes a delivery over (as after a stall past the expiry): the first
        // worker's heartbeat sees the lease gone and stops its attempt, recording nothing.
        let taken = try #require(try await store.enqueue(
            [NewDelivery(tenantID: "t1", connectionID: "c1", kind: .leadCreate, payload: Data("{}".utf8))], now: now).first)
        let cancelled = Mutex(false)
        let stalled = DeliveryWorker(
            store: store, connectors: provider,
            handlers: [.leadCreate: { _ in
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    cancelled.withLock { $0 = true }
                    throw error
                }
                return "too-late"
            }],
            policy: policy, owner: "w3", logger: Logger(label: "test"))
        let started = ContinuousClock.now
        let second = Task { try await stalled.runOnce() }
        try await Task.sleep(for: .milliseconds(100))
        let thief = try await store.claimDeliveries(
            owner: "w4", now: Date().addingTimeInterval(60), leaseDuration: 60, limit: 4, connectionID: nil)
        #expect(thief.map(\.id) == [taken.id])
        #expect(try await second.value == 1)
        #expect(ContinuousClock.now - started < .seconds(5), "the attempt stopped at the next heartbeat, not after 30 s")
        #expect(cancelled.withLock { $0 }, "the vendor call was cancelled")
        let after = try #require(try await store.delivery(id: taken.id, tenant: "t1"))
        #expect(after.state == .inFlight && after.leaseOwner == "w4" && after.attempts == 2 && after.lastError == nil,
                "the old worker recorded nothing: \(after.state) \(after.leaseOwner ?? "") \(after.lastError ?? "")")
    }

    @Test func renewalsThatFailTwiceGiveTheLeasesUp() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let leases = DeliveryLeases(ids: ["a", "b", "c"], confirmedAt: start)
        #expect(leases.renewed(held: ["a", "b", "c"], at: start.addingTimeInterval(3)).isEmpty)
        leases.finish("c")
        #expect(leases.renewed(held: ["a"], at: start.addingTimeInterval(6)) == ["b"], "b was taken over")
        #expect(leases.isLost("b") && !leases.isLost("a"))
        #expect(leases.renewalFailed(at: start.addingTimeInterval(9), leaseDuration: 10, margin: 3.3).isEmpty,
                "one failed renewal: the lease (until 16) outlasts the next beat")
        #expect(leases.renewalFailed(at: start.addingTimeInterval(12.8), leaseDuration: 10, margin: 3.3) == ["a"],
                "a second failure: the lease would expire before the next beat")
        #expect(leases.isLost("a") && !leases.isLost("c"), "a finished attempt is not lost")
    }
}

/// A transport that is never called (the handlers in these tests do not reach a vendor).
struct NoTransport: HTTPTransport {
    func send(_ request: TransportRequest) async throws -> TransportResponse {
        throw ConnectorError(.configuration, vendor: .bostonLogic, message: "no transport in this test")
    }
}
