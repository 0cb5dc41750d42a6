import Foundation
public import HubStore
import RealtyModel

/// The outbox side of record writes: what a completed delivery writes into the hub's records
/// (read your writes), and the fields and states record writes add to a delivery.
extension StoreContract {
    /// Enqueues one record-write delivery for `scope`'s connection, claims it for `owner` and
    /// returns it in flight.
    static func claimedWrite(
        _ store: any HubStorage, scope: SyncScope, kind: DeliveryKind, resource: ResourceName = .contacts, recordKey: String? = nil,
        owner: String, at time: Date
    ) async throws -> Delivery {
        let payload = try RecordWrite(resource: resource, recordKey: recordKey).encoded()
        let new = NewDelivery(
            tenantID: scope.tenant, connectionID: scope.connectionID, kind: kind, payload: payload, recordKey: recordKey)
        _ = try await store.enqueue([new], now: time)
        let claimed = try await store.claimDeliveries(
            owner: owner, now: time, leaseDuration: 60, limit: 1, connectionID: scope.connectionID)
        try check(claimed.map(\.id) == [new.id], "the new delivery \(new.id) is claimed, got \(claimed.map(\.id))")
        return claimed[0]
    }

    /// The events appended after `sequence`, as (resource, change, key) in order.
    static func eventsAfter(_ store: any HubStorage, tenant: String, _ sequence: Int64) async throws -> [EventSummary] {
        try await store.events(tenant: tenant, after: sequence, limit: 1000).map {
            EventSummary(resource: $0.resourceName, change: $0.change, key: $0.resourceRecordKey)
        }
    }

    /// An event without its sequence and time, comparable in checks.
    struct EventSummary: Hashable, CustomStringConvertible {
        var resource: ResourceName
        var change: EntityEvent.Change
        var key: String
        var description: String { "\(resource.rawValue) \(change.rawValue) \(key)" }
    }

    /// A completed delivery's effect: a create stores the vendor's record (a new hub key linked to
    /// its source key) and gives the delivery its key; an update stores the change; an unchanged
    /// record writes nothing; a delete marks the record and its media deleted; a refused
    /// completion writes nothing at all.
    public static func outboxRecordEffects(_ store: any HubStorage) async throws {
        var scope = try await setUp(store)
        scope.sensitiveFields = SensitiveFields(["ssn"])
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var written = scope
        written.now = t0.addingTimeInterval(5)
        var contact = Fixtures.contact(4)
        contact.metadata.raw = try JSONValue(parsing: #"{"id":"c-4","ssn":"078-05-1120","big":12345678901234567890123}"#)

        // A completion refused (another worker's lease) writes no record and no event.
        let create = try await claimedWrite(store, scope: scope, kind: .recordCreate, owner: "w1", at: t0)
        try check(create.recordKey == nil, "a create knows no record key before it completes")
        do {
            _ = try await store.completeDelivery(
                id: create.id, owner: "w2", remoteID: "c-4", effect: .upsert(contact, scope: written), now: t0.addingTimeInterval(5))
            throw ContractFailure(description: "another worker cannot complete a delivery it does not hold")
        } catch let error as StoreError where error.code == .invalidTransition {}
        try check(
            try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery()).total == 0, "a refused completion stores no record"
        )
        try check(try await store.events(tenant: scope.tenant, after: 0, limit: 10).isEmpty, "a refused completion appends no event")
        // An effect for another connection is refused too, and the delivery stays in flight.
        var elsewhere = written
        elsewhere.connectionID = "conn-2"
        do {
            _ = try await store.completeDelivery(
                id: create.id, owner: "w1", remoteID: "c-4", effect: .upsert(contact, scope: elsewhere), now: t0.addingTimeInterval(5))
            throw ContractFailure(description: "an effect on another connection's records must be refused")
        } catch let error as StoreError where error.code == .invalidQuery {}
        try check(try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery()).total == 0, "nor by another connection")
        try check(try await store.delivery(id: create.id, tenant: scope.tenant)?.state == .inFlight, "the delivery is still in flight")

        // The create completes: the vendor's record is stored with a new hub key.
        let done = try await store.completeDelivery(
            id: create.id, owner: "w1", remoteID: "c-4", effect: .upsert(contact, scope: written), now: t0.addingTimeInterval(6))
        let key = try done.recordKey ?? { throw ContractFailure(description: "the completed create has no record key") }()
        try check(
            done.state == .done && done.remoteID == "c-4" && done.lastError == nil && done.errorCode == nil && done.leaseOwner == nil
                && done.completedAt == t0.addingTimeInterval(6), "done: \(done)")
        let stored = try await store.record(Contact.self, tenant: scope.tenant, key: key)
        try check(
            stored?.firstName == "First4" && stored?.lastName == "Last4" && stored?.email == "person4@example.com"
                && stored?.mobilePhone == "+34 600 000004" && stored?.contactType == "Client" && stored?.homeCity == "Madrid"
                && stored?.leadSource == "web", "the stored fields: \(String(describing: stored))")
        try check(
            stored?.metadata.key == key && stored?.metadata.sourceKey == "c-4" && stored?.metadata.sourceSystemName == "mycrm"
                && stored?.metadata.connectionID == "conn-1" && stored?.metadata.deleted == false
                && stored?.metadata.contentHash == contact.contentHash
                && stored?.metadata.modificationTimestamp == t0.addingTimeInterval(5)
                && stored?.metadata.sourceModificationTimestamp == Date(timeIntervalSince1970: 1_700_000_004),
            "the stored identity and metadata: \(String(describing: stored?.metadata))")
        let raw = stored?.metadata.raw
        try check(
            raw?["id"] == .string("c-4") && SealedField.isEnvelope(raw?["ssn"] ?? .null)
                && raw?.jsonText.contains(#""big":12345678901234567890123"#) == true && raw?.jsonText.contains("078-05-1120") == false,
            "raw is stored as a sync stores it, sensitive fields sealed: \(String(describing: raw?.jsonText))")
        var events = try await eventsAfter(store, tenant: scope.tenant, 0)
        try check(events == [EventSummary(resource: .contacts, change: .created, key: key)], "one created event: \(events)")
        let byRecord = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(recordKey: key))
        try check(byRecord.map(\.id) == [create.id], "the create is listed under the key it learned")

        // An update's effect stores the change under the same key.
        var mark = try await lastSequence(store, tenant: scope.tenant)
        let update = try await claimedWrite(
            store, scope: scope, kind: .recordUpdate, recordKey: key, owner: "w1", at: t0.addingTimeInterval(10))
        var changed = contact
        changed.email = "new4@example.com"
        var later = scope
        later.now = t0.addingTimeInterval(11)
        let updated = try await store.completeDelivery(
            id: update.id, owner: "w1", remoteID: nil, effect: .upsert(changed, scope: later), now: t0.addingTimeInterval(11))
        try check(updated.state == .done && updated.recordKey == key, "the update keeps its record key: \(updated)")
        let afterUpdate = try await store.record(Contact.self, tenant: scope.tenant, key: key)
        try check(
            afterUpdate?.email == "new4@example.com" && afterUpdate?.metadata.modificationTimestamp == t0.addingTimeInterval(11)
                && afterUpdate?.metadata.contentHash == changed.contentHash, "the update is stored: \(String(describing: afterUpdate))")
        events = try await eventsAfter(store, tenant: scope.tenant, mark)
        try check(events == [EventSummary(resource: .contacts, change: .updated, key: key)], "one updated event: \(events)")
        try check(try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery()).total == 1, "still one record")

        // The same record again writes nothing.
        mark = try await lastSequence(store, tenant: scope.tenant)
        let same = try await claimedWrite(
            store, scope: scope, kind: .recordUpdate, recordKey: key, owner: "w1", at: t0.addingTimeInterval(20))
        var again = scope
        again.now = t0.addingTimeInterval(21)
        let unchanged = try await store.completeDelivery(
            id: same.id, owner: "w1", remoteID: nil, effect: .upsert(changed, scope: again), now: t0.addingTimeInterval(21))
        try check(unchanged.state == .done && unchanged.recordKey == key, "an unchanged write finds its key: \(unchanged)")
        try check(try await eventsAfter(store, tenant: scope.tenant, mark).isEmpty, "an unchanged record appends no event")
        try check(
            try await store.record(Contact.self, tenant: scope.tenant, key: key)?.metadata.modificationTimestamp
                == t0.addingTimeInterval(11), "an unchanged record keeps its ModificationTimestamp")
        let history = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(recordKey: key))
        try check(history.map(\.id) == [same.id, update.id, create.id], "the record's deliveries, newest first: \(history.map(\.id))")

        // A delete marks the listing deleted and takes its photos.
        let listing = try await store.upsert(
            [Fixtures.property(1)], media: [Fixtures.photo(1, of: 1), Fixtures.photo(2, of: 1)], scope: scope, cursor: nil)
        let listingKey = listing.items[0].key
        let photos = try await liveMedia(store, tenant: scope.tenant)
        mark = try await lastSequence(store, tenant: scope.tenant)
        let delete = try await claimedWrite(
            store, scope: scope, kind: .recordDelete, resource: .property, recordKey: listingKey, owner: "w1", at: t0.addingTimeInterval(30)
        )
        var deleting = scope
        deleting.now = t0.addingTimeInterval(31)
        let deleted = try await store.completeDelivery(
            id: delete.id, owner: "w1", remoteID: nil, effect: .delete(.property, sourceKey: "p-1", scope: deleting),
            now: t0.addingTimeInterval(31))
        try check(deleted.state == .done && deleted.recordKey == listingKey, "the delete names the listing: \(deleted)")
        let gone = try await store.record(Property.self, tenant: scope.tenant, key: listingKey)
        try check(
            gone?.metadata.deleted == true && gone?.metadata.modificationTimestamp == t0.addingTimeInterval(31),
            "the listing is marked deleted: \(String(describing: gone?.metadata))")
        try check(try await liveMedia(store, tenant: scope.tenant).isEmpty, "its photos are deleted with it")
        events = try await eventsAfter(store, tenant: scope.tenant, mark)
        let photoKeys = Set(photos.values.compactMap(\.metadata.key))
        try check(
            events.first == EventSummary(resource: .property, change: .deleted, key: listingKey) && events.count == 3
                && events.dropFirst().allSatisfy { $0.resource == .media && $0.change == .deleted }
                && Set(events.dropFirst().map(\.key)) == photoKeys, "the listing's then its photos' deleted events: \(events)")

        // Deleting it again, or a record the hub never had, writes nothing.
        mark = try await lastSequence(store, tenant: scope.tenant)
        let twice = try await claimedWrite(
            store, scope: scope, kind: .recordDelete, resource: .property, recordKey: listingKey, owner: "w1", at: t0.addingTimeInterval(40)
        )
        let deletedTwice = try await store.completeDelivery(
            id: twice.id, owner: "w1", remoteID: nil, effect: .delete(.property, sourceKey: "p-1", scope: deleting),
            now: t0.addingTimeInterval(41))
        try check(deletedTwice.recordKey == listingKey, "a delete of a deleted record still names it")
        let unknown = try await claimedWrite(
            store, scope: scope, kind: .recordDelete, resource: .property, recordKey: "hub-key-given", owner: "w1",
            at: t0.addingTimeInterval(42))
        let deletedUnknown = try await store.completeDelivery(
            id: unknown.id, owner: "w1", remoteID: nil, effect: .delete(.property, sourceKey: "p-404", scope: deleting),
            now: t0.addingTimeInterval(43))
        try check(
            deletedUnknown.state == .done && deletedUnknown.recordKey == "hub-key-given",
            "a delete of an unknown record keeps the key it was given: \(deletedUnknown)")
        try check(try await eventsAfter(store, tenant: scope.tenant, mark).isEmpty, "no event for deletes that change nothing")

        // Written again at the vendor, the deleted listing comes back under its key.
        mark = try await lastSequence(store, tenant: scope.tenant)
        let revive = try await claimedWrite(
            store, scope: scope, kind: .recordUpdate, resource: .property, recordKey: listingKey, owner: "w1",
            at: t0.addingTimeInterval(50))
        var reviving = scope
        reviving.now = t0.addingTimeInterval(51)
        let revived = try await store.completeDelivery(
            id: revive.id, owner: "w1", remoteID: nil, effect: .upsert(Fixtures.property(1), scope: reviving),
            now: t0.addingTimeInterval(51))
        try check(revived.recordKey == listingKey, "the revived listing keeps its key")
        try check(
            try await store.record(Property.self, tenant: scope.tenant, key: listingKey)?.metadata.deleted == false,
            "the listing is live again")
        events = try await eventsAfter(store, tenant: scope.tenant, mark)
        try check(events == [EventSummary(resource: .property, change: .updated, key: listingKey)], "one updated event: \(events)")
    }

    /// A record written by a delivery while a full pass runs counts as seen by the pass (it is
    /// stamped with the pass's generation, as a sync upsert is), so the sweep spares it.
    public static func outboxEffectSeenByRunningPass(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let generation = try await store.beginFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        // Written with a clock before the pass began, so only the generation stamp can spare it.
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        var written = scope
        written.now = t0
        let create = try await claimedWrite(store, scope: scope, kind: .recordCreate, owner: "w1", at: t0)
        let done = try await store.completeDelivery(
            id: create.id, owner: "w1", remoteID: "c-9", effect: .upsert(Fixtures.contact(9), scope: written), now: t0)
        let swept = try await store.completeFullPass(
            tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts, generation: generation)
        try check(swept == 0, "the record written during the pass is not swept, got \(swept)")
        let stored = try await store.record(Contact.self, tenant: scope.tenant, key: done.recordKey ?? "")
        try check(stored?.metadata.deleted == false && stored?.metadata.sourceKey == "c-9", "the written record is live")
    }

    /// The fields record writes add to a delivery: the record key (given at enqueue, listed by),
    /// the error code, the conflict state with both versions, and a retry's `force`.
    public static func outboxDeliveryWriteFields(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let other = try await setUp(store, tenant: "t2")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let payload = try RecordWrite(resource: .contacts, recordKey: "key-a", sourceKey: "c-1").encoded()

        // The record key round-trips through both enqueues, claims and lists.
        let plain = NewDelivery(
            tenantID: scope.tenant, connectionID: "conn-1", kind: .recordUpdate, payload: payload, recordKey: "key-a")
        let enqueued = try await store.enqueue([plain], now: t0)
        try check(
            enqueued.map(\.recordKey) == ["key-a"] && enqueued[0].errorCode == nil && enqueued[0].conflict == nil
                && enqueued[0].force == false, "a new delivery: \(enqueued)")
        let keyed = NewDelivery(
            tenantID: scope.tenant, connectionID: "conn-1", kind: .recordDelete, payload: payload, idempotencyKey: "idem-1",
            recordKey: "key-b")
        let created = try await store.enqueue(
            [keyed], idempotencyKey: "idem-1", tenant: scope.tenant, fingerprint: "f1", now: t0.addingTimeInterval(1))
        guard case .created(let createdDeliveries) = created, createdDeliveries.map(\.recordKey) == ["key-b"] else {
            throw ContractFailure(description: "the idempotent enqueue keeps the record key: \(created)")
        }
        let replay = try await store.enqueue(
            [keyed], idempotencyKey: "idem-1", tenant: scope.tenant, fingerprint: "f1", now: t0.addingTimeInterval(2))
        guard case .existing(_, let existing) = replay, existing.map(\.recordKey) == ["key-b"] else {
            throw ContractFailure(description: "a replay reads the record key back: \(replay)")
        }
        let unkeyed = NewDelivery(tenantID: scope.tenant, connectionID: "conn-1", kind: .recordCreate, payload: payload)
        _ = try await store.enqueue([unkeyed], now: t0.addingTimeInterval(3))
        let elsewhere = NewDelivery(
            tenantID: other.tenant, connectionID: "conn-9", kind: .recordUpdate, payload: payload, recordKey: "key-a")
        _ = try await store.enqueue([elsewhere], now: t0.addingTimeInterval(4))
        let laterA = NewDelivery(
            tenantID: scope.tenant, connectionID: "conn-2", kind: .recordUpdate, payload: payload, recordKey: "key-a")
        _ = try await store.enqueue([laterA], now: t0.addingTimeInterval(5))
        try check(
            try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(recordKey: "key-a")).map(\.id)
                == [laterA.id, plain.id], "a record's deliveries in its tenant, newest first")
        try check(
            try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(connectionID: "conn-1", recordKey: "key-a")).map(
                \.id)
                == [plain.id], "the record key combines with other filters")
        try check(
            try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(recordKey: "key-b")).map(\.id) == [keyed.id],
            "the idempotent delivery by its key")
        try check(
            try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(recordKey: "key-none")).isEmpty,
            "no delivery for another key")
        let claimed = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(10), leaseDuration: 60, limit: 10, connectionID: "conn-1")
        try check(
            claimed.map(\.id) == [plain.id, keyed.id, unkeyed.id] && claimed.map(\.recordKey) == ["key-a", "key-b", nil],
            "claims carry the record key: \(claimed.map(\.recordKey))")

        // The error code is stored with the error, and replaced (or cleared) with it.
        var delivery = try await store.failDelivery(
            id: plain.id, owner: "w1", error: "HTTP 403: not allowed", errorCode: "vendor_permission_denied",
            retryAt: t0.addingTimeInterval(20), now: t0.addingTimeInterval(11))
        try check(
            delivery.state == .retryWait && delivery.lastError == "HTTP 403: not allowed"
                && delivery.errorCode == "vendor_permission_denied",
            "retry-wait with its code: \(delivery)")
        _ = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(20), leaseDuration: 60, limit: 1, connectionID: "conn-1")
        delivery = try await store.failDelivery(
            id: plain.id, owner: "w1", error: "HTTP 503", errorCode: nil, retryAt: t0.addingTimeInterval(30), now: t0.addingTimeInterval(21)
        )
        try check(delivery.lastError == "HTTP 503" && delivery.errorCode == nil, "a failure without a code clears it: \(delivery)")
        _ = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(30), leaseDuration: 60, limit: 1, connectionID: "conn-1")
        delivery = try await store.failDelivery(
            id: plain.id, owner: "w1", error: "HTTP 422: Email is invalid", errorCode: "vendor_validation", retryAt: nil,
            now: t0.addingTimeInterval(31))
        try check(delivery.state == .dead && delivery.errorCode == "vendor_validation", "dead with its code: \(delivery)")
        try check(
            try await store.delivery(id: plain.id, tenant: scope.tenant)?.errorCode == "vendor_validation", "the code is read back")
        delivery = try await store.retryDelivery(id: plain.id, tenant: scope.tenant, force: false, now: t0.addingTimeInterval(40))
        try check(
            delivery.state == .pending && delivery.errorCode == "vendor_validation" && delivery.force == false,
            "a retry keeps the last error and its code visible: \(delivery)")
        _ = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(41), leaseDuration: 60, limit: 1, connectionID: "conn-1")
        delivery = try await store.completeDelivery(id: plain.id, owner: "w1", remoteID: nil, effect: nil, now: t0.addingTimeInterval(42))
        try check(
            delivery.state == .done && delivery.lastError == nil && delivery.errorCode == nil && delivery.recordKey == "key-a",
            "completing clears the error and its code and keeps the record key: \(delivery)")

        // A conflict holds both versions until a person retries it.
        let hub = try JSONValue(parsing: #"{"Email":"a@example.com","SourceModificationTimestamp":"2027-01-15T08:00:00Z","n":1.50}"#)
        let vendor = try JSONValue(
            parsing: #"{"Email":"b@example.com","SourceModificationTimestamp":"2027-01-15T09:30:00Z","n":12345678901234567890123}"#)
        let versions = DeliveryConflict(hub: hub, vendor: vendor)
        do {
            _ = try await store.conflictDelivery(
                id: keyed.id, owner: "w2", error: "changed at the vendor", conflict: versions, now: t0.addingTimeInterval(50))
            throw ContractFailure(description: "another worker cannot hold a conflict on a delivery it does not hold")
        } catch let error as StoreError where error.code == .invalidTransition {}
        do {
            _ = try await store.conflictDelivery(
                id: plain.id, owner: "w1", error: "changed at the vendor", conflict: versions, now: t0.addingTimeInterval(50))
            throw ContractFailure(description: "a done delivery cannot become a conflict")
        } catch let error as StoreError where error.code == .invalidTransition {}
        let conflicted = try await store.conflictDelivery(
            id: keyed.id, owner: "w1", error: "Contact c-1 changed at the vendor after the hub's copy", conflict: versions,
            now: t0.addingTimeInterval(51))
        try check(
            conflicted.state == .conflict && conflicted.lastError == "Contact c-1 changed at the vendor after the hub's copy"
                && conflicted.errorCode == "changed_at_vendor" && conflicted.conflict == versions && conflicted.leaseOwner == nil
                && conflicted.leaseExpiresAt == nil && conflicted.nextAttemptAt == nil
                && conflicted.completedAt == t0.addingTimeInterval(51)
                && conflicted.attempts == 1 && conflicted.recordKey == "key-b", "the conflict: \(conflicted)")
        try check(
            conflicted.conflict?.vendor.jsonText.contains("12345678901234567890123") == true
                && conflicted.conflict?.hub["n"]?.jsonText == "1.50",
            "the versions keep their numbers exactly: \(String(describing: conflicted.conflict))")
        let listedConflicts = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(state: .conflict))
        try check(
            listedConflicts.map(\.id) == [keyed.id] && listedConflicts[0].conflict == versions,
            "listed by state=conflict with both versions")
        try check(
            try await store.claimDeliveries(
                owner: "w3", now: t0.addingTimeInterval(500), leaseDuration: 10_000, limit: 10, connectionID: "conn-1"
            )
            .map(\.id) == [unkeyed.id], "a conflict is not claimed (only the lapsed lease of the third delivery is)")
        do {
            _ = try await store.completeDelivery(id: keyed.id, owner: "w1", remoteID: nil, effect: nil, now: t0.addingTimeInterval(52))
            throw ContractFailure(description: "a conflict cannot complete")
        } catch let error as StoreError where error.code == .invalidTransition {}

        // Retried with force: pending, due now, a fresh budget; the versions stay visible.
        let forced = try await store.retryDelivery(id: keyed.id, tenant: scope.tenant, force: true, now: t0.addingTimeInterval(600))
        try check(
            forced.state == .pending && forced.force && forced.attempts == 0 && forced.nextAttemptAt == t0.addingTimeInterval(600)
                && forced.completedAt == nil && forced.conflict == versions && forced.errorCode == "changed_at_vendor",
            "retry with force: \(forced)")
        let reclaimed = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(600), leaseDuration: 60, limit: 10, connectionID: "conn-1")
        try check(reclaimed.map(\.id) == [keyed.id] && reclaimed[0].force, "the forced delivery is claimed with force")
        // A new conflict replaces the versions; a retry without force clears force.
        let newer = DeliveryConflict(hub: hub, vendor: .object(["Email": .string("c@example.com")]))
        let second = try await store.conflictDelivery(
            id: keyed.id, owner: "w1", error: "changed again", conflict: newer, now: t0.addingTimeInterval(601))
        try check(second.conflict == newer && second.lastError == "changed again", "a new conflict replaces the versions")
        let unforced = try await store.retryDelivery(id: keyed.id, tenant: scope.tenant, force: false, now: t0.addingTimeInterval(602))
        try check(unforced.state == .pending && !unforced.force && unforced.attempts == 0, "a retry without force: \(unforced)")

        // Only dead or conflicting deliveries can be retried.
        for (id, state) in [(plain.id, DeliveryState.done), (keyed.id, .pending)] {
            do {
                _ = try await store.retryDelivery(id: id, tenant: scope.tenant, force: true, now: t0.addingTimeInterval(603))
                throw ContractFailure(description: "a \(state.rawValue) delivery cannot be retried")
            } catch let error as StoreError where error.code == .invalidTransition {
                try check(
                    error.message == "delivery \(id) is \(state.rawValue); only dead or conflicting deliveries can be retried",
                    "the refusal names the state: \(error.message)")
            }
        }
        do {
            _ = try await store.retryDelivery(id: keyed.id, tenant: other.tenant, force: true, now: t0.addingTimeInterval(603))
            throw ContractFailure(description: "another tenant cannot retry the delivery")
        } catch let error as StoreError where error.code == .notFound {}
    }
}
