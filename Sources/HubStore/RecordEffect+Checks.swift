extension RecordEffect {
    /// The sync scope the effect writes under.
    public var scope: SyncScope {
        switch self {
        case .upsert(_, let scope), .delete(_, _, let scope): return scope
        }
    }

    /// Checks that the effect writes into `delivery`'s tenant and connection, as both stores do
    /// before applying it in ``OutboxStore/completeDelivery(id:owner:remoteID:effect:now:)``:
    /// a delivery's outcome never changes another connection's records.
    /// - Throws: ``StoreError`` `.invalidQuery` naming the delivery when it does not.
    public func check(for delivery: Delivery) throws {
        let scope = self.scope
        guard scope.tenant == delivery.tenantID, scope.connectionID == delivery.connectionID else {
            throw StoreError.invalidQuery(
                "the record effect of delivery \(delivery.id) must write to its own tenant and connection (\(delivery.connectionID))")
        }
    }
}
