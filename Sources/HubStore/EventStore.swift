public import RealtyModel

/// The change feed: one `EntityEvent` per real change, appended in the transaction of the
/// change, with a monotonic sequence per store.
public protocol EventStore: Sendable {
    /// Events of `tenant` with a sequence greater than `after`, in order.
    func events(tenant: String, after: Int64, limit: Int) async throws -> [EntityEvent]
}
