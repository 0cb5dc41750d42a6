public import ConnectorKit
public import Foundation
public import HubStore
public import RealtyModel
public import SyncEngine

/// A development unit change, as accepted for delivery (the delivery's payload is its JSON).
public typealias UnitUpdate = UnitStateChange

extension UnitStateChange {
    /// Field-level problems, empty when the change can be sent.
    /// - Parameter statuses: the status names the target vendor accepts.
    public func validate(statuses: [String]) -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(development) { errors.append(FieldError(field: "development", message: "is required")) }
        if !FieldRules.isPresent(unit) { errors.append(FieldError(field: "unit", message: "is required")) }
        // Exactly the vendor's names, as the API document's enum lists them.
        if !statuses.contains(status) {
            errors.append(FieldError(field: "status", message: "must be one of \(statuses.joined(separator: ", "))"))
        }
        if !price.isFinite || price < 0 { errors.append(FieldError(field: "price", message: "must be zero or more")) }
        return errors
    }
}

/// A development to publish on PropQ.
struct PublishRequest: Codable, Sendable {
    var development: String
}

extension HubRuntime {
    /// Commits a unit update to the outbox for a connection that keeps unit inventory (PropQ).
    /// - Throws: ``HubError`` `.invalidRequest` for another vendor's connection,
    ///   `.validationFailed` with the field errors.
    public func enqueueUnitUpdate(_ update: UnitUpdate, tenant: String, connection: Connection) async throws -> Delivery {
        let inventory: any UnitInventoryConnector = try await service(
            of: connection, tenant: tenant, otherwise: "unit updates go to propq connections")
        let errors = update.validate(statuses: inventory.unitStatusNames)
        guard errors.isEmpty else { throw HubError(.validationFailed, "the unit update is not valid", details: errors) }
        return try await enqueueOne(.unitUpdate, payload: try JSONEncoder().encode(update), tenant: tenant, connection: connection)
    }

    /// Commits a publish of `development` to the outbox for a connection that keeps unit
    /// inventory (PropQ); its delivery completes once the vendor reports the publication settled.
    public func enqueuePublish(development: String, tenant: String, connection: Connection) async throws -> Delivery {
        guard FieldRules.isPresent(development) else {
            throw HubError(
                .validationFailed, "the development is required", details: [FieldError(field: "development", message: "is required")])
        }
        let _: any UnitInventoryConnector = try await service(
            of: connection, tenant: tenant, otherwise: "publishing goes to propq connections")
        let payload = try JSONEncoder().encode(PublishRequest(development: development))
        return try await enqueueOne(.developmentPublish, payload: payload, tenant: tenant, connection: connection)
    }

    /// The vendor's publication state of `development`, asked now.
    public func publishStatus(development: String, tenant: String, connection: Connection) async throws -> String {
        let inventory: any UnitInventoryConnector = try await service(
            of: connection, tenant: tenant, otherwise: "publish status is a propq service")
        return try await inventory.publicationState(of: development).name
    }

    /// The address availability check (MyCRM), answered from a one-day cache when possible.
    ///
    /// - Returns: the service's answer (its own JSON shape) and whether it came from the cache.
    public func checkAddress(_ address: String, tenant: String, connection: Connection) async throws -> (answer: JSONValue, cached: Bool) {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in Unicode scalars, as JSON Schema's maxLength counts (the API document says 500).
        guard FieldRules.isPresent(address), address.unicodeScalars.count <= 500 else {
            throw HubError(
                .validationFailed, "the address is required (at most 500 characters)",
                details: [FieldError(field: "address", message: "is required")])
        }
        let checker: any AddressCheckingConnector = try await service(
            of: connection, tenant: tenant, otherwise: "the address check is a mycrm service")
        let key = connection.id + "|" + trimmed.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let now = Date()
        if let cached = try await store.cachedValue(namespace: "mycrm-address", key: key, now: now),
            let answer = try? JSONValue(parsing: cached)
        {
            return (answer, true)
        }
        let answer = try await checker.checkAddressAvailability(trimmed)
        try await store.storeCachedValue(
            Data(answer.jsonText.utf8), namespace: "mycrm-address", key: key, expiresAt: now.addingTimeInterval(86_400))
        return (answer, false)
    }

    /// The connection's connector as the vendor service `Service`.
    /// - Throws: ``HubError`` `.invalidRequest` ending in `otherwise` when the connection's
    ///   vendor does not offer it.
    func service<Service>(of connection: Connection, tenant: String, otherwise: String) async throws -> Service {
        let credentials = try await store.credentials(connectionID: connection.id, tenant: tenant)
        guard let service = try connectors.connector(for: connection, credentials: credentials) as? Service else {
            throw HubError(.invalidRequest, "connection \(connection.name) is \(connection.vendor); \(otherwise)")
        }
        return service
    }

    func enqueueOne(_ kind: DeliveryKind, payload: Data, tenant: String, connection: Connection) async throws -> Delivery {
        let deliveries = try await store.enqueue(
            [NewDelivery(tenantID: tenant, connectionID: connection.id, kind: kind, payload: payload)], now: Date())
        guard let delivery = deliveries.first else { throw HubError(.internalError, "the outbox returned no delivery") }
        return delivery
    }
}
