public import ConnectorKit

extension ResalesOnlineConnector: UnitInventoryConnector {
    /// PropQ's unit status names: `AVAILABLE`, `HOLD`, `SOLD`, `RESERVED`.
    public var unitStatusNames: [String] { UnitStatus.allCases.map(\.name) }

    public func updateUnit(_ change: UnitStateChange) async throws {
        guard let status = UnitStatus.allCases.first(where: { $0.name == change.status }) else {
            throw ConnectorError(
                .validation, vendor: .propq,
                message: "unknown unit status \(change.status); PropQ knows \(unitStatusNames.joined(separator: ", "))",
                connectionID: client.connectionID, operation: "POST update-by-name")
        }
        try await updateUnit(
            development: change.development, unitName: change.unit,
            changes: UnitChanges(status: status, price: change.price, directions: change.directions))
    }

    public func publishDevelopment(_ development: String) async throws {
        try await publish(development: development)
    }

    public func publicationState(of development: String) async throws -> PublicationState {
        let status = try await publishStatus(development: development)
        return PublicationState(name: status.rawValue, isInProgress: status.isInProgress, isFailed: status == .failed)
    }
}
