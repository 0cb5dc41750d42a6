extension DeliveryTransition {
    /// The state a delivery leased to `owner` moves to on `transition` (complete or fail), as
    /// both stores check it before writing the outcome.
    /// - Throws: ``StoreError`` `.invalidTransition` when `delivery` is not in flight for `owner`
    ///   (finished, or its lease expired and another worker took it) or `transition` does not
    ///   apply to it.
    public static func next(forInFlight delivery: Delivery, owner: String, on transition: DeliveryTransition) throws -> DeliveryState {
        guard delivery.leaseOwner == owner, delivery.state == .inFlight,
            let next = next(from: delivery.state, on: transition)
        else {
            throw StoreError.invalidTransition(
                "delivery \(delivery.id) is \(delivery.state.rawValue) (lease: \(delivery.leaseOwner ?? "none")), cannot \(transition.rawValue) for \(owner)"
            )
        }
        return next
    }
}

extension DeliveryTransition {
    /// The state a user's retry moves `delivery` to (pending), as both stores check it.
    /// - Throws: ``StoreError`` `.invalidTransition` when `delivery` is neither dead nor in
    ///   conflict.
    public static func next(forRetry delivery: Delivery) throws -> DeliveryState {
        guard let next = next(from: delivery.state, on: .retry) else {
            throw StoreError.invalidTransition(
                "delivery \(delivery.id) is \(delivery.state.rawValue); only dead or conflicting deliveries can be retried")
        }
        return next
    }
}
