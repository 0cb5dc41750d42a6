import BostonLogicConnector
import ConnectorKit
import Foundation
import HubOperations
import HubStore
import HubStoreSQLite
import HubTestSupport
import Logging
import RealtyModel
import SyncEngine
import Synchronization
import Testing

/// A connector whose writes are scripted: it records what it was asked and answers as the test
/// says, so the worker's handling of each outcome (read your writes, conflicts, lookups after a
/// lost answer, permission refusals) is checked exactly.
final class ScriptedWriteConnector: Connector, Sendable {
    struct Calls: Sendable {
        var creates: [Contact] = []
        var updates: [RecordChange<Contact>] = []
        var deletes: [String] = []
        var lookups = 0
    }

    let vendor = VendorID.bostonLogic
    let capabilities = ConnectorCapabilities(
        readable: [ReadCapability(resource: .contacts, vendorEndpoints: ["GET /leads"], incremental: false)],
        writable: [WriteCapability(resource: .contacts, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.email])])
    let calls = Mutex(Calls())
    /// The vendor's record's modification time (an update expecting an older one is refused).
    let vendorModified = Mutex(Date(timeIntervalSince1970: 1_700_000_100))
    /// The vendor's record's first name, as a conflict reports it.
    let vendorFirstName = Mutex("VendorName")
    /// Errors the next writes throw, in order.
    let failures = Mutex<[any Error]>([])
    /// When set, the next update is applied at the vendor and then its answer is lost.
    let loseNextUpdateAnswer = Mutex(false)

    func verify() async throws {}

    private func nextFailure() throws {
        if let error = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw error }
    }

    func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        guard let contact = record as? Contact else { throw ConnectorError.unsupported(vendor, "create") }
        calls.withLock { $0.creates.append(contact) }
        try nextFailure()
        var stored = contact
        stored.metadata = RecordMetadata(
            sourceKey: "lead-\(calls.withLock { $0.creates.count })", sourceModificationTimestamp: vendorModified.withLock { $0 },
            raw: .object(["first_name": .string(contact.firstName ?? "")]))
        return WriteResult(remoteID: stored.metadata.sourceKey ?? "", record: stored)
    }

    func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        guard let contact = change.record as? Contact else { throw ConnectorError.unsupported(vendor, "update") }
        let typed = RecordChange(
            record: contact, fields: change.fields, remoteID: change.remoteID, expectedSourceModification: change.expectedSourceModification
        )
        calls.withLock { $0.updates.append(typed) }
        try nextFailure()
        let current = vendorModified.withLock { $0 }
        if let expected = change.expectedSourceModification, current > expected {
            var error = ConnectorError(.changedAtVendor, vendor: vendor, message: "lead \(change.remoteID) changed at the vendor")
            var theirs = Contact(metadata: RecordMetadata(sourceKey: change.remoteID, sourceModificationTimestamp: current, raw: ["x": 1]))
            theirs.firstName = vendorFirstName.withLock { $0 }
            error.vendorRecord = theirs
            throw error
        }
        let lose = loseNextUpdateAnswer.withLock { lose in
            let was = lose
            lose = false
            return was
        }
        if lose {
            vendorModified.withLock { $0 = current.addingTimeInterval(1) }
            vendorFirstName.withLock { $0 = contact.firstName ?? "" }
            throw ConnectorError(.retryable, vendor: vendor, message: "connection reset after the update was applied")
        }
        var stored = contact
        stored.metadata = RecordMetadata(
            sourceKey: change.remoteID, sourceModificationTimestamp: current.addingTimeInterval(1),
            raw: .object(["first_name": .string(contact.firstName ?? "")]))
        return WriteResult(remoteID: change.remoteID, record: stored)
    }

    func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        calls.withLock { $0.deletes.append(remoteID) }
        try nextFailure()
    }

    func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        calls.withLock { $0.lookups += 1 }
        return "lead-1"
    }
}

/// Hands out one scripted connector for every connection.
struct ScriptedProvider: ConnectorProvider {
    let connector: ScriptedWriteConnector
    var vendors: [VendorID] { [.bostonLogic] }
    func connector(for connection: Connection, credentials: Data?) throws -> any Connector { connector }
    func credentials(for vendor: VendorID, json: Data) throws -> any VendorCredentials {
        throw ConnectorError(.configuration, vendor: vendor, message: "not used")
    }
    func credentialKeys(for vendor: VendorID) -> String { "" }
}

/// The delivery worker over record writes: what the hub stores when the vendor confirms, what it
/// holds back when the vendor's record changed, and what it records when the vendor refuses.
@Suite struct RecordWriteWorkerTests {
    struct Hub {
        let runtime: HubRuntime
        let connector: ScriptedWriteConnector
        let tenant = "t1"
        let connection: Connection

        static func make() async throws -> Hub {
            let box = try SecretBox(keys: [SecretKey.generate().key])
            return try await make(store: try SQLiteHubStore.inMemory(secretBox: box), box: box)
        }

        static func make(store: any HubStorage, box: SecretBox) async throws -> Hub {
            _ = try await store.createTenant(id: "t1", name: "Test")
            let now = Date()
            let connection = try await store.saveConnection(
                Connection(
                    id: "bl", tenantID: "t1", vendor: "boston-logic", name: "bl", baseURL: "http://127.0.0.1:9", createdAt: now,
                    updatedAt: now),
                credentials: Data("{}".utf8))
            let connector = ScriptedWriteConnector()
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let runtime = HubRuntime(store: store, secretBox: box, connectors: ScriptedProvider(connector: connector), logger: logger)
            return Hub(runtime: runtime, connector: connector, connection: connection)
        }

        init(runtime: HubRuntime, connector: ScriptedWriteConnector, connection: Connection) {
            self.runtime = runtime
            self.connector = connector
            self.connection = connection
        }

        /// A lead the vendor holds, as the last pull stored it (vendor time 1_700_000_000).
        func storedLead() async throws -> String {
            var lead = Contact(
                metadata: RecordMetadata(sourceKey: "lead-7", sourceModificationTimestamp: Date(timeIntervalSince1970: 1_700_000_000)))
            lead.firstName = "Ana"
            lead.lastName = "Ruiz"
            lead.email = "ana@example.com"
            let scope = SyncScope(tenant: tenant, connectionID: connection.id, sourceSystemName: "boston-logic")
            return try await runtime.store.upsert([lead], scope: scope, cursor: nil).items[0].key
        }

        func work() async throws -> Int {
            var policy = DeliveryPolicy()
            policy.backoff = RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), maxRetryAfter: .milliseconds(1))
            let worker = DeliveryWorker(
                store: runtime.store, connectors: runtime.connectors, handlers: HubRuntime.deliveryHandlers(), policy: policy,
                owner: "w1", logger: runtime.logger)
            return try await worker.runOnce()
        }

        func delivery(_ id: String) async throws -> Delivery {
            try #require(try await runtime.store.delivery(id: id, tenant: tenant))
        }
    }

    @Test func aCreatedRecordIsStoredWithItsKeyWhenTheVendorConfirms() async throws {
        let hub = try await Hub.make()
        let accepted = try await hub.runtime.acceptCreate(
            .contacts, record: ["FirstName": "Bea", "Email": "bea@example.com"], connections: ["bl"], tenant: hub.tenant)
        let id = try #require(accepted.first?.id)
        #expect(try await hub.work() == 1)
        let done = try await hub.delivery(id)
        #expect(done.state == .done)
        #expect(done.remoteID == "lead-1")
        let key = try #require(done.recordKey)
        let stored = try #require(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key))
        #expect(stored.firstName == "Bea")
        #expect(stored.email == "bea@example.com")
        #expect(stored.metadata.sourceKey == "lead-1")
        #expect(stored.metadata.connectionID == "bl")
        #expect(stored.metadata.sourceSystemName == "boston-logic")
        let events = try await hub.runtime.store.events(tenant: hub.tenant, after: 0, limit: 10)
        #expect(events.map(\.change) == [.created])
        #expect(events.first?.resourceRecordKey == key)
        #expect(hub.connector.calls.withLock { $0.creates.count } == 1)
    }

    @Test func anUpdateOverANewerVendorRecordIsHeldUntilForced() async throws {
        let hub = try await Hub.make()
        let key = try await hub.storedLead()
        let delivery = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["FirstName": "Renamed"], tenant: hub.tenant)
        #expect(try await hub.work() == 1)
        let held = try await hub.delivery(delivery.id)
        #expect(held.state == .conflict)
        #expect(held.errorCode == "changed_at_vendor")
        let conflict = try #require(held.conflict)
        #expect(conflict.hub["record"]?["FirstName"] == "Renamed")
        #expect(conflict.hub["fields"] == ["FirstName"])
        #expect(conflict.hub["source_modification_timestamp"] == "2023-11-14T22:13:20.000Z")
        #expect(conflict.vendor["FirstName"] == "VendorName")
        #expect(conflict.vendor["SourceModificationTimestamp"] == "2023-11-14T22:15:00.000Z")
        #expect(conflict.vendor["raw"] == nil)
        // The hub's copy is untouched, and a later claim does not send it.
        #expect(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key)?.firstName == "Ana")
        #expect(try await hub.work() == 0)

        let retried = try await hub.runtime.store.retryDelivery(id: delivery.id, tenant: hub.tenant, force: true, now: Date())
        #expect(retried.state == .pending && retried.force)
        #expect(try await hub.work() == 1)
        let done = try await hub.delivery(delivery.id)
        #expect(done.state == .done)
        #expect(done.recordKey == key)
        let updates = hub.connector.calls.withLock { $0.updates }
        #expect(updates.count == 2)
        #expect(updates.map(\.fields) == [["FirstName"], ["FirstName"]])
        #expect(updates.map(\.expectedSourceModification) == [Date(timeIntervalSince1970: 1_700_000_000), nil])
        // Read your writes: the vendor's answer is the hub's copy now, with an event.
        let stored = try #require(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key))
        #expect(stored.firstName == "Renamed")
        #expect(stored.metadata.sourceModificationTimestamp == Date(timeIntervalSince1970: 1_700_000_101))
        let events = try await hub.runtime.store.events(tenant: hub.tenant, after: 0, limit: 10)
        #expect(events.map(\.change) == [.created, .updated])
    }

    /// If-Match, a conflict held and forced, and the vendor's answer stored, on PostgreSQL.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func ifMatchConflictsAndReadYourWritesOnPostgreSQL() async throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        try await PostgresTestDatabase.withStore(secretBox: box) { postgres in
            let hub = try await Hub.make(store: postgres, box: box)
            let key = try await hub.storedLead()
            let current = try #require(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key))
            let etag = HubRuntime.etag(try #require(current.metadata.contentHash))
            let stale = await #expect(throws: HubError.self) {
                _ = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["FirstName": "X"], tenant: hub.tenant, ifMatch: "\"0\"")
            }
            #expect(stale?.code == .preconditionFailed)
            let delivery = try await hub.runtime.acceptUpdate(
                .contacts, key: key, patch: ["FirstName": "Renamed"], tenant: hub.tenant, ifMatch: etag)
            #expect(try await hub.work() == 1)
            let held = try await hub.delivery(delivery.id)
            #expect(held.state == .conflict)
            #expect(held.conflict?.vendor["FirstName"] == "VendorName")
            #expect(
                try await hub.runtime.store.listDeliveries(tenant: hub.tenant, filter: DeliveryFilter(state: .conflict)).map(\.id) == [
                    delivery.id
                ])
            _ = try await hub.runtime.store.retryDelivery(id: delivery.id, tenant: hub.tenant, force: true, now: Date())
            #expect(try await hub.work() == 1)
            let done = try await hub.delivery(delivery.id)
            #expect(done.state == .done && done.recordKey == key)
            #expect(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key)?.firstName == "Renamed")
            let events = try await hub.runtime.store.events(tenant: hub.tenant, after: 0, limit: 10)
            #expect(events.map(\.change) == [.created, .updated])
            // The old ETag names the old content now.
            let after = await #expect(throws: HubError.self) {
                _ = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["FirstName": "Y"], tenant: hub.tenant, ifMatch: etag)
            }
            #expect(after?.code == .preconditionFailed)
        }
    }

    @Test func aDeleteMarksTheHubsCopyDeleted() async throws {
        let hub = try await Hub.make()
        let key = try await hub.storedLead()
        let delivery = try await hub.runtime.acceptDelete(.contacts, key: key, tenant: hub.tenant)
        #expect(delivery.recordKey == key)
        #expect(try await hub.work() == 1)
        #expect(try await hub.delivery(delivery.id).state == .done)
        #expect(hub.connector.calls.withLock { $0.deletes } == ["lead-7"])
        #expect(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key)?.metadata.deleted == true)
        let events = try await hub.runtime.store.events(tenant: hub.tenant, after: 0, limit: 10)
        #expect(events.map(\.change) == [.created, .deleted])
        // A deleted record takes no more writes.
        await #expect(throws: HubError.self) {
            _ = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["FirstName": "X"], tenant: hub.tenant)
        }
    }

    @Test func aLostCreateAnswerIsLookedUpNotCreatedAgain() async throws {
        let hub = try await Hub.make()
        // The vendor created the lead, but the answer was lost on the way back.
        hub.connector.failures.withLock { $0 = [ConnectorError(.retryable, vendor: .bostonLogic, message: "connection reset")] }
        let accepted = try await hub.runtime.acceptCreate(
            .contacts, record: ["FirstName": "Bea", "Email": "bea@example.com"], connections: ["bl"], tenant: hub.tenant)
        let id = try #require(accepted.first?.id)
        #expect(try await hub.work() == 1)
        let waiting = try await hub.delivery(id)
        #expect(waiting.state == .retryWait)
        #expect(waiting.errorCode == "vendor_unavailable")
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await hub.work() == 1)
        let done = try await hub.delivery(id)
        #expect(done.state == .done)
        #expect(done.remoteID == "lead-1")
        #expect(hub.connector.calls.withLock { ($0.creates.count, $0.lookups) } == (1, 1))
    }

    /// An update applied at the vendor whose answer was lost: the next attempt finds the
    /// vendor's record changed, but holding exactly the update's values, so the delivery is done
    /// (not a conflict) and the vendor's record becomes the hub's copy.
    @Test func anUpdateWhoseAnswerWasLostIsDoneNotAConflict() async throws {
        let hub = try await Hub.make()
        let key = try await hub.storedLead()
        hub.connector.vendorModified.withLock { $0 = Date(timeIntervalSince1970: 1_700_000_000) }
        hub.connector.loseNextUpdateAnswer.withLock { $0 = true }
        let delivery = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["FirstName": "Renamed"], tenant: hub.tenant)
        #expect(try await hub.work() == 1)
        #expect(try await hub.delivery(delivery.id).state == .retryWait)
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await hub.work() == 1)
        let done = try await hub.delivery(delivery.id)
        #expect(done.state == .done)
        #expect(done.conflict == nil)
        let stored = try #require(try await hub.runtime.store.record(Contact.self, tenant: hub.tenant, key: key))
        #expect(stored.firstName == "Renamed")
        #expect(stored.metadata.sourceModificationTimestamp == Date(timeIntervalSince1970: 1_700_000_001))
        #expect(hub.connector.calls.withLock { $0.updates.count } == 2)

        // A vendor change to other values is still a conflict after a lost answer.
        hub.connector.loseNextUpdateAnswer.withLock { $0 = true }
        let second = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["FirstName": "Again"], tenant: hub.tenant)
        #expect(try await hub.work() == 1)
        hub.connector.vendorFirstName.withLock { $0 = "SomeoneElse" }
        hub.connector.vendorModified.withLock { $0 = $0.addingTimeInterval(5) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await hub.work() == 1)
        let held = try await hub.delivery(second.id)
        #expect(held.state == .conflict)
        #expect(held.conflict?.vendor["FirstName"] == "SomeoneElse")
    }

    @Test func aPermissionRefusalIsDeadWithItsCode() async throws {
        let hub = try await Hub.make()
        let key = try await hub.storedLead()
        hub.connector.failures.withLock {
            $0 = [ConnectorError(.permission, vendor: .bostonLogic, message: "the API key may not write leads", httpStatus: 403)]
        }
        let delivery = try await hub.runtime.acceptUpdate(.contacts, key: key, patch: ["LastName": "Gil"], tenant: hub.tenant)
        #expect(try await hub.work() == 1)
        let dead = try await hub.delivery(delivery.id)
        #expect(dead.state == .dead)
        #expect(dead.errorCode == "vendor_permission_denied")
        #expect(dead.lastError?.contains("may not write leads") == true)
    }
}
