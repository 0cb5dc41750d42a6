public import RealtyModel

/// The change feed: one `EntityEvent` per real change, appended in the transaction of the
/// change, with a monotonic sequence per store.
public protocol EventStore: Sendable {
    /// Record events of `tenant` with a sequence greater than `after`, in order. The hub's own
    /// events (``HubEvent``) share the sequence but are left out (filtered before `limit`), so
    /// consecutive events may skip sequence numbers.
    func events(tenant: String, after: Int64, limit: Int) async throws -> [EntityEvent]
}
