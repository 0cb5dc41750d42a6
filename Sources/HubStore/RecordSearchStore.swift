public import RealtyModel

/// Finding records for people (the dashboard's records page): searches served by indexes, and a
/// record's change list.
public protocol RecordSearchStore: Sendable {
    /// The records of `tenant` that `query` finds, newest `ModificationTimestamp` first (ties:
    /// the hub key, descending), with the total found over all pages (``RecordPage/total``).
    ///
    /// Every kind is served by an index on both stores (see ``RecordSearchFields``); records
    /// marked deleted are left out unless the query includes them.
    /// - Throws: ``StoreError`` `.invalidQuery` for what ``RecordSearchPlan/init(_:)`` refuses.
    func search<R: HubRecord>(_ type: R.Type, tenant: String, query: RecordSearchQuery) async throws -> RecordPage<R>

    /// The change feed's events of one record (created, updated, deleted, each with its
    /// connection and time), newest first, at most `limit` (1...``ListQuery/maximumPerPage``).
    /// The hub's own events are never among them.
    /// - Throws: ``StoreError`` `.invalidQuery` for a limit out of range.
    func recordEvents(tenant: String, resource: ResourceName, key: String, limit: Int) async throws -> [EntityEvent]
}

extension RecordSearchStore {
    /// Checks a change list's `limit`.
    /// - Throws: ``StoreError`` `.invalidQuery` when it is not in 1...``ListQuery/maximumPerPage``.
    public static func checkEventLimit(_ limit: Int) throws {
        guard (1...ListQuery.maximumPerPage).contains(limit) else {
            throw StoreError.invalidQuery("limit must be between 1 and \(ListQuery.maximumPerPage), got \(limit)")
        }
    }
}
