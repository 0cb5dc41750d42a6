public import Foundation
public import RealtyModel

extension VendorHTTPClient {
    /// The URL of an endpoint under the connection's base URL.
    ///
    /// - Parameters:
    ///   - path: the endpoint path (`/users`, `api/v2/offices`).
    ///   - query: query items, percent-encoded in order.
    ///   - base: another base (the auth host); default the connection's base URL.
    /// - Throws: ``ConnectorError`` `.configuration` when the URL cannot be built.
    public func url(_ path: String, query: [URLQueryItem] = [], base: URL? = nil) throws -> URL {
        let base = base ?? configuration.baseURL
        guard let url = base.appending(endpoint: path, query: query) else {
            throw ConnectorError(
                .configuration, vendor: vendor, message: "cannot build a URL for \(path) under \(redactor.redact(url: base))",
                connectionID: connectionID)
        }
        return url
    }

    /// A request with a JSON body (`Content-Type` and `Accept: application/json`).
    ///
    /// - Parameters:
    ///   - method: the method.
    ///   - url: the URL.
    ///   - body: the value to encode, or nil for no body.
    ///   - encoder: the encoder (default: plain `JSONEncoder`).
    ///   - isIdempotent: override of the method's idempotency.
    ///   - operationName: a low-cardinality name for logs and metrics.
    /// - Throws: ``ConnectorError`` `.configuration` when the body cannot be encoded.
    public func jsonRequest(
        _ method: HTTPMethod, _ url: URL, body: (any Encodable)? = nil, encoder: JSONEncoder = JSONEncoder(),
        isIdempotent: Bool? = nil, operationName: String? = nil
    ) throws -> TransportRequest {
        var headers: TransportHeaders = ["Accept": "application/json"]
        var data: Data?
        if let body {
            do {
                data = try encoder.encode(body)
            } catch {
                throw ConnectorError(
                    .configuration, vendor: vendor, message: "cannot encode the request body: \(DecodingErrorDescription.describe(error))",
                    connectionID: connectionID, underlying: error)
            }
            headers["Content-Type"] = "application/json"
        }
        return TransportRequest(
            method: method, url: url, headers: headers, body: data, isIdempotent: isIdempotent, operationName: operationName)
    }

    /// Decodes a JSON answer; a decoding failure becomes `.invalidResponse` naming the JSON path.
    ///
    /// - Parameters:
    ///   - type: the type to decode.
    ///   - response: the answer.
    ///   - what: what is being read, for the message (default: "the answer").
    ///   - decoder: the decoder (default: plain `JSONDecoder`).
    /// - Throws: ``ConnectorError`` `.invalidResponse`.
    public func decode<T: Decodable>(
        _ type: T.Type, from response: TransportResponse, what: String = "the answer", decoder: JSONDecoder = JSONDecoder()
    ) throws -> T {
        try decode(type, from: response.body, what: what, httpStatus: response.status, decoder: decoder)
    }

    /// Decodes JSON bytes; a decoding failure becomes `.invalidResponse` naming the JSON path.
    ///
    /// - Parameters:
    ///   - type: the type to decode.
    ///   - data: the bytes.
    ///   - what: what is being read, for the message.
    ///   - httpStatus: the status of the answer the bytes came from.
    ///   - decoder: the decoder.
    /// - Throws: ``ConnectorError`` `.invalidResponse`.
    public func decode<T: Decodable>(
        _ type: T.Type, from data: Data, what: String, httpStatus: Int? = nil, decoder: JSONDecoder = JSONDecoder()
    ) throws -> T {
        do {
            // A generic JSON answer is parsed by the hub's own reader, which keeps every number
            // exactly as the vendor wrote it (JSONDecoder would round beyond 38 digits or 2^53).
            if T.self == JSONValue.self, let value = try JSONValue(parsing: data) as? T { return value }
            return try decoder.decode(type, from: data)
        } catch {
            var failure = ConnectorError.invalidResponse(decoding: error, vendor: vendor, what: what, httpStatus: httpStatus)
            failure.connectionID = connectionID
            failure.message = redactor.redact(failure.message)
            throw failure
        }
    }

    /// Parses a JSON list answer, keeping the vendor's own text of each element of the array under
    /// `member` (see ``RealtyModel/JSONValue/parsingList(_:member:)``), so records whose `raw` is
    /// an element can carry its text; a parse failure becomes `.invalidResponse` as in
    /// ``decode(_:from:what:decoder:)``.
    ///
    /// - Parameters:
    ///   - response: the answer.
    ///   - member: the root object's member holding the list.
    ///   - what: what is being read, for the message.
    /// - Returns: the parsed answer and the element texts (empty when `member` is not an array).
    /// - Throws: ``ConnectorError`` `.invalidResponse`.
    public func decodeList(_ response: TransportResponse, member: String, what: String) throws -> (
        value: JSONValue, elementTexts: [String]
    ) {
        do {
            return try JSONValue.parsingList(response.body, member: member)
        } catch {
            var failure = ConnectorError.invalidResponse(decoding: error, vendor: vendor, what: what, httpStatus: response.status)
            failure.connectionID = connectionID
            failure.message = redactor.redact(failure.message)
            throw failure
        }
    }

    /// Sends a request and decodes its JSON answer.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - type: the answer type.
    ///   - authenticated: whether to add credentials.
    ///   - decoder: the decoder.
    /// - Returns: the decoded answer and the raw response (for headers such as `Location`).
    /// - Throws: ``ConnectorError``.
    public func sendJSON<T: Decodable>(
        _ request: TransportRequest, as type: T.Type, authenticated: Bool = true, decoder: JSONDecoder = JSONDecoder()
    ) async throws -> (value: T, response: TransportResponse) {
        let response = try await send(request, authenticated: authenticated)
        let value = try decode(type, from: response, what: "the answer to \(request.operationName)", decoder: decoder)
        return (value, response)
    }
}
