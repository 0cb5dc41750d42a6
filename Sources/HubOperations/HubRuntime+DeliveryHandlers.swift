public import ConnectorKit
import Foundation
public import HubStore
public import SyncEngine

extension HubRuntime {
    /// The delivery handlers of the hub: leads and record writes (the engine's standard
    /// handlers), unit updates and development publications.
    ///
    /// - Parameters:
    ///   - settleTimeout: how long a publish delivery polls the publication state before trying
    ///     again later.
    ///   - pollInterval: the wait between publication-state polls.
    public static func deliveryHandlers(
        settleTimeout: Duration = .seconds(30), pollInterval: Duration = .seconds(1)
    ) -> [DeliveryKind: DeliveryHandler] {
        var handlers = DeliveryWorker.standardHandlers
        handlers[.unitUpdate] = { context in
            let inventory = try inventoryConnector(context)
            let update = try payload(UnitUpdate.self, of: context, what: "a unit update")
            // Setting a unit's state is idempotent, so a retry after a lost answer is harmless.
            try await inventory.updateUnit(update)
            return DeliveryOutcome(remoteID: "\(update.development)/\(update.unit)")
        }
        handlers[.developmentPublish] = { context in
            let inventory = try inventoryConnector(context)
            let request = try payload(PublishRequest.self, of: context, what: "a publish request")
            // Publishing again while a publication runs does not restart it, so a retry is safe.
            try await inventory.publishDevelopment(request.development)
            let deadline = ContinuousClock.now.advanced(by: settleTimeout)
            while true {
                let state = try await inventory.publicationState(of: request.development)
                if state.isFailed {
                    throw ConnectorError(
                        .rejected, vendor: inventory.vendor, message: "the vendor reports the publication of \(request.development) failed")
                }
                if !state.isInProgress { return DeliveryOutcome(remoteID: "\(request.development):\(state.name)") }
                guard ContinuousClock.now < deadline else {
                    throw ConnectorError(
                        .retryable, vendor: inventory.vendor, message: "the publication of \(request.development) is still \(state.name)")
                }
                try await Task.sleep(for: pollInterval)
            }
        }
        return handlers
    }

    private static func payload<T: Decodable>(_ type: T.Type, of context: DeliveryContext, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: context.delivery.payload)
        } catch {
            throw SyncEngineError.invalidPayload("not \(what): \(error)")
        }
    }

    private static func inventoryConnector(_ context: DeliveryContext) throws -> any UnitInventoryConnector {
        guard let inventory = context.connector as? any UnitInventoryConnector else {
            throw SyncEngineError.invalidPayload("connection \(context.connection.name) keeps no unit inventory")
        }
        return inventory
    }
}
