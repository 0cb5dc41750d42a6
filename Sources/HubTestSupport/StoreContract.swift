import Foundation
public import HubStore
import RealtyModel

/// A contract check failed.
public struct ContractFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ContractFailure(description: message()) }
}

/// The behaviour every ``HubStorage`` implementation must have. Each check gets a new, empty,
/// migrated store from the caller and throws ``ContractFailure`` when the store misbehaves.
///
/// Test targets run every check against SQLite, and against PostgreSQL when one is configured.
public enum StoreContract {
    /// Every check, by name.
    public static let checks: [(name: String, run: @Sendable (any HubStorage) async throws -> Void)] = [
        ("upsert outcomes", upsertOutcomes),
        ("unchanged writes nothing", unchangedWritesNothing),
        ("fields kept through updates", fieldsKeptThroughUpdates),
        ("raw kept exactly, sensitive fields sealed", rawKeptExactlySensitiveSealed),
        ("raw from the vendor's text, sensitive fields sealed in place", rawTextKeptSensitiveSealed),
        ("unique source key", uniqueSourceKey),
        ("list filters sort paging projection", listQueries),
        ("invalid queries", invalidQueries),
        ("failed batch writes nothing", failedBatchWritesNothing),
        ("cursor with page", cursorWithPage),
        ("mark and sweep", markAndSweep),
        ("sweep spares records changed during the pass", sweepSparesRecordsChangedDuringThePass),
        ("vendor-reported deletions", vendorDeletions),
        ("media replaced with their parent", mediaReplacedWithParent),
        ("media swept with their parent", mediaSweptWithParent),
        ("events in sequence", eventsInSequence),
        ("tenant isolation", tenantIsolation),
        ("outbox transitions", outboxTransitions),
        ("outbox lease expiry", outboxLeaseExpiry),
        ("outbox idempotency", outboxIdempotency),
        ("outbox claim limits per connection", outboxClaimLimits),
        ("outbox record effects", outboxRecordEffects),
        ("outbox effect seen by a running pass", outboxEffectSeenByRunningPass),
        ("outbox delivery write fields", outboxDeliveryWriteFields),
        ("idempotency keys under concurrency", idempotencyKeysUnderConcurrency),
        ("concurrent enqueues signal workers", concurrentEnqueuesSignalWorkers),
        ("connections and credentials", connectionsAndCredentials),
        ("API clients", apiClients),
        ("shared request limits", sharedRequestLimits),
        ("sync runs", syncRuns),
        ("expiring cache", expiringCache),
        ("pull-job leases", pullJobLeases),
        ("webhook subscriptions", webhookSubscriptions),
        ("webhook delivery state", webhookDeliveryState),
        ("hub events in the feed", hubEventsInTheFeed),
        ("dashboard sessions", dashboardSessions),
        ("record search", recordSearch),
        ("record search paging", recordSearchPaging),
        ("broad record search", broadRecordSearch),
        ("record change list", recordChangeList),
        ("live record counts per connection", liveRecordCountsPerConnection),
        ("OData queries", odataQueries),
        ("OData row limit", odataRowLimit),
    ]

    static func setUp(_ store: any HubStorage, tenant: String = "t1") async throws -> SyncScope {
        if try await store.tenant(id: tenant) == nil {
            _ = try await store.createTenant(id: tenant, name: "Tenant \(tenant)")
        }
        return SyncScope(tenant: tenant, connectionID: "conn-1", sourceSystemName: "mycrm")
    }

    public static func upsertOutcomes(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let first = try await store.upsert((0..<3).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        try check(first.inserted == 3 && first.updated == 0 && first.unchanged == 0, "first upsert: \(first)")
        var changed = Fixtures.contact(1)
        changed.email = "changed@example.com"
        let second = try await store.upsert([Fixtures.contact(0), changed, Fixtures.contact(2)], scope: scope, cursor: nil)
        try check(second.inserted == 0 && second.updated == 1 && second.unchanged == 2, "second upsert: \(second)")
        try check(second.items[1].key == first.items[1].key, "the hub key must stay stable across updates")
        let stored = try await store.record(Contact.self, tenant: scope.tenant, key: first.items[1].key)
        try check(stored?.email == "changed@example.com", "update not stored: \(String(describing: stored?.email))")
        try check(
            stored?.metadata.sourceKey == "c-1" && stored?.metadata.connectionID == "conn-1"
                && stored?.metadata.sourceSystemName == "mycrm", "identity fields not stored")
        try check(stored?.metadata.raw?["id"] == .string("c-1"), "raw payload not stored")
        try check(stored?.metadata.contentHash == changed.contentHash, "content hash not stored")
        try check(stored?.metadata.originalEntryTimestamp != nil, "OriginalEntryTimestamp missing")
    }

    public static func unchangedWritesNothing(_ store: any HubStorage) async throws {
        var scope = try await setUp(store)
        scope.now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try await store.upsert([Fixtures.contact(7)], scope: scope, cursor: nil)
        let eventsBefore = try await store.events(tenant: scope.tenant, after: 0, limit: 100)
        scope.now = Date(timeIntervalSince1970: 1_800_000_500)
        var same = Fixtures.contact(7)
        same.metadata.raw = .object(["id": .string("c-7"), "extra": .string("vendor noise")])
        let second = try await store.upsert([same], scope: scope, cursor: nil)
        try check(second.unchanged == 1, "re-upsert of the same content must be unchanged: \(second)")
        let eventsAfter = try await store.events(tenant: scope.tenant, after: 0, limit: 100)
        try check(eventsAfter.count == eventsBefore.count, "an unchanged upsert must not append events")
        let stored = try await store.record(Contact.self, tenant: scope.tenant, key: first.items[0].key)
        try check(
            stored?.metadata.modificationTimestamp == Date(timeIntervalSince1970: 1_800_000_000),
            "an unchanged upsert must not move ModificationTimestamp")
    }

    /// A vendor payload as the pull path hands it over: numbers a Double cannot hold and
    /// fields the vendor's list names sensitive.
    public static let rawWithSensitiveFields =
        #"{"id":"c-3","external_ref":12345678901234567890123,"price":1234567.1234567890123456789,"ssn":"078-05-1120","Password":"hunter2","docs":[{"dl_license":{"number":"D123-4567","state":"CA"}}],"ssn_note":"kept"}"#

    public static func rawKeptExactlySensitiveSealed(_ store: any HubStorage) async throws {
        try await rawKeptExactlySensitiveSealed(store, keepingText: nil)
    }

    /// The same payload as the vendor might space it, with an escaped member name, kept as the
    /// connector's text (``RealtyModel/RecordMetadata/rawText``): sealed in place, not re-serialised.
    public static let rawTextWithSensitiveFields = """
        { "id" : "c-3", "external_ref": 12345678901234567890123,\t"price":1234567.1234567890123456789,
          "ssn": "078-05-1120", "Pass\\u0077ord" :"hunter2", "docs" : [ {"dl_license": {"number": "D123-4567", "state": "CA"}} ],
          "ssn_note": "kept" }
        """

    public static func rawTextKeptSensitiveSealed(_ store: any HubStorage) async throws {
        try await rawKeptExactlySensitiveSealed(store, keepingText: rawTextWithSensitiveFields)
    }

    static func rawKeptExactlySensitiveSealed(_ store: any HubStorage, keepingText text: String?) async throws {
        var scope = try await setUp(store)
        scope.sensitiveFields = SensitiveFields(["ssn", "dl_license"])
        var contact = Fixtures.contact(3)
        contact.metadata.raw = try JSONValue(parsing: text ?? rawWithSensitiveFields)
        if let text { contact.metadata.keepRawText(text) }
        let result = try await store.upsert([contact], scope: scope, cursor: nil)
        let stored = try await store.record(Contact.self, tenant: scope.tenant, key: result.items[0].key)
        let raw = try stored?.metadata.raw ?? { throw ContractFailure(description: "raw not stored") }()
        let text = raw.jsonText
        try check(text.contains(#""external_ref":12345678901234567890123"#), "a big integer in raw was not kept exactly: \(text)")
        try check(text.contains(#""price":1234567.1234567890123456789"#), "a long decimal in raw was not kept exactly: \(text)")
        for secret in ["078-05-1120", "hunter2", "D123-4567"] {
            try check(!text.contains(secret), "a sensitive value is stored in clear: \(secret)")
        }
        try check(SealedField.isEnvelope(raw["ssn"] ?? .null), "ssn is not sealed: \(String(describing: raw["ssn"]))")
        try check(SealedField.isEnvelope(raw["Password"] ?? .null), "a password field is not sealed")
        try check(SealedField.isEnvelope(raw["docs"]?.arrayValue?.first?["dl_license"] ?? .null), "a nested sensitive object is not sealed")
        try check(raw["ssn_note"] == .string("kept") && raw["id"] == .string("c-3"), "other fields must be kept as sent")
        // Sealing does not make an unchanged record look changed (the nonce is random).
        let again = try await store.upsert([contact], scope: scope, cursor: nil)
        try check(again.unchanged == 1, "re-upserting the same record must be unchanged: \(again)")
    }

    public static func uniqueSourceKey(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        var other = scope
        other.connectionID = "conn-2"
        let a = try await store.upsert([Fixtures.contact(1)], scope: scope, cursor: nil)
        let b = try await store.upsert([Fixtures.contact(1)], scope: other, cursor: nil)
        try check(a.inserted == 1 && b.inserted == 1, "the same source key on two connections is two records")
        try check(a.items[0].key != b.items[0].key, "two connections must give two hub keys")
        let page = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(page.total == 2, "expected 2 records, got \(page.total)")
        do {
            _ = try await store.upsert([Fixtures.contact(5), Fixtures.contact(5)], scope: scope, cursor: nil)
            throw ContractFailure(description: "a batch naming one source key twice must fail")
        } catch is StoreError {}
    }

    public static func listQueries(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await store.upsert((0..<25).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        let leads = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(filters: ["ContactType": "Lead"], perPage: 100))
        try check(leads.total == 9 && leads.records.allSatisfy { $0.contactType == "Lead" }, "filter: \(leads.total)")
        let both = try await store.list(
            Contact.self, tenant: scope.tenant,
            query: ListQuery(filters: ["Email": "person4@example.com", "ContactType": "Client"], perPage: 100))
        try check(both.total == 1 && both.records.first?.email == "person4@example.com", "two filters: \(both.total)")
        let none = try await store.list(
            Contact.self, tenant: scope.tenant,
            query: ListQuery(filters: ["Email": "person3@example.com", "ContactType": "Client"], perPage: 100))
        try check(none.total == 0, "filters combine with AND: \(none.total)")
        let sorted = try await store.list(
            Contact.self, tenant: scope.tenant,
            query: ListQuery(sort: "Email", sortOrder: .descending, page: 2, perPage: 10))
        try check(sorted.total == 25 && sorted.records.count == 10 && sorted.page == 2, "paging: \(sorted.records.count)")
        let all = (0..<25).map { "person\($0)@example.com" }.sorted(by: >)
        try check(sorted.records.compactMap(\.email) == Array(all[10..<20]), "sort desc page 2 wrong")
        let last = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery(page: 3, perPage: 10))
        try check(last.records.count == 5, "last page has 5, got \(last.records.count)")
        let projected = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(perPage: 3, fields: ["Email"]))
        try check(
            projected.records.allSatisfy { $0.email != nil && $0.firstName == nil && $0.metadata.key != nil },
            "projection must return only Email and the key")
        try check(projected.fields == ["Email"], "projection echo")
        let future = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(modifiedSince: Date().addingTimeInterval(3600)))
        try check(future.total == 0, "modified_since in the future must match nothing")
        let past = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(modifiedSince: Date().addingTimeInterval(-3600)))
        try check(past.total == 25, "modified_since in the past must match all")
        let bySource = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(filters: ["SourceSystemContactKey": "c-3"]))
        try check(bySource.total == 1 && bySource.records.first?.metadata.sourceKey == "c-3", "source key filter")
    }

    public static func invalidQueries(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let bad: [ListQuery] = [
            ListQuery(filters: ["Notes": "x"]),
            ListQuery(filters: ["Email'; DROP TABLE Contacts; --": "x"]),
            ListQuery(sort: "NoSuchField"),
            ListQuery(page: 0),
            ListQuery(perPage: 0),
            ListQuery(perPage: ListQuery.maximumPerPage + 1),
            ListQuery(fields: ["Email", "Password"]),
        ]
        for query in bad {
            do {
                _ = try await store.list(Contact.self, tenant: scope.tenant, query: query)
                throw ContractFailure(description: "query \(query) must be refused")
            } catch let error as StoreError where error.code == .invalidQuery {}
        }
        let typed = try? await store.list(Property.self, tenant: scope.tenant, query: ListQuery(filters: ["BedroomsTotal": "x"]))
        try check(typed == nil, "a non-integer filter on an integer field must be refused")
    }

    public static func failedBatchWritesNothing(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        var broken = Fixtures.contact(3)
        broken.metadata.sourceKey = nil
        do {
            _ = try await store.upsert([Fixtures.contact(1), Fixtures.contact(2), broken], scope: scope, cursor: "page-2")
            throw ContractFailure(description: "a record without a source key must fail the batch")
        } catch is StoreError {}
        let page = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(page.total == 0, "a failed batch must leave no records, found \(page.total)")
        let state = try await store.syncState(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        try check(state?.cursor == nil, "a failed batch must leave no cursor")
        let events = try await store.events(tenant: scope.tenant, after: 0, limit: 10)
        try check(events.isEmpty, "a failed batch must leave no events")
    }

    public static func cursorWithPage(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await store.upsert([Fixtures.contact(1)], scope: scope, cursor: "cursor-1")
        var state = try await store.syncState(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        try check(state?.cursor == "cursor-1", "cursor not written with its page")
        _ = try await store.upsert([Contact](), scope: scope, cursor: "cursor-2")
        state = try await store.syncState(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        try check(state?.cursor == "cursor-2", "an empty page still advances the cursor")
        let members = try await store.syncState(tenant: scope.tenant, connectionID: scope.connectionID, resource: .member)
        try check(members?.cursor == nil, "cursors are per resource")
    }

    public static func markAndSweep(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await store.upsert((0..<5).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        let generation = try await store.beginFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        var passScope = scope
        passScope.generation = generation
        _ = try await store.upsert((0..<3).map { Fixtures.contact($0) }, scope: passScope, cursor: nil)
        var live = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(live.total == 5, "nothing is deleted before the pass completes")
        // A newer pass supersedes this one: completing the old one must not sweep.
        let newer = try await store.beginFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        do {
            _ = try await store.completeFullPass(
                tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts, generation: generation)
            throw ContractFailure(description: "completing a superseded pass must fail")
        } catch let error as StoreError where error.code == .conflict {}
        live = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(live.total == 5, "a superseded pass deletes nothing")
        passScope.generation = newer
        _ = try await store.upsert((0..<3).map { Fixtures.contact($0) }, scope: passScope, cursor: nil)
        let deleted = try await store.completeFullPass(
            tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts, generation: newer)
        try check(deleted == 2, "two records were not seen, \(deleted) deleted")
        live = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(live.total == 3, "3 live records remain, got \(live.total)")
        let withDeleted = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery(includeDeleted: true))
        try check(
            withDeleted.records.filter(\.metadata.deleted).compactMap(\.metadata.sourceKey).sorted() == ["c-3", "c-4"],
            "c-3 and c-4 are the deleted ones")
        let events = try await store.events(tenant: scope.tenant, after: 0, limit: 100)
        try check(events.filter { $0.change == .deleted }.count == 2, "one deleted event per swept record")
        let state = try await store.syncState(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        try check(state?.lastCompletedGeneration == newer && state?.passGeneration == nil, "pass state after completion")
        // Other connections are untouched by this connection's pass.
        var other = scope
        other.connectionID = "conn-2"
        _ = try await store.upsert([Fixtures.contact(9)], scope: other, cursor: nil)
        let g = try await store.beginFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        _ = try await store.completeFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts, generation: g)
        let otherLive = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(filters: ["ConnectionId": "conn-2"]))
        try check(otherLive.total == 1, "a pass never sweeps another connection's records")
        // A record that comes back is live again.
        var back = scope
        back.generation = nil
        let revived = try await store.upsert([Fixtures.contact(4)], scope: back, cursor: nil)
        try check(revived.updated == 1, "a deleted record seen again is updated (undeleted)")
    }

    /// A pass resumed after a crash may not re-read the part of the vendor's list an earlier
    /// worker read; a record the hub inserted or changed after the pass began (through an
    /// incremental read meanwhile) exists at the vendor and must not be swept.
    public static func sweepSparesRecordsChangedDuringThePass(_ store: any HubStorage) async throws {
        var scope = try await setUp(store)
        scope.now = Date().addingTimeInterval(-60)
        _ = try await store.upsert([Fixtures.contact(0), Fixtures.contact(1)], scope: scope, cursor: nil)
        let generation = try await store.beginFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts)
        var pass = scope
        pass.generation = generation
        pass.now = Date().addingTimeInterval(1)
        _ = try await store.upsert([Fixtures.contact(0)], scope: pass, cursor: nil)
        var incremental = scope
        incremental.now = Date().addingTimeInterval(1)
        _ = try await store.upsert([Fixtures.contact(2)], scope: incremental, cursor: nil)
        let swept = try await store.completeFullPass(
            tenant: scope.tenant, connectionID: scope.connectionID, resource: .contacts, generation: generation)
        try check(swept == 1, "only the record missing since before the pass is swept, got \(swept)")
        let live = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(Set(live.records.compactMap(\.metadata.sourceKey)) == ["c-0", "c-2"], "c-2 arrived during the pass and stays")
    }

    public static func vendorDeletions(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await store.upsert((0..<3).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        let count = try await store.markDeleted(Contact.self, sourceKeys: ["c-1", "c-404"], scope: scope)
        try check(count == 1, "one known record marked, got \(count)")
        let again = try await store.markDeleted(Contact.self, sourceKeys: ["c-1"], scope: scope)
        try check(again == 0, "marking twice changes nothing")
        let live = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery())
        try check(live.total == 2, "2 live")
    }

    /// The live media of `tenant`, by vendor key.
    static func liveMedia(_ store: any HubStorage, tenant: String) async throws -> [String: Media] {
        let page = try await store.list(Media.self, tenant: tenant, query: ListQuery(perPage: 1000))
        var byKey: [String: Media] = [:]
        for media in page.records { byKey[media.metadata.sourceKey ?? ""] = media }
        return byKey
    }

    /// The media events after `sequence`, as (change, media key) pairs in order.
    static func mediaEvents(_ store: any HubStorage, tenant: String, after sequence: Int64) async throws -> [(
        EntityEvent.Change, String
    )] {
        try await store.events(tenant: tenant, after: sequence, limit: 1000).filter { $0.resourceName == .media }
            .map { ($0.change, $0.resourceRecordKey) }
    }

    static func lastSequence(_ store: any HubStorage, tenant: String) async throws -> Int64 {
        try await store.events(tenant: tenant, after: 0, limit: 100_000).last?.sequence ?? 0
    }

    public static func mediaReplacedWithParent(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let first = try await store.upsert(
            [Fixtures.property(1), Fixtures.property(2)],
            media: [Fixtures.photo(1, of: 1), Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 2)], scope: scope, cursor: nil)
        try check(
            first.inserted == 2 && first.mediaInserted == 3 && first.mediaUpdated == 0 && first.mediaDeleted == 0,
            "first upsert with media: \(first)")
        let listing1 = first.items[0].key
        let listing2 = first.items[1].key
        var media = try await liveMedia(store, tenant: scope.tenant)
        try check(media.keys.sorted() == ["pic-1-1", "pic-1-2", "pic-2-1"], "three live media: \(media.keys.sorted())")
        let photo = media["pic-1-2"]
        try check(
            photo?.resourceName == "Property" && photo?.resourceRecordKey == listing1 && photo?.resourceRecordSourceKey == "p-1"
                && photo?.mediaURL == "https://images.example/1/2.jpg" && photo?.mediaCategory == "Photo" && photo?.order == 2
                && photo?.shortDescription == "Photo 2" && photo?.imageWidth == 1600 && photo?.imageHeight == 1200
                && photo?.metadata.connectionID == scope.connectionID && photo?.metadata.sourceSystemName == "apimo",
            "the stored photo carries every field and its parent's hub key: \(String(describing: photo))")
        try check(media["pic-2-1"]?.resourceRecordKey == listing2, "each photo names its own parent")
        let fetched = try await store.record(Media.self, tenant: scope.tenant, key: photo?.metadata.key ?? "")
        try check(fetched?.mediaURL == photo?.mediaURL && fetched?.metadata.raw == .object(["id": "pic-1-2"]), "get by MediaKey")
        let byParent = try await store.list(
            Media.self, tenant: scope.tenant, query: ListQuery(filters: ["ResourceRecordKey": listing1], sort: "Order"))
        try check(byParent.records.compactMap(\.metadata.sourceKey) == ["pic-1-1", "pic-1-2"], "filter by parent, in Order")
        var events = try await mediaEvents(store, tenant: scope.tenant, after: 0)
        try check(
            events.map(\.0) == [.created, .created, .created]
                && Set(events.map(\.1)) == Set(media.values.compactMap(\.metadata.key)),
            "one created event per photo: \(events)")

        // The same set again writes nothing.
        var mark = try await lastSequence(store, tenant: scope.tenant)
        let same = try await store.upsert(
            [Fixtures.property(1), Fixtures.property(2)],
            media: [Fixtures.photo(1, of: 1), Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 2)], scope: scope, cursor: nil)
        try check(
            same.unchanged == 2 && same.mediaInserted == 0 && same.mediaUpdated == 0 && same.mediaDeleted == 0,
            "an unchanged set writes nothing: \(same)")
        try check(try await lastSequence(store, tenant: scope.tenant) == mark, "no event for an unchanged set")

        // Listing 1's set changes: one photo changed, one gone, one new; listing 2 is not in the page.
        let changed = Fixtures.photo(1, of: 1, url: "https://images.example/1/1-v2.jpg")
        let replaced = try await store.upsert(
            [Fixtures.property(1)], media: [changed, Fixtures.photo(3, of: 1)], scope: scope, cursor: nil)
        try check(
            replaced.unchanged == 1 && replaced.mediaInserted == 1 && replaced.mediaUpdated == 1 && replaced.mediaDeleted == 1,
            "replace: \(replaced)")
        media = try await liveMedia(store, tenant: scope.tenant)
        try check(media.keys.sorted() == ["pic-1-1", "pic-1-3", "pic-2-1"], "the set after replacing: \(media.keys.sorted())")
        try check(media["pic-1-1"]?.mediaURL == "https://images.example/1/1-v2.jpg", "the changed photo is updated")
        let gone = try await store.list(
            Media.self, tenant: scope.tenant, query: ListQuery(filters: ["SourceSystemMediaKey": "pic-1-2"], includeDeleted: true))
        try check(gone.records.first?.metadata.deleted == true, "the photo gone from its parent is marked deleted")
        events = try await mediaEvents(store, tenant: scope.tenant, after: mark)
        try check(
            events.map(\.0) == [.updated, .created, .deleted] && events[0].1 == media["pic-1-1"]?.metadata.key
                && events[1].1 == media["pic-1-3"]?.metadata.key && events[2].1 == gone.records.first?.metadata.key,
            "updated, created and deleted events: \(events)")

        // An empty set empties the parent; no set (nil) leaves it alone.
        mark = try await lastSequence(store, tenant: scope.tenant)
        let untouched = try await store.upsert([Fixtures.property(2)], media: nil, scope: scope, cursor: nil)
        let kept = try await liveMedia(store, tenant: scope.tenant)["pic-2-1"]
        try check(untouched.mediaDeleted == 0 && kept != nil, "nil keeps media")
        let emptied = try await store.upsert([Fixtures.property(2)], media: [], scope: scope, cursor: nil)
        try check(emptied.mediaDeleted == 1, "an empty set deletes the parent's photos: \(emptied)")
        events = try await mediaEvents(store, tenant: scope.tenant, after: mark)
        try check(events.map(\.0) == [.deleted], "one deleted event: \(events)")

        // Members carry media too; a photo naming no parent of the batch fails the whole batch.
        let member = try await store.upsert(
            [Fixtures.member(7)], media: [Fixtures.photo(1, of: 7, parent: "m-7")], scope: scope, cursor: nil)
        media = try await liveMedia(store, tenant: scope.tenant)
        try check(
            media["pic-7-1"]?.resourceName == "Member" && media["pic-7-1"]?.resourceRecordKey == member.items[0].key,
            "a member's photo names the member")
        do {
            _ = try await store.upsert(
                [Fixtures.property(5)], media: [Fixtures.photo(1, of: 6)], scope: scope, cursor: "cursor-orphan")
            throw ContractFailure(description: "a photo naming no parent of its batch must fail the batch")
        } catch let error as StoreError where error.code == .invalidQuery {}
        let orphanParent = try await store.list(
            Property.self, tenant: scope.tenant, query: ListQuery(filters: ["SourceSystemListingKey": "p-5"]))
        try check(orphanParent.total == 0, "the failed batch wrote nothing")
        let state = try await store.syncState(tenant: scope.tenant, connectionID: scope.connectionID, resource: .property)
        try check(state?.cursor != "cursor-orphan", "nor its cursor")
    }

    public static func mediaSweptWithParent(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await store.upsert(
            (1...3).map { Fixtures.property($0) },
            media: [Fixtures.photo(1, of: 1), Fixtures.photo(1, of: 2), Fixtures.photo(2, of: 2), Fixtures.photo(1, of: 3)],
            scope: scope, cursor: nil)
        // A vendor-reported deletion takes the parent's photos with it.
        var mark = try await lastSequence(store, tenant: scope.tenant)
        let deleted = try await store.markDeleted(Property.self, sourceKeys: ["p-1"], scope: scope)
        try check(deleted == 1, "one listing deleted, got \(deleted)")
        var media = try await liveMedia(store, tenant: scope.tenant)
        try check(media.keys.sorted() == ["pic-2-1", "pic-2-2", "pic-3-1"], "p-1's photo is gone: \(media.keys.sorted())")
        var events = try await store.events(tenant: scope.tenant, after: mark, limit: 100)
        try check(
            events.map(\.resourceName) == [.property, .media] && events.allSatisfy { $0.change == .deleted },
            "the listing's then its photo's deleted events: \(events.map(\.resourceName))")

        // A full pass that misses p-2 sweeps it and its two photos; p-3 was seen and keeps its photo.
        mark = try await lastSequence(store, tenant: scope.tenant)
        let generation = try await store.beginFullPass(tenant: scope.tenant, connectionID: scope.connectionID, resource: .property)
        var pass = scope
        pass.generation = generation
        pass.now = Date().addingTimeInterval(1)
        _ = try await store.upsert([Fixtures.property(3)], media: [Fixtures.photo(1, of: 3)], scope: pass, cursor: nil)
        let swept = try await store.completeFullPass(
            tenant: scope.tenant, connectionID: scope.connectionID, resource: .property, generation: generation)
        try check(swept == 1, "one listing swept, got \(swept)")
        media = try await liveMedia(store, tenant: scope.tenant)
        try check(media.keys.sorted() == ["pic-3-1"], "only p-3's photo is live: \(media.keys.sorted())")
        events = try await store.events(tenant: scope.tenant, after: mark, limit: 100)
        try check(
            events.map(\.resourceName) == [.property, .media, .media] && events.allSatisfy { $0.change == .deleted },
            "the swept listing's and its photos' deleted events: \(events.map(\.resourceName))")

        // A parent seen again brings its photos back (undeleted, with updated events).
        mark = try await lastSequence(store, tenant: scope.tenant)
        var back = scope
        back.now = Date().addingTimeInterval(2)
        let revived = try await store.upsert(
            [Fixtures.property(2)], media: [Fixtures.photo(1, of: 2), Fixtures.photo(2, of: 2)], scope: back, cursor: nil)
        try check(revived.updated == 1 && revived.mediaUpdated == 2 && revived.mediaInserted == 0, "revived: \(revived)")
        media = try await liveMedia(store, tenant: scope.tenant)
        try check(media.keys.sorted() == ["pic-2-1", "pic-2-2", "pic-3-1"], "p-2's photos are live again")
        try check(
            try await mediaEvents(store, tenant: scope.tenant, after: mark).map(\.0) == [.updated, .updated],
            "updated events for the photos brought back")
    }

    public static func eventsInSequence(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let a = try await store.upsert([Fixtures.contact(1)], scope: scope, cursor: nil)
        _ = try await store.upsert([Fixtures.member(1)], scope: scope, cursor: nil)
        var changed = Fixtures.contact(1)
        changed.notes = "called back"
        _ = try await store.upsert([changed], scope: scope, cursor: nil)
        _ = try await store.upsert([changed], scope: scope, cursor: nil)
        let events = try await store.events(tenant: scope.tenant, after: 0, limit: 100)
        try check(events.map(\.change) == [.created, .created, .updated], "changes: \(events.map(\.change))")
        try check(events.map(\.resourceName) == [.contacts, .member, .contacts], "resources")
        try check(events[0].resourceRecordKey == a.items[0].key && events[2].resourceRecordKey == a.items[0].key, "keys")
        try check(zip(events, events.dropFirst()).allSatisfy { $0.sequence < $1.sequence }, "sequences must increase")
        let tail = try await store.events(tenant: scope.tenant, after: events[0].sequence, limit: 1)
        try check(tail.map(\.sequence) == [events[1].sequence], "after + limit")
    }

    public static func tenantIsolation(_ store: any HubStorage) async throws {
        let a = try await setUp(store, tenant: "tenant-a")
        let b = try await setUp(store, tenant: "tenant-b")
        let inserted = try await store.upsert([Fixtures.contact(1)], scope: a, cursor: nil)
        let key = inserted.items[0].key
        try check(try await store.record(Contact.self, tenant: b.tenant, key: key) == nil, "tenant B must not read A's record")
        try check(try await store.list(Contact.self, tenant: b.tenant, query: ListQuery()).total == 0, "B lists nothing")
        try check(try await store.events(tenant: b.tenant, after: 0, limit: 10).isEmpty, "B sees no events of A")
        let same = try await store.upsert([Fixtures.contact(1)], scope: b, cursor: nil)
        try check(same.inserted == 1, "the same source key in another tenant is another record")
    }

    public static func outboxTransitions(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let payload = Data(#"{"Email":"lead@example.com"}"#.utf8)
        let enqueued = try await store.enqueue(
            [NewDelivery(tenantID: scope.tenant, connectionID: "conn-1", kind: .leadCreate, payload: payload, maxAttempts: 2)],
            now: t0)
        try check(enqueued.count == 1 && enqueued[0].state == .pending && enqueued[0].attempts == 0, "enqueued pending")
        let id = enqueued[0].id
        let claimed = try await store.claimDeliveries(owner: "w1", now: t0, leaseDuration: 60, limit: 10, connectionID: nil)
        try check(claimed.map(\.id) == [id] && claimed[0].state == .inFlight && claimed[0].attempts == 1, "claimed in flight")
        try check(claimed[0].payload == payload, "payload kept")
        let none = try await store.claimDeliveries(owner: "w2", now: t0, leaseDuration: 60, limit: 10, connectionID: nil)
        try check(none.isEmpty, "an in-flight delivery with a live lease is not claimed again")
        do {
            _ = try await store.completeDelivery(id: id, owner: "w2", remoteID: "x", now: t0)
            throw ContractFailure(description: "another worker cannot complete a delivery it does not hold")
        } catch let error as StoreError where error.code == .invalidTransition {}
        let waiting = try await store.failDelivery(
            id: id, owner: "w1", error: "HTTP 503", retryAt: t0.addingTimeInterval(30), now: t0)
        try check(waiting.state == .retryWait && waiting.lastError == "HTTP 503", "retry-wait with error")
        let early = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(10), leaseDuration: 60, limit: 10, connectionID: nil)
        try check(early.isEmpty, "a retry-wait delivery is not due before its time")
        let due = try await store.claimDeliveries(
            owner: "w1", now: t0.addingTimeInterval(31), leaseDuration: 60, limit: 10, connectionID: nil)
        try check(due.map(\.id) == [id] && due[0].attempts == 2, "due again, second attempt")
        let dead = try await store.failDelivery(id: id, owner: "w1", error: "HTTP 503 again", retryAt: nil, now: t0.addingTimeInterval(32))
        try check(dead.state == .dead && dead.completedAt != nil, "dead after the budget")
        do {
            _ = try await store.completeDelivery(id: id, owner: "w1", remoteID: "x", now: t0)
            throw ContractFailure(description: "a dead delivery cannot complete")
        } catch let error as StoreError where error.code == .invalidTransition {}
        let retried = try await store.retryDelivery(id: id, tenant: scope.tenant, now: t0.addingTimeInterval(40))
        try check(retried.state == .pending && retried.attempts == 0, "retry moves dead to pending with a fresh budget")
        do {
            _ = try await store.retryDelivery(id: id, tenant: scope.tenant, now: t0)
            throw ContractFailure(description: "only dead or conflicting deliveries can be retried")
        } catch let error as StoreError where error.code == .invalidTransition {}
        let again = try await store.claimDeliveries(
            owner: "w3", now: t0.addingTimeInterval(41), leaseDuration: 60, limit: 10, connectionID: "conn-1")
        try check(again.map(\.id) == [id], "claimable after retry")
        try await store.recordRemoteID(id: id, owner: "w3", remoteID: "remote-7", now: t0.addingTimeInterval(42))
        let done = try await store.completeDelivery(id: id, owner: "w3", remoteID: nil, now: t0.addingTimeInterval(43))
        try check(done.state == .done && done.remoteID == "remote-7" && done.leaseOwner == nil, "done keeps the remote id")
        let listed = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(state: .done))
        try check(listed.map(\.id) == [id], "list by state")
        try check(try await store.delivery(id: id, tenant: "someone-else") == nil, "deliveries are per tenant")
    }

    public static func outboxLeaseExpiry(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let new = NewDelivery(tenantID: scope.tenant, connectionID: "conn-1", kind: .leadCreate, payload: Data("{}".utf8))
        _ = try await store.enqueue([new], now: t0)
        _ = try await store.claimDeliveries(owner: "dead-worker", now: t0, leaseDuration: 30, limit: 1, connectionID: nil)
        let stolen = try await store.claimDeliveries(
            owner: "w2", now: t0.addingTimeInterval(31), leaseDuration: 30, limit: 1, connectionID: nil)
        try check(
            stolen.map(\.id) == [new.id] && stolen[0].leaseOwner == "w2" && stolen[0].attempts == 2,
            "an expired lease is claimed by another worker")
        do {
            _ = try await store.completeDelivery(id: new.id, owner: "dead-worker", remoteID: nil, now: t0.addingTimeInterval(32))
            throw ContractFailure(description: "the old owner cannot complete after losing the lease")
        } catch let error as StoreError where error.code == .invalidTransition {}
        let other = try await store.claimDeliveries(
            owner: "w3", now: t0.addingTimeInterval(32), leaseDuration: 30, limit: 1, connectionID: "conn-9")
        try check(other.isEmpty, "claims can be limited to one connection")
        // A live worker's heartbeat keeps its lease.
        let renewed = try await store.renewDeliveryLeases(owner: "w2", now: t0.addingTimeInterval(50), leaseDuration: 30)
        try check(renewed == [new.id], "the holder's in-flight lease is renewed, got \(renewed)")
        let early = try await store.claimDeliveries(
            owner: "w3", now: t0.addingTimeInterval(70), leaseDuration: 30, limit: 1, connectionID: nil)
        try check(early.isEmpty, "a renewed lease is not taken over")
        try check(
            try await store.renewDeliveryLeases(owner: "dead-worker", now: t0.addingTimeInterval(70), leaseDuration: 30).isEmpty,
            "a worker that lost its lease renews nothing")
        let late = try await store.claimDeliveries(
            owner: "w3", now: t0.addingTimeInterval(81), leaseDuration: 30, limit: 1, connectionID: nil)
        try check(late.map(\.id) == [new.id], "an expired renewed lease is taken over")
    }

    public static func outboxClaimLimits(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var ids: [String: [String]] = [:]
        for (index, connection) in ["conn-a", "conn-a", "conn-a", "conn-b", "conn-b", "conn-b", "conn-c", "conn-c"].enumerated() {
            let new = NewDelivery(tenantID: scope.tenant, connectionID: connection, kind: .leadCreate, payload: Data("{}".utf8))
            _ = try await store.enqueue([new], now: t0.addingTimeInterval(Double(index)))
            ids[connection, default: []].append(new.id)
        }
        let a = ids["conn-a"] ?? []
        let b = ids["conn-b"] ?? []
        let c = ids["conn-c"] ?? []
        let now = t0.addingTimeInterval(100)
        let limits = ["conn-a": 1, "conn-b": 2]
        let first = try await store.claimDeliveries(
            owner: "w1", now: now, leaseDuration: 10, limit: 5, connectionID: nil, connectionLimits: limits)
        try check(
            first.map(\.id) == [a[0], b[0], b[1], c[0], c[1]],
            "each connection's share, oldest first, the rest of the batch from others; got \(first.map(\.connectionID))")
        let second = try await store.claimDeliveries(
            owner: "w2", now: now, leaseDuration: 10, limit: 5, connectionID: nil, connectionLimits: limits)
        try check(second.map(\.id) == [a[1], b[2]], "the next claim takes the next share; got \(second.map(\.connectionID))")
        let filtered = try await store.claimDeliveries(
            owner: "w3", now: now, leaseDuration: 10, limit: 5, connectionID: "conn-a", connectionLimits: ["conn-a": 1])
        try check(filtered.map(\.id) == [a[2]], "a limit applies with a connection filter too")
        // Expired leases count as due, under the same shares.
        let later = now.addingTimeInterval(11)
        let unlimited = try await store.claimDeliveries(
            owner: "w4", now: later, leaseDuration: 10, limit: 100, connectionID: nil, connectionLimits: [:])
        try check(unlimited.count == 8, "without limits the batch size alone applies, got \(unlimited.count)")
        let none = try await store.claimDeliveries(
            owner: "w5", now: later.addingTimeInterval(11), leaseDuration: 10, limit: 100, connectionID: nil,
            connectionLimits: ["conn-a": 0, "conn-b": 1, "conn-c": 1])
        try check(none.map(\.id) == [b[0], c[0]], "a share of 0 claims nothing of that connection; got \(none.map(\.connectionID))")
    }

    public static func outboxIdempotency(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let now = Date()
        let first = try await store.enqueue(
            [
                NewDelivery(
                    tenantID: scope.tenant, connectionID: "conn-1", kind: .leadCreate, payload: Data("{}".utf8), idempotencyKey: "k1"),
                NewDelivery(
                    tenantID: scope.tenant, connectionID: "conn-2", kind: .leadCreate, payload: Data("{}".utf8), idempotencyKey: "k1"),
            ], now: now)
        let second = try await store.enqueue(
            [
                NewDelivery(
                    tenantID: scope.tenant, connectionID: "conn-1", kind: .leadCreate, payload: Data("{}".utf8), idempotencyKey: "k1")
            ], now: now)
        try check(first.count == 2 && second[0].id == first[0].id, "same key and connection returns the existing delivery")
        let all = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter())
        try check(all.count == 2, "no duplicate delivery, got \(all.count)")
        _ = try await store.enqueue(
            [
                NewDelivery(
                    tenantID: scope.tenant, connectionID: "conn-1", kind: .leadCreate, payload: Data("{}".utf8), idempotencyKey: "k2")
            ], now: now)
        let byKey = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(idempotencyKey: "k1"))
        try check(Set(byKey.map(\.id)) == Set(first.map(\.id)), "filter by idempotency key")
    }

    /// 30 enqueues at once (committed together where the store groups them): each commits or
    /// fails on its own (one naming a missing tenant fails alone), and the outbox signal has
    /// moved on once they are committed, so an idle worker wakes.
    public static func concurrentEnqueuesSignalWorkers(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let signal = store.outboxSignal()
        try check(store.outboxSignal() === signal, "one signal per store")
        let seen = signal.generation
        let outcomes = await withTaskGroup(of: (Int, [Delivery]?).self) { group in
            for index in 0..<30 {
                group.addTask {
                    let tenant = index == 7 ? "no-such-tenant" : scope.tenant
                    let new = NewDelivery(
                        tenantID: tenant, connectionID: "conn-\(index % 3)", kind: .leadCreate, payload: Data(#"{"n":\#(index)}"#.utf8))
                    return (index, try? await store.enqueue([new], now: Date()))
                }
            }
            var outcomes: [Int: [Delivery]?] = [:]
            for await (index, deliveries) in group { outcomes[index] = deliveries }
            return outcomes
        }
        try check(outcomes.count == 30, "every enqueue answered")
        try check(outcomes[7].map { $0 == nil } == true, "the enqueue naming a missing tenant fails")
        let committed = outcomes.compactMap { $0.value?.first }
        try check(committed.count == 29, "the other 29 commit, got \(committed.count)")
        let stored = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(limit: 100))
        try check(Set(stored.map(\.id)) == Set(committed.map(\.id)), "exactly the committed deliveries are stored")
        try check(signal.generation != seen, "committed deliveries signal the workers")
    }

    /// 20 requests under one key at once: one commits its deliveries with the key, every other
    /// one adds nothing and reads the winner's fingerprint and deliveries.
    public static func idempotencyKeysUnderConcurrency(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await setUp(store, tenant: "t2")
        let now = Date()
        func request(_ key: String, tenant: String, connections: [String]) -> [NewDelivery] {
            connections.map {
                NewDelivery(
                    tenantID: tenant, connectionID: $0, kind: .leadCreate, payload: Data(#"{"FirstName":"Ada"}"#.utf8), idempotencyKey: key)
            }
        }
        func race(_ key: String, fingerprint: @escaping @Sendable (Int) -> String, connections: [String]) async throws -> [(
            Int, IdempotentEnqueue
        )] {
            try await withThrowingTaskGroup(of: (Int, IdempotentEnqueue).self) { group in
                for index in 0..<20 {
                    let deliveries = request(key, tenant: scope.tenant, connections: connections)
                    group.addTask {
                        (
                            index,
                            try await store.enqueue(
                                deliveries, idempotencyKey: key, tenant: scope.tenant, fingerprint: fingerprint(index), now: now)
                        )
                    }
                }
                var outcomes: [(Int, IdempotentEnqueue)] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
        }

        // Same request 20 times at once.
        let same = try await race("same", fingerprint: { _ in "f-same" }, connections: ["conn-1", "conn-2"])
        var created: [[Delivery]] = []
        var replays: [(String?, [Delivery])] = []
        for (_, outcome) in same {
            switch outcome {
            case .created(let deliveries): created.append(deliveries)
            case .existing(let fingerprint, let deliveries): replays.append((fingerprint, deliveries))
            }
        }
        try check(created.count == 1, "one of 20 concurrent same requests commits, got \(created.count)")
        let winner = Set(created.first?.map(\.id) ?? [])
        try check(winner.count == 2, "the winner commits one delivery per connection, got \(winner.count)")
        try check(
            replays.count == 19 && replays.allSatisfy { $0.0 == "f-same" && Set($0.1.map(\.id)) == winner },
            "every other request reads the winner's fingerprint and deliveries")
        let stored = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(idempotencyKey: "same"))
        try check(Set(stored.map(\.id)) == winner, "only the winner's deliveries are stored, got \(stored.count)")

        // 20 different requests under one key at once: one wins, the others see its fingerprint.
        let different = try await race("different", fingerprint: { "f-\($0)" }, connections: ["conn-1"])
        let winners = different.compactMap { index, outcome -> (Int, [Delivery])? in
            if case .created(let deliveries) = outcome { return (index, deliveries) }
            return nil
        }
        try check(winners.count == 1, "one of 20 concurrent different requests commits, got \(winners.count)")
        let (winnerIndex, winnerDeliveries) = winners[0]
        for (index, outcome) in different where index != winnerIndex {
            guard case .existing(let fingerprint, let deliveries) = outcome else { continue }
            try check(
                fingerprint == "f-\(winnerIndex)" && deliveries.map(\.id) == winnerDeliveries.map(\.id),
                "a losing request sees the winner's fingerprint f-\(winnerIndex), got \(fingerprint ?? "nil")")
        }
        let all = try await store.listDeliveries(tenant: scope.tenant, filter: DeliveryFilter(idempotencyKey: "different"))
        try check(all.count == 1, "one delivery under the contested key, got \(all.count)")

        // A later request reads the same; keys are per tenant.
        let later = try await store.enqueue(
            request("same", tenant: scope.tenant, connections: ["conn-1"]), idempotencyKey: "same", tenant: scope.tenant,
            fingerprint: "f-other", now: now)
        guard case .existing(let laterFingerprint, let laterDeliveries) = later else {
            throw ContractFailure(description: "a later request under a used key must not commit")
        }
        try check(
            laterFingerprint == "f-same" && Set(laterDeliveries.map(\.id)) == winner,
            "a later request under the key reads the first one's fingerprint and deliveries")
        let otherTenant = try await store.enqueue(
            request("same", tenant: "t2", connections: ["conn-1"]), idempotencyKey: "same", tenant: "t2", fingerprint: "f-t2", now: now)
        guard case .created(let t2Deliveries) = otherTenant else {
            throw ContractFailure(description: "a key is per tenant: t2's first use must commit")
        }
        try check(t2Deliveries.count == 1 && t2Deliveries[0].tenantID == "t2", "t2's delivery is its own")
        // A request whose deliveries do not carry the key is refused.
        do {
            _ = try await store.enqueue(
                request("other", tenant: scope.tenant, connections: ["conn-1"]), idempotencyKey: "mismatch", tenant: scope.tenant,
                fingerprint: "f", now: now)
            throw ContractFailure(description: "deliveries without the request's key must be refused")
        } catch is StoreError {}
    }

    public static func connectionsAndCredentials(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let now = Date()
        let connection = Connection(
            id: "conn-1", tenantID: scope.tenant, vendor: "mycrm", name: "Main CRM", baseURL: "http://127.0.0.1:1",
            syncIntervalSeconds: 300, createdAt: now, updatedAt: now)
        let secret = Data(#"{"username":"admin","access_key":"s3cr3t-access-key-value"}"#.utf8)
        let saved = try await store.saveConnection(connection, credentials: secret)
        try check(saved.hasCredentials, "hasCredentials after saving credentials")
        try check(try await store.credentials(connectionID: "conn-1", tenant: scope.tenant) == secret, "credentials round trip")
        var renamed = connection
        renamed.name = "Renamed"
        _ = try await store.saveConnection(renamed, credentials: nil)
        try check(
            try await store.credentials(connectionID: "conn-1", tenant: scope.tenant) == secret,
            "saving without credentials keeps them")
        try check(try await store.connection(id: "conn-1", tenant: scope.tenant)?.name == "Renamed", "update")
        var limited = renamed
        limited.requestsPerSecond = 2.5
        limited.maxConcurrency = 3
        _ = try await store.saveConnection(limited, credentials: nil)
        let reloaded = try await store.connection(id: "conn-1", tenant: scope.tenant)
        try check(reloaded?.requestsPerSecond == 2.5 && reloaded?.maxConcurrency == 3, "rate limit overrides round trip")
        limited.requestsPerSecond = nil
        limited.maxConcurrency = nil
        _ = try await store.saveConnection(limited, credentials: nil)
        let cleared = try await store.connection(id: "conn-1", tenant: scope.tenant)
        try check(cleared?.requestsPerSecond == nil && cleared?.maxConcurrency == nil, "rate limit overrides cleared")
        try check(cleared?.options == [:] && cleared?.rereadIntervalSeconds == nil, "no options and the default cadence at first")
        var configured = limited
        configured.options = ["development_ids": "1001,1002,R-7", "note": "a \"quoted\", ünïcode value"]
        configured.rereadIntervalSeconds = 3600
        _ = try await store.saveConnection(configured, credentials: nil)
        let withOptions = try await store.connection(id: "conn-1", tenant: scope.tenant)
        try check(
            withOptions?.options == ["development_ids": "1001,1002,R-7", "note": "a \"quoted\", ünïcode value"],
            "options round trip: \(withOptions?.options ?? [:])")
        try check(withOptions?.rereadIntervalSeconds == 3600, "re-read cadence round trip")
        try check(
            try await store.listConnections(tenant: scope.tenant).first?.options["development_ids"] == "1001,1002,R-7",
            "options listed")
        configured.options = [:]
        configured.rereadIntervalSeconds = nil
        _ = try await store.saveConnection(configured, credentials: nil)
        let reset = try await store.connection(id: "conn-1", tenant: scope.tenant)
        try check(reset?.options == [:] && reset?.rereadIntervalSeconds == nil, "options and cadence removed")
        try check(try await store.connection(id: "conn-1", tenant: "other") == nil, "connections are per tenant")
        var duplicate = connection
        duplicate.id = "conn-2"
        duplicate.name = "Renamed"
        do {
            _ = try await store.saveConnection(duplicate, credentials: nil)
            throw ContractFailure(description: "two connections of one tenant cannot share a name")
        } catch let error as StoreError where error.code == .conflict {}
        try check(try await store.listConnections(tenant: scope.tenant).count == 1, "list")
        try check(try await store.deleteConnection(id: "conn-1", tenant: scope.tenant), "delete")
        try check(try await store.listConnections(tenant: scope.tenant).isEmpty, "deleted")
    }

    public static func apiClients(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await setUp(store, tenant: "t2")
        let secret = APIClientSecret.generate()
        let client = APIClient(
            id: "client-a", tenantID: scope.tenant, name: "Website", secretHash: APIClientSecret.hash(secret),
            scopes: ["contacts:read", "leads:write"], createdAt: Date())
        try await store.createAPIClient(client)
        let loaded = try await store.apiClient(id: "client-a")
        try check(loaded?.tenantID == scope.tenant && loaded?.scopes == client.scopes, "API client round trip")
        try check(loaded.map { APIClientSecret.verify(secret, hash: $0.secretHash) } == true, "secret verifies")
        try check(loaded.map { APIClientSecret.verify(secret + "x", hash: $0.secretHash) } == false, "wrong secret fails")
        do {
            try await store.createAPIClient(client)
            throw ContractFailure(description: "a client id is unique")
        } catch let error as StoreError where error.code == .conflict {}
        var orphan = client
        orphan.id = "client-b"
        orphan.tenantID = "no-such-tenant"
        do {
            try await store.createAPIClient(orphan)
            throw ContractFailure(description: "a client needs an existing tenant")
        } catch let error as StoreError where error.code == .notFound {}
        try check(try await store.listAPIClients(tenant: "t2").isEmpty, "clients are per tenant")
        try check(try await store.listAPIClients(tenant: nil).count == 1, "list all")
        try check(!(try await store.deleteAPIClient(id: "client-a", tenant: "t2")), "another tenant cannot delete")
        try check(try await store.deleteAPIClient(id: "client-a", tenant: scope.tenant), "delete")
        try check(try await store.apiClient(id: "client-a") == nil, "deleted")
    }

    public static func sharedRequestLimits(_ store: any HubStorage) async throws {
        let now = Date()
        let limits = SharedLimitSpec(maxConcurrency: 2, interval: 1, burst: 1, dailyQuota: 4, day: "2026-11-22")
        func reserve(_ owner: String, at time: Date = now) async throws -> RequestReservation {
            try await store.reserveRequest(key: "conn-1", limits: limits, owner: owner, now: time, leaseDuration: 60)
        }
        guard case .granted(let first, let wait1) = try await reserve("p1") else {
            throw ContractFailure(description: "first request granted")
        }
        guard case .granted(let second, let wait2) = try await reserve("p2") else {
            throw ContractFailure(description: "second request granted")
        }
        try check(first != second, "two slots")
        try check(wait1 == 0 && abs(wait2 - 1) < 0.001, "paced one interval apart, got \(wait1), \(wait2)")
        try check(try await reserve("p3") == .busy, "no third slot while two are held")
        try await store.releaseRequest(key: "conn-1", slot: first, owner: "p1")
        guard case .granted(_, let wait3) = try await reserve("p3") else { throw ContractFailure(description: "a released slot is reused") }
        try check(abs(wait3 - 2) < 0.001, "the rate holds across owners, got \(wait3)")
        try check(try await reserve("p4", at: now.addingTimeInterval(120)) != .busy, "slots of a dead owner come back after the lease")
        try check(try await reserve("p5", at: now.addingTimeInterval(240)) == .quotaExhausted, "the daily quota holds across owners")
        var tomorrow = limits
        tomorrow.day = "2026-11-23"
        let fresh = try await store.reserveRequest(
            key: "conn-1", limits: tomorrow, owner: "p6", now: now.addingTimeInterval(240), leaseDuration: 60)
        if case .granted = fresh {} else { throw ContractFailure(description: "the quota resets the next day, got \(fresh)") }
        try check(
            try await store.reserveRequest(key: "conn-2", limits: limits, owner: "p1", now: now, leaseDuration: 60) != .busy,
            "keys are independent")

        // A pull (immediateOnly) takes only a rate slot due at once: while a delivery holds the
        // next one, it reserves nothing and is told how long to wait.
        let delivery = SharedLimitSpec(maxConcurrency: 4, interval: 1, burst: 1, dailyQuota: nil, day: "2026-11-22")
        var pull = delivery
        pull.immediateOnly = true
        func reserve4(_ spec: SharedLimitSpec) async throws -> RequestReservation {
            try await store.reserveRequest(key: "conn-4", limits: spec, owner: "r1", now: now, leaseDuration: 60)
        }
        try check(try await reserve4(pull) == .granted(slot: 0, wait: 0), "a pull takes a slot due now")
        guard case .granted(_, let deliveryWait) = try await reserve4(delivery) else {
            throw ContractFailure(description: "a delivery reserves the next slot")
        }
        guard case .paced(let pullWait) = try await reserve4(pull) else { throw ContractFailure(description: "a pull is paced") }
        try check(abs(deliveryWait - 1) < 0.001 && abs(pullWait - 2) < 0.001, "the pull waits behind the delivery: \(pullWait)")
        try check(
            try await store.requestUsage(key: "conn-4") == RequestUsage(day: "2026-11-22", used: 2), "a paced pull reserved nothing")
        try check(try await store.requestUsage(key: "conn-none") == nil, "no usage before a first request")

        // A held slot is renewed by its owner's heartbeat and comes back only when that stops.
        let single = SharedLimitSpec(maxConcurrency: 1, interval: nil, burst: 1, dailyQuota: nil, day: "2026-11-22")
        guard
            case .granted(let slot, _) = try await store.reserveRequest(
                key: "conn-3", limits: single, owner: "q1", now: now, leaseDuration: 10)
        else { throw ContractFailure(description: "the single slot is granted") }
        try check(
            try await store.renewRequest(key: "conn-3", slot: slot, owner: "q1", now: now.addingTimeInterval(8), leaseDuration: 10),
            "the holder renews its slot")
        try check(
            try await store.reserveRequest(key: "conn-3", limits: single, owner: "q2", now: now.addingTimeInterval(15), leaseDuration: 10)
                == .busy,
            "a renewed slot is not free after its first lease")
        try check(
            !(try await store.renewRequest(key: "conn-3", slot: slot, owner: "q2", now: now.addingTimeInterval(15), leaseDuration: 10)),
            "another owner cannot renew the slot")
        try check(
            try await store.reserveRequest(key: "conn-3", limits: single, owner: "q2", now: now.addingTimeInterval(19), leaseDuration: 10)
                != .busy,
            "the slot comes back when its renewed lease runs out")
        try check(
            !(try await store.renewRequest(key: "conn-3", slot: slot, owner: "q1", now: now.addingTimeInterval(20), leaseDuration: 10)),
            "the old holder learns it lost the slot")
    }

    public static func syncRuns(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var run = SyncRun(tenantID: scope.tenant, connectionID: "conn-1", resource: .contacts, mode: .full, startedAt: t0)
        try await store.startSyncRun(run)
        var stale = SyncRun(tenantID: scope.tenant, connectionID: "conn-2", resource: .member, mode: .incremental, startedAt: t0)
        try await store.startSyncRun(stale)
        run.status = .succeeded
        run.finishedAt = t0.addingTimeInterval(5)
        run.inserted = 3
        run.unchanged = 2
        run.deleted = 1
        run.pages = 2
        try await store.finishSyncRun(run)
        let abandoned = try await store.abandonSyncRuns(startedBefore: t0.addingTimeInterval(1), reason: "process ended")
        try check(abandoned == 1, "only the still-running run is abandoned, got \(abandoned)")
        let runs = try await store.listSyncRuns(tenant: scope.tenant, connectionID: nil, limit: 10)
        try check(runs.count == 2, "two runs")
        let finished = runs.first { $0.id == run.id }
        try check(finished == run, "finished run round trip: \(String(describing: finished))")
        stale.status = .failed
        try check(
            runs.first { $0.id == stale.id }?.status == .failed && runs.first { $0.id == stale.id }?.error == "process ended",
            "abandoned run is failed with its reason")
        try check(
            try await store.listSyncRuns(tenant: scope.tenant, connectionID: "conn-1", limit: 10).map(\.id) == [run.id],
            "filter by connection")
        try check(try await store.listSyncRuns(tenant: "other", connectionID: nil, limit: 10).isEmpty, "per tenant")
        var ghost = run
        ghost.id = "never-started"
        do {
            try await store.finishSyncRun(ghost)
            throw ContractFailure(description: "finishing an unknown run must fail")
        } catch let error as StoreError where error.code == .notFound {}
    }

    public static func expiringCache(_ store: any HubStorage) async throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.storeCachedValue(Data("a".utf8), namespace: "address", key: "k", expiresAt: t0.addingTimeInterval(86_400))
        try check(try await store.cachedValue(namespace: "address", key: "k", now: t0) == Data("a".utf8), "cached")
        try check(try await store.cachedValue(namespace: "other", key: "k", now: t0) == nil, "namespaced")
        try check(try await store.cachedValue(namespace: "address", key: "k", now: t0.addingTimeInterval(86_401)) == nil, "expired")
        try await store.storeCachedValue(Data("b".utf8), namespace: "address", key: "k", expiresAt: t0.addingTimeInterval(10))
        try check(try await store.cachedValue(namespace: "address", key: "k", now: t0) == Data("b".utf8), "replaced")
    }

    public static func pullJobLeases(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func claim(_ owner: String, _ resource: ResourceName = .contacts, at seconds: TimeInterval) async throws -> Bool {
            try await store.claimPullJob(
                tenant: scope.tenant, connectionID: "conn-1", resource: resource, owner: owner,
                now: t0.addingTimeInterval(seconds), leaseDuration: 30)
        }
        try check(try await claim("a", at: 0), "a free pull job is claimed")
        try check(!(try await claim("b", at: 1)), "a held pull job is not claimed by another worker")
        try check(try await claim("b", .member, at: 1), "leases are per resource")
        try check(try await claim("a", at: 2), "the holder may claim again (extending its lease)")
        try check(
            try await store.renewPullJob(
                tenant: scope.tenant, connectionID: "conn-1", resource: .contacts, owner: "a", now: t0.addingTimeInterval(20),
                leaseDuration: 30), "the holder renews")
        try check(!(try await claim("b", at: 40)), "a renewed lease holds past its first expiry")
        try check(
            !(try await store.renewPullJob(
                tenant: scope.tenant, connectionID: "conn-1", resource: .contacts, owner: "b", now: t0.addingTimeInterval(41),
                leaseDuration: 30)), "another worker cannot renew")
        try check(try await claim("b", at: 51), "an expired lease is taken over")
        try check(
            !(try await store.renewPullJob(
                tenant: scope.tenant, connectionID: "conn-1", resource: .contacts, owner: "a", now: t0.addingTimeInterval(52),
                leaseDuration: 30)), "the old holder learns it lost the lease")
        try await store.releasePullJob(tenant: scope.tenant, connectionID: "conn-1", resource: .contacts, owner: "a")
        try check(!(try await claim("c", at: 53)), "releasing someone else's lease does nothing")
        try await store.releasePullJob(tenant: scope.tenant, connectionID: "conn-1", resource: .contacts, owner: "b")
        try check(try await claim("c", at: 54), "a released lease is free at once")
        // Runs whose pull is leased to a live worker are not abandoned; others are.
        let live = SyncRun(
            tenantID: scope.tenant, connectionID: "conn-1", resource: .contacts, mode: .full, startedAt: t0.addingTimeInterval(54))
        let orphan = SyncRun(
            tenantID: scope.tenant, connectionID: "conn-1", resource: .member, mode: .full, startedAt: t0.addingTimeInterval(2))
        try await store.startSyncRun(live)
        try await store.startSyncRun(orphan)
        let abandoned = try await store.abandonSyncRuns(startedBefore: t0.addingTimeInterval(60), reason: "died")
        try check(abandoned == 1, "only the run without a live lease is abandoned, got \(abandoned)")
        let runs = try await store.listSyncRuns(tenant: scope.tenant, connectionID: "conn-1", limit: 10)
        try check(
            runs.first { $0.id == live.id }?.status == .running && runs.first { $0.id == orphan.id }?.status == .failed,
            "the leased run keeps running, the orphan fails")
    }
}
