import ConnectorKit
import Foundation
import RealtyModel

extension MyCRMConnector {
    /// Checks broadband service availability at an address:
    /// `GET /fcc?address=URLENCODED(address city, state)` on the address service.
    ///
    /// The seed shows no authentication for this service, so none is sent. The answer's own
    /// `status_code`, when 400 or more, fails the call like an HTTP status would.
    ///
    /// - Parameters:
    ///   - street: the street address (`100 Ocean Dr`).
    ///   - city: the city.
    ///   - state: the state (`FL`).
    /// - Returns: the locations found and the services at each.
    /// - Throws: ``ConnectorError``.
    public func checkAddress(street: String, city: String, state: String) async throws -> AddressAvailability {
        try await checkAddress(AddressAvailability.queryValue(street: street, city: city, state: state))
    }

    /// Checks broadband service availability for an address already written as
    /// `address city, state`.
    ///
    /// - Parameter address: the whole address.
    /// - Throws: ``ConnectorError`` (`.validation` for an empty address).
    public func checkAddress(_ address: String) async throws -> AddressAvailability {
        let value = address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else {
            throw ConnectorError(
                .validation, vendor: .mycrm, message: "an address is required",
                fieldErrors: [FieldError(field: "address", message: "is required")], connectionID: client.connectionID)
        }
        let url = try addressClient.url("fcc", query: [URLQueryItem(name: "address", value: value)])
        let request = TransportRequest(
            method: .get, url: url, headers: ["Accept": "application/json"], operationName: "GET fcc")
        let response = try await addressClient.send(request, authenticated: false)
        guard let json = Self.lenientJSON(response.body) else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm,
                message: "the address service answered something other than JSON: "
                    + response.bodyExcerpt(limit: 120, redactor: addressClient.redactor),
                httpStatus: response.status, connectionID: client.connectionID, operation: "GET fcc")
        }
        guard let availability = AddressAvailability(json: json) else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "the address service answer has no readable data list",
                httpStatus: response.status, connectionID: client.connectionID, operation: "GET fcc")
        }
        if let status = availability.statusCode, status >= 400 {
            let kind = HTTPErrorClassifier.kind(forStatus: status) ?? .rejected
            let detail = availability.message ?? availability.status ?? HTTPErrorClassifier.message(forStatus: status)
            throw ConnectorError(
                kind, vendor: .mycrm, message: "the address service refused the check: \(detail)", httpStatus: response.status,
                vendorCode: String(status), connectionID: client.connectionID, operation: "GET fcc")
        }
        return availability
    }

    /// Parses JSON, accepting the trailing commas the vendor's own sample shows (`},\n]`) by
    /// retrying as JSON5 when strict JSON fails.
    ///
    /// - Returns: nil when the bytes are not JSON either way.
    static func lenientJSON(_ data: Data) -> JSONValue? {
        if let value = try? JSONValue(parsing: data) { return value }
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        return try? decoder.decode(JSONValue.self, from: data)
    }
}
