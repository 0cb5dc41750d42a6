public import RealtyModel

/// The records of every resource: upserts with their cursor, reads, and the full-pass
/// generations that find deletions by mark-and-sweep.
public protocol RecordStore: Sendable {
    /// Inserts or updates records read through one connection, and in the same transaction
    /// writes the cursor (when given) and appends one `EntityEvent` per real change.
    ///
    /// A record whose content hash is unchanged is not written (its ModificationTimestamp stays,
    /// and no event is appended); during a full pass only its generation stamp is updated.
    /// If anything fails, nothing of the batch (records, events, cursor) is written.
    /// - Returns: counts and the outcome per record, in input order.
    ///
    /// Media (photos) are children synced and swept with their parent: when `media` is given it
    /// is the complete media set of every record in `records` (read from the same payloads),
    /// each `Media` naming its parent by `SourceSystemResourceRecordKey`. In the same
    /// transaction the store sets each media row's `ResourceName` and `ResourceRecordKey` (the
    /// parent's hub key), upserts the media by content hash like any record (events for
    /// `Media`), and marks deleted (with events) the parent's stored media missing from the set.
    /// `nil` leaves stored media untouched. Parents deleted through ``markDeleted(_:sourceKeys:scope:)``
    /// or ``completeFullPass(tenant:connectionID:resource:generation:)`` take their media with them.
    /// - Throws: ``StoreError`` `.invalidQuery` when a media row names no parent of the batch.
    func upsert<R: HubRecord>(_ records: [R], media: [Media]?, scope: SyncScope, cursor: String?) async throws -> UpsertSummary
    /// Marks the named records deleted (a vendor reported them deleted), with one event each,
    /// and their media with them.
    /// - Returns: how many were newly marked.
    func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], scope: SyncScope) async throws -> Int
    /// The record with hub key `key` in `tenant`, deleted or not, or `nil`.
    func record<R: HubRecord>(_ type: R.Type, tenant: String, key: String) async throws -> R?
    /// A page of records. Field names in the query are validated against the resource.
    /// - Throws: ``StoreError`` `.invalidQuery` naming the offending parameter.
    func list<R: HubRecord>(_ type: R.Type, tenant: String, query: ListQuery) async throws -> RecordPage<R>
    /// How many live (not deleted) records of each resource each connection of `tenant`
    /// brought, connections since removed included; pairs without live records are left out.
    /// One read, whatever the number of records (the dashboard's overview).
    func liveRecordCounts(tenant: String) async throws -> [LiveRecordCount]

    /// Starts a full pass and returns its generation; upserts carrying it stamp what they see.
    func beginFullPass(tenant: String, connectionID: String, resource: ResourceName) async throws -> Int64
    /// Completes the full pass `generation`: records of the connection and resource not seen in
    /// it are marked deleted (with events), and their media with them, in one transaction.
    /// - Returns: how many were marked deleted.
    /// - Throws: ``StoreError`` `.conflict` when `generation` is not the pass in progress (a
    ///   newer pass started, or it already completed), so a partial pass never deletes.
    func completeFullPass(tenant: String, connectionID: String, resource: ResourceName, generation: Int64) async throws -> Int
}

/// The number of live records of one resource held through one connection.
public struct LiveRecordCount: Sendable, Hashable {
    public var connectionID: String
    public var resource: ResourceName
    public var live: Int

    public init(connectionID: String, resource: ResourceName, live: Int) {
        self.connectionID = connectionID
        self.resource = resource
        self.live = live
    }
}

extension RecordStore {
    /// Upserts records whose reads carry no media (stored media are left as they are).
    public func upsert<R: HubRecord>(_ records: [R], scope: SyncScope, cursor: String?) async throws -> UpsertSummary {
        try await upsert(records, media: nil, scope: scope, cursor: cursor)
    }
}
