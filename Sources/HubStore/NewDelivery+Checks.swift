extension NewDelivery {
    /// Checks the deliveries of one request before
    /// ``OutboxStore/enqueue(_:idempotencyKey:tenant:fingerprint:now:)`` commits them: each must
    /// carry `tenant` and the request's idempotency key.
    /// - Throws: ``StoreError`` `.invalidQuery` naming the first delivery that does not.
    public static func checkRequest(_ deliveries: [NewDelivery], idempotencyKey key: String, tenant: String) throws {
        for new in deliveries where new.tenantID != tenant || new.idempotencyKey != key {
            throw StoreError.invalidQuery("delivery \(new.id) must carry tenant \(tenant) and the request's idempotency key")
        }
    }

    /// Checks that every delivery allows at least one attempt.
    /// - Throws: ``StoreError`` `.invalidQuery` naming the first delivery that does not.
    public static func checkAttempts(_ deliveries: [NewDelivery]) throws {
        for new in deliveries where new.maxAttempts < 1 {
            throw StoreError.invalidQuery("maxAttempts must be at least 1 (delivery \(new.id))")
        }
    }
}
