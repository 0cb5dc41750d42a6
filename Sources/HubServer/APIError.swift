import ConnectorKit
import Foundation
public import HTTPTypes
import HubStore
import Hummingbird
import NIOCore
public import RealtyModel
import SyncEngine

/// An error answered to an API client in the hub's one envelope:
/// `{"error": {"code": "...", "message": "...", "details": [{"field": "...", "message": "..."}]}}`.
///
/// Every failure a handler throws is turned into one of these by ``APIErrorMiddleware``; the
/// mapping from store, connector and model errors lives in ``APIError/init(from:)``.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [FieldError]
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [FieldError] = [], headers: HTTPFields = HTTPFields()) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, "invalid_request", message, details: field.map { [FieldError(field: $0, message: message)] } ?? [])
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    static func unauthorized(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = #"Bearer realm="realtyhub""#
        return APIError(.unauthorized, "unauthorized", message, headers: headers)
    }

    /// Maps any error a handler may throw.
    init(from error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as HubError:
            self.init(hub: error)
        case let error as StoreError:
            switch error.code {
            case .notFound: self.init(.notFound, "not_found", "not found: \(error.message)")
            case .conflict: self.init(.conflict, "conflict", error.message)
            case .invalidQuery: self.init(.badRequest, "invalid_query", error.message)
            case .invalidTransition: self.init(.conflict, "invalid_state", error.message)
            default:
                // schema too new, secret key, storage, and any code added later.
                self.init(.internalServerError, "storage_error", "the hub's store failed; see the server log")
            }
        case let error as ConnectorError:
            self.init(connector: error)
        case let error as SyncEngineError:
            switch error.code {
            case .unknownConnection: self.init(.notFound, "not_found", error.description)
            case .connectionDisabled: self.init(.conflict, "connection_disabled", error.description)
            case .leaseLost: self.init(.conflict, "sync_running", error.description)
            case .stoppedForShutdown: self.init(.serviceUnavailable, "shutting_down", error.description)
            default:
                // not readable, invalid payload, unusable connection, and any code added later.
                self.init(.badRequest, "connection_unusable", error.description)
            }
        case let error as DecodingError:
            self.init(.badRequest, "invalid_json", "the body is not valid: \(Self.describe(error))")
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge:
                self.init(.contentTooLarge, "body_too_large", "the request body is larger than the hub accepts")
            case .notFound:
                self.init(.notFound, "not_found", "no such route")
            default:
                self.init(error.status, "http_error", error.status.reasonPhrase)
            }
        default:
            self.init(.internalServerError, "internal_error", "the hub failed to answer; see the server log")
        }
    }

    private init(hub error: HubError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .invalidRequest, .configuration: status = .badRequest
        case .validationFailed: status = .unprocessableContent
        case .notFound: status = .notFound
        case .conflict, .idempotencyKeyReused: status = .conflict
        case .unauthorized: status = .unauthorized
        case .forbidden: status = .forbidden
        case .vendor: status = .badGateway
        default: status = .internalServerError
        }
        let message = status == .internalServerError ? "the hub failed to answer; see the server log" : error.message
        self.init(status, error.code.rawValue, message, details: error.details)
    }

    /// A vendor's failure is reported as the vendor's, not as the API client's: a refused vendor
    /// login is a 502 (the client's own token is fine), a record the vendor rejects a 422.
    private init(connector error: ConnectorError) {
        switch error.kind {
        case .notFound: self.init(.notFound, "vendor_not_found", error.description)
        case .validation: self.init(.unprocessableContent, "vendor_validation_failed", error.description, details: error.fieldErrors)
        case .conflict: self.init(.conflict, "vendor_conflict", error.description)
        case .configuration: self.init(.badRequest, "connection_unusable", error.description)
        case .rateLimited:
            var headers = HTTPFields()
            if let after = error.retryAfter { headers[.retryAfter] = String(max(1, after.components.seconds)) }
            self.init(.serviceUnavailable, "vendor_rate_limited", error.description, headers: headers)
        case .auth: self.init(.badGateway, "vendor_unauthorized", error.description)
        case .permission: self.init(.badGateway, "vendor_forbidden", error.description)
        default: self.init(.badGateway, "vendor_error", error.description)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "malformed JSON"
        }
    }

    /// The envelope as a response.
    func response() -> Response {
        var details: [JSONValue] = []
        for detail in self.details {
            details.append(.object(["field": .string(detail.field), "message": .string(detail.message)]))
        }
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if !details.isEmpty { error["details"] = .array(details) }
        var response = JSONResponse.make(status, .object(["error": .object(error)]))
        for field in headers { response.headers.append(field) }
        return response
    }
}

extension HTTPField.Name {
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

/// JSON response helpers.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status, bytes: Array(value.jsonText.utf8), headers: headers)
    }

    static func make(_ status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func encode(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return make(status, bytes: Array(try encoder.encode(value)), headers: headers)
    }
}
