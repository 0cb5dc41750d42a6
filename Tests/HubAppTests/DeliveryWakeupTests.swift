import ConnectorKit
import Foundation
import HubApp
import HubStore
import HubStorePostgres
import HubStoreSQLite
import HubTestSupport
import Logging
import Testing

@testable import SyncEngine

/// Deliveries are picked up at once: a commit wakes the idle delivery worker (in process, and
/// on PostgreSQL across processes through LISTEN/NOTIFY), no wake is lost between the worker's
/// claim and its wait, and polling is only the fallback. The workers here poll once an hour, so
/// a delivery claimed within the test's time limit was claimed because it was signalled.
@Suite(.timeLimit(.minutes(1))) struct DeliveryWakeupTests {
    static let hour = Duration.seconds(3600)

    @Test func aSignalBetweenTheLookAndTheWaitIsNotLost() async {
        let signal = OutboxSignal()
        let seen = signal.generation
        signal.notify() // a commit after the claim found nothing, before the worker waits
        await signal.wait(after: seen, timeout: Self.hour)
        #expect(signal.generation != seen)
    }

    @Test func aWaitingWorkerIsWokenAndACancelledOneReturns() async {
        let signal = OutboxSignal()
        let seen = signal.generation
        let woken = Task { await signal.wait(after: seen, timeout: Self.hour) }
        signal.notify()
        await woken.value
        let cancelled = Task { await signal.wait(after: signal.generation, timeout: Self.hour) }
        cancelled.cancel()
        await cancelled.value
    }

    @Test func aCommitWakesAnIdleWorkerBeforeItsPollInterval() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        try await Self.commitsWakeTheWorker(worker: store, committer: store)
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func anotherStoresCommitWakesTheWorkerThroughNotify() async throws {
        try await Self.withTwoHandles { listening, committing in
            let signal = listening.outboxSignal()
            while !signal.reachesOtherProcesses { try await Task.sleep(for: .milliseconds(20)) }
            let seen = signal.generation
            _ = try await committing.createTenant(id: "t0", name: "T0")
            _ = try await committing.enqueue(
                [NewDelivery(tenantID: "t0", connectionID: "c0", kind: .leadCreate, payload: Data("{}".utf8))], now: Date())
            await signal.wait(after: seen, timeout: Self.hour)
            #expect(signal.generation != seen, "the other handle's commit was announced")
            #expect(committing.outboxSignal().generation > 0, "and its own signal fired at once")

            try await Self.commitsWakeTheWorker(worker: listening, committer: committing, tenant: "t1")
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func anotherStoresEventsWakeTheWebhookWorkerThroughNotify() async throws {
        try await Self.withTwoHandles { listening, committing in
            let signal = listening.eventSignal()
            while !signal.reachesOtherProcesses { try await Task.sleep(for: .milliseconds(20)) }
            _ = try await committing.createTenant(id: "t0", name: "T0")
            let scope = SyncScope(tenant: "t0", connectionID: "c0", sourceSystemName: "mycrm")
            for round in 0..<3 {
                let seen = signal.generation
                _ = try await committing.upsert([Fixtures.contact(round)], scope: scope, cursor: nil)
                await signal.wait(after: seen, timeout: Self.hour)
                #expect(signal.generation != seen, "round \(round): the other handle's appended event was announced")
            }
        }
    }

    /// Two handles on one new schema, as two processes have (only NOTIFY reaches the other),
    /// both closed after `body` whatever it throws.
    static func withTwoHandles(_ body: (PostgresHubStore, PostgresHubStore) async throws -> Void) async throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        try await PostgresTestDatabase.withSchema { configuration in
            let listening = try await PostgresHubStore.open(configuration, secretBox: box)
            let committing = try await PostgresHubStore.open(configuration, secretBox: box)
            do {
                try await body(listening, committing)
            } catch {
                await listening.close()
                await committing.close()
                throw error
            }
            await listening.close()
            await committing.close()
        }
    }

    /// Runs a delivery service on `worker` that polls once an hour, commits a delivery through
    /// `committer` after the service has gone idle, and waits until it is claimed.
    static func commitsWakeTheWorker(
        worker workerStore: any HubStorage, committer: any HubStorage, tenant: String = "t1"
    ) async throws {
        _ = try await committer.createTenant(id: tenant, name: "Test")
        let now = Date()
        // No credentials: the attempt fails once claimed; the claim is what counts here.
        _ = try await committer.saveConnection(
            Connection(
                id: "\(tenant)-c1", tenantID: tenant, vendor: "boston-logic", name: "c1", baseURL: "http://127.0.0.1:9", createdAt: now,
                updatedAt: now),
            credentials: nil)
        let worker = DeliveryWorker(
            store: workerStore, connectors: RegistryConnectorProvider(transport: NoTransport(), logger: Logger(label: "test")),
            owner: "w1", logger: Logger(label: "test"))
        let service = DeliveryService(worker: worker, idleInterval: hour, listeningInterval: hour, logger: Logger(label: "test"))
        let running = Task { try await service.run() }
        defer { running.cancel() }

        for round in 0..<3 {
            // Give the service time to go idle (not needed for the outcome: a commit before the
            // wait is not lost either).
            try await Task.sleep(for: .milliseconds(100))
            let delivery = try #require(
                try await committer.enqueue(
                    [NewDelivery(tenantID: tenant, connectionID: "\(tenant)-c1", kind: .leadCreate, payload: Data("{}".utf8))],
                    now: Date()
                ).first)
            while try await workerStore.delivery(id: delivery.id, tenant: tenant)?.attempts == 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(try await workerStore.delivery(id: delivery.id, tenant: tenant)?.attempts == 1, "round \(round): claimed once")
        }
        running.cancel()
        _ = await running.result
    }
}
