import Foundation
import HTTPTypes
import Hummingbird
import RealtyModel

/// Reading requests: JSON bodies, query parameters, path parameters.
enum RequestSupport {
    /// The body as JSON of `type`.
    /// - Throws: 415 when it is not sent as JSON, 413 above the size limit, 400 naming the
    ///   offending member when it does not decode.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: HubRequestContext) async throws -> T {
        try decode(T.self, from: try await body(request, context: context))
    }

    /// `data` as JSON of `type`, with the same errors.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw APIError(.badRequest, .invalidJSON, "the body is not valid JSON")
            }
            throw APIError(.badRequest, .invalidJSON, "the body is not valid: \(APIError.describe(error))")
        }
    }

    /// The raw JSON body (content type and size checked).
    static func body(_ request: Request, context: HubRequestContext) async throws -> Data {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/json") else {
            throw APIError(
                .unsupportedMediaType, .unsupportedMediaType,
                type.isEmpty ? "send the body with Content-Type: application/json" : "send the body as application/json, not \(type)")
        }
        var buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// The single value of a query parameter, or nil.
    /// - Throws: 400 when it is given more than once.
    static func query(_ request: Request, _ name: String) throws -> String? {
        let values = request.uri.queryParameters.getAll(name)
        guard values.count <= 1 else { throw APIError.badRequest("the query parameter \(name) is given more than once", field: name) }
        return values.first.map { String($0) }
    }

    static func intQuery(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = try query(request, name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return number
    }

    /// A boolean parameter: `true` or `false` (as the document's boolean schema sends them;
    /// `1` and `0` are read too).
    static func boolQuery(_ request: Request, _ name: String) throws -> Bool? {
        guard let text = try query(request, name) else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("\(name) must be true or false", field: name)
        }
    }

    static func parameter(_ context: HubRequestContext, _ name: String) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else {
            throw APIError.badRequest("the path needs \(name)", field: name)
        }
        return value.removingPercentEncoding ?? value
    }

    static func principal(_ context: HubRequestContext) throws -> Principal {
        guard let principal = context.principal else { throw APIError.unauthorized("this route needs a bearer token") }
        return principal
    }
}

/// A sorted-keys JSON encoder, created once per response.
func apiEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
}

/// Encodes an `Encodable` held as an existential.
struct AnyEncodable: Encodable {
    let value: any Encodable
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
