import ConnectorKit
public import Foundation
public import HubStore
import HubStoreSQLite
import MyCRMConnector
public import RealtyModel
import ResalesOnlineConnector
public import SyncEngine

/// A development unit change, as accepted for delivery to PropQ.
public struct UnitUpdate: Codable, Sendable, Hashable {
    public var development: String
    public var unit: String
    /// `AVAILABLE`, `HOLD`, `SOLD` or `RESERVED`.
    public var status: String
    public var price: Double
    public var directions: [String]

    public init(development: String, unit: String, status: String, price: Double, directions: [String]) {
        self.development = development
        self.unit = unit
        self.status = status
        self.price = price
        self.directions = directions
    }

    /// Field-level problems, empty when the change can be sent.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(development) { errors.append(FieldError(field: "development", message: "is required")) }
        if !FieldRules.isPresent(unit) { errors.append(FieldError(field: "unit", message: "is required")) }
        if Self.status(named: status) == nil {
            errors.append(FieldError(field: "status", message: "must be one of \(UnitStatus.allCases.map(\.name).joined(separator: ", "))"))
        }
        if !price.isFinite || price < 0 { errors.append(FieldError(field: "price", message: "must be zero or more")) }
        return errors
    }

    static func status(named name: String) -> UnitStatus? {
        // Exactly the vendor's names, as the API document's enum lists them.
        UnitStatus.allCases.first { $0.name == name }
    }
}

/// A development to publish on PropQ.
struct PublishRequest: Codable, Sendable {
    var development: String
}

extension HubRuntime {
    /// Commits a unit update to the outbox for a PropQ connection.
    public func enqueueUnitUpdate(_ update: UnitUpdate, tenant: String, connection: Connection) async throws -> Delivery {
        let errors = update.validate()
        guard errors.isEmpty else { throw HubError(.validationFailed, "the unit update is not valid", details: errors) }
        guard connection.vendor == VendorID.propq.rawValue else {
            throw HubError(.invalidRequest, "connection \(connection.name) is \(connection.vendor); unit updates go to propq connections")
        }
        let payload = try JSONEncoder().encode(update)
        let deliveries = try await store.enqueue(
            [NewDelivery(tenantID: tenant, connectionID: connection.id, kind: .unitUpdate, payload: payload)], now: Date())
        guard let delivery = deliveries.first else { throw HubError(.internalError, "the outbox returned no delivery") }
        return delivery
    }

    /// Commits a publish of `development` to the outbox for a PropQ connection; its delivery
    /// completes once PropQ reports the publication settled.
    public func enqueuePublish(development: String, tenant: String, connection: Connection) async throws -> Delivery {
        guard FieldRules.isPresent(development) else {
            throw HubError(.validationFailed, "the development is required", details: [FieldError(field: "development", message: "is required")])
        }
        guard connection.vendor == VendorID.propq.rawValue else {
            throw HubError(.invalidRequest, "connection \(connection.name) is \(connection.vendor); publishing goes to propq connections")
        }
        let payload = try JSONEncoder().encode(PublishRequest(development: development))
        let deliveries = try await store.enqueue(
            [NewDelivery(tenantID: tenant, connectionID: connection.id, kind: .developmentPublish, payload: payload)], now: Date())
        guard let delivery = deliveries.first else { throw HubError(.internalError, "the outbox returned no delivery") }
        return delivery
    }

    /// The delivery handlers of the hub: leads, PropQ unit updates and publications.
    ///
    /// - Parameters:
    ///   - settleTimeout: how long a publish delivery polls publish-status before trying again later.
    ///   - pollInterval: the wait between publish-status polls.
    public static func deliveryHandlers(settleTimeout: Duration = .seconds(30), pollInterval: Duration = .seconds(1)) -> [DeliveryKind: DeliveryHandler] {
        var handlers = DeliveryWorker.standardHandlers
        handlers[.unitUpdate] = { context in
            guard let propq = context.connector as? ResalesOnlineConnector else {
                throw SyncEngineError.invalidPayload("connection \(context.connection.name) is not a PropQ connection")
            }
            let update: UnitUpdate
            do {
                update = try JSONDecoder().decode(UnitUpdate.self, from: context.delivery.payload)
            } catch {
                throw SyncEngineError.invalidPayload("not a unit update: \(error)")
            }
            guard let status = UnitUpdate.status(named: update.status) else {
                throw SyncEngineError.invalidPayload("unknown unit status \(update.status)")
            }
            // Setting a unit's state is idempotent, so a retry after a lost answer is harmless.
            _ = try await propq.updateUnit(
                development: update.development, unitName: update.unit,
                changes: UnitChanges(status: status, price: update.price, directions: update.directions))
            return "\(update.development)/\(update.unit)"
        }
        handlers[.developmentPublish] = { context in
            guard let propq = context.connector as? ResalesOnlineConnector else {
                throw SyncEngineError.invalidPayload("connection \(context.connection.name) is not a PropQ connection")
            }
            let request: PublishRequest
            do {
                request = try JSONDecoder().decode(PublishRequest.self, from: context.delivery.payload)
            } catch {
                throw SyncEngineError.invalidPayload("not a publish request: \(error)")
            }
            // Publishing again while a publication runs does not restart it, so a retry is safe.
            _ = try await propq.publish(development: request.development)
            let deadline = ContinuousClock.now.advanced(by: settleTimeout)
            while true {
                let status = try await propq.publishStatus(development: request.development)
                if status == .failed {
                    throw ConnectorError(.rejected, vendor: .propq, message: "PropQ reports the publication of \(request.development) failed")
                }
                if !status.isInProgress { return "\(request.development):\(status.rawValue)" }
                guard ContinuousClock.now < deadline else {
                    throw ConnectorError(.retryable, vendor: .propq, message: "the publication of \(request.development) is still \(status.rawValue)")
                }
                try await Task.sleep(for: pollInterval)
            }
        }
        return handlers
    }

    /// PropQ's publication status of `development`, asked now.
    public func publishStatus(development: String, tenant: String, connection: Connection) async throws -> String {
        guard connection.vendor == VendorID.propq.rawValue else {
            throw HubError(.invalidRequest, "connection \(connection.name) is \(connection.vendor); publish status is a propq service")
        }
        let credentials = try await store.credentials(connectionID: connection.id, tenant: tenant)
        guard let propq = try connectors.connector(for: connection, credentials: credentials) as? ResalesOnlineConnector else {
            throw HubError(.invalidRequest, "connection \(connection.name) is not a PropQ connection")
        }
        return try await propq.publishStatus(development: development).rawValue
    }

    /// The MyCRM address availability check, answered from a one-day cache when possible.
    ///
    /// - Returns: the service's answer (its own JSON shape) and whether it came from the cache.
    public func checkAddress(_ address: String, tenant: String, connection: Connection) async throws -> (answer: JSONValue, cached: Bool) {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in Unicode scalars, as JSON Schema's maxLength counts (the API document says 500).
        guard FieldRules.isPresent(address), address.unicodeScalars.count <= 500 else {
            throw HubError(.validationFailed, "the address is required (at most 500 characters)", details: [FieldError(field: "address", message: "is required")])
        }
        guard connection.vendor == VendorID.mycrm.rawValue else {
            throw HubError(.invalidRequest, "connection \(connection.name) is \(connection.vendor); the address check is a mycrm service")
        }
        let key = connection.id + "|" + trimmed.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let now = Date()
        if let cached = try await store.cachedValue(namespace: "mycrm-address", key: key, now: now),
           let answer = try? JSONValue(parsing: cached)
        {
            return (answer, true)
        }
        let credentials = try await store.credentials(connectionID: connection.id, tenant: tenant)
        guard let mycrm = try connectors.connector(for: connection, credentials: credentials) as? MyCRMConnector else {
            throw HubError(.invalidRequest, "connection \(connection.name) is not a MyCRM connection")
        }
        let availability = try await mycrm.checkAddress(trimmed)
        try await store.storeCachedValue(
            Data(availability.raw.jsonText.utf8), namespace: "mycrm-address", key: key, expiresAt: now.addingTimeInterval(86_400))
        return (availability.raw, false)
    }
}
