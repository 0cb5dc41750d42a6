public import ConnectorKit
public import RealtyModel

extension MyCRMConnector: AddressCheckingConnector {
    /// The address service's answer as it came (its own JSON shape).
    public func checkAddressAvailability(_ address: String) async throws -> JSONValue {
        try await checkAddress(address).raw
    }
}
