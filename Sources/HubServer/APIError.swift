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
    public var code: Code
    public var message: String
    public var details: [FieldError]
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ code: Code, _ message: String, details: [FieldError] = [], headers: HTTPFields = HTTPFields()
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, .invalidRequest, message, details: field.map { [FieldError(field: $0, message: message)] } ?? [])
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, .notFound, message) }

    static func unauthorized(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = #"Bearer realm="realtyhub""#
        return APIError(.unauthorized, .unauthorized, message, headers: headers)
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
            case .notFound: self.init(.notFound, .notFound, "not found: \(error.message)")
            case .conflict: self.init(.conflict, .conflict, error.message)
            case .invalidQuery: self.init(.badRequest, .invalidQuery, error.message)
            case .invalidTransition: self.init(.conflict, .invalidState, error.message)
            default:
                // schema too new, secret key, storage, and any code added later.
                self.init(.internalServerError, .storage, "the hub's store failed; see the server log")
            }
        case let error as ConnectorError:
            self.init(connector: error)
        case let error as SyncEngineError:
            switch error.code {
            case .unknownConnection: self.init(.notFound, .notFound, error.description)
            case .connectionDisabled: self.init(.conflict, .connectionDisabled, error.description)
            case .leaseLost: self.init(.conflict, .syncRunning, error.description)
            case .stoppedForShutdown: self.init(.serviceUnavailable, .shuttingDown, error.description)
            default:
                // not readable, invalid payload, unusable connection, and any code added later.
                self.init(.badRequest, .connectionUnusable, error.description)
            }
        case let error as DecodingError:
            self.init(.badRequest, .invalidJSON, "the body is not valid: \(Self.describe(error))")
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge:
                self.init(.contentTooLarge, .bodyTooLarge, "the request body is larger than the hub accepts")
            case .notFound:
                self.init(.notFound, .notFound, "no such route")
            default:
                self.init(error.status, .httpError, error.status.reasonPhrase)
            }
        default:
            self.init(.internalServerError, .internalError, "the hub failed to answer; see the server log")
        }
    }

    private init(hub error: HubError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .invalidRequest, .configuration, .invalidScope: status = .badRequest
        case .validationFailed, .notSupportedByVendor: status = .unprocessableContent
        case .preconditionFailed: status = .preconditionFailed
        case .notFound, .unknownConnection: status = .notFound
        case .conflict, .idempotencyKeyReused, .connectionTakesNoLeads, .noLeadConnection, .credentialsVendorMismatch: status = .conflict
        case .unauthorized: status = .unauthorized
        case .forbidden: status = .forbidden
        case .vendor: status = .badGateway
        default: status = .internalServerError
        }
        let message = status == .internalServerError ? "the hub failed to answer; see the server log" : error.message
        self.init(status, Code(error.code), message, details: error.details)
    }

    /// A vendor's failure is reported as the vendor's, not as the API client's: a refused vendor
    /// login is a 502 (the client's own token is fine), a record the vendor rejects a 422.
    private init(connector error: ConnectorError) {
        switch error.kind {
        case .notFound: self.init(.notFound, .vendorNotFound, error.description)
        case .validation: self.init(.unprocessableContent, .vendorValidationFailed, error.description, details: error.fieldErrors)
        case .conflict: self.init(.conflict, .vendorConflict, error.description)
        case .configuration: self.init(.badRequest, .connectionUnusable, error.description)
        case .rateLimited:
            var headers = HTTPFields()
            if let after = error.retryAfter { headers[.retryAfter] = String(max(1, after.components.seconds)) }
            self.init(.serviceUnavailable, .vendorRateLimited, error.description, headers: headers)
        case .auth: self.init(.badGateway, .vendorUnauthorized, error.description)
        case .permission: self.init(.badGateway, .vendorForbidden, error.description)
        default: self.init(.badGateway, .vendor, error.description)
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
        var error: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message)]
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

extension APIError: CustomStringConvertible {
    public var description: String { message }
}

extension APIError {
    /// A stable error code of the API: the hub's own codes (``HubError/Code``) and those only the
    /// HTTP surface answers. ``all`` is the one list, and feeds the API document's enum.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// The API code of a hub error code (the same text).
        init(_ hub: HubError.Code) { rawValue = hub.rawValue }
        public var description: String { rawValue }

        public static let invalidRequest = Code(HubError.Code.invalidRequest)
        public static let validationFailed = Code(HubError.Code.validationFailed)
        public static let notFound = Code(HubError.Code.notFound)
        public static let conflict = Code(HubError.Code.conflict)
        public static let idempotencyKeyReused = Code(HubError.Code.idempotencyKeyReused)
        public static let unauthorized = Code(HubError.Code.unauthorized)
        public static let forbidden = Code(HubError.Code.forbidden)
        public static let configuration = Code(HubError.Code.configuration)
        public static let storage = Code(HubError.Code.storage)
        public static let schemaTooNew = Code(HubError.Code.schemaTooNew)
        public static let secretKey = Code(HubError.Code.secretKey)
        public static let vendor = Code(HubError.Code.vendor)
        public static let internalError = Code(HubError.Code.internalError)
        public static let unknownConnection = Code(HubError.Code.unknownConnection)
        public static let connectionTakesNoLeads = Code(HubError.Code.connectionTakesNoLeads)
        public static let noLeadConnection = Code(HubError.Code.noLeadConnection)
        public static let invalidScope = Code(HubError.Code.invalidScope)
        public static let credentialsVendorMismatch = Code(HubError.Code.credentialsVendorMismatch)

        public static let bodyTooLarge = Code("body_too_large")
        public static let connectionDisabled = Code("connection_disabled")
        public static let connectionUnusable = Code("connection_unusable")
        public static let httpError = Code("http_error")
        public static let insufficientScope = Code("insufficient_scope")
        public static let invalidJSON = Code("invalid_json")
        public static let invalidQuery = Code("invalid_query")
        public static let invalidState = Code("invalid_state")
        public static let methodNotAllowed = Code("method_not_allowed")
        public static let rateLimited = Code("rate_limited")
        public static let shuttingDown = Code("shutting_down")
        public static let syncRunning = Code("sync_running")
        public static let unhealthy = Code("unhealthy")
        public static let unsupportedGrantType = Code("unsupported_grant_type")
        public static let unsupportedMediaType = Code("unsupported_media_type")
        public static let vendorConflict = Code("vendor_conflict")
        public static let vendorForbidden = Code("vendor_forbidden")
        public static let vendorNotFound = Code("vendor_not_found")
        public static let vendorRateLimited = Code("vendor_rate_limited")
        public static let vendorUnauthorized = Code("vendor_unauthorized")
        public static let vendorValidationFailed = Code("vendor_validation_failed")
        /// `POST /oauth/token` with an unknown client or a wrong secret (RFC 6749's name).
        public static let invalidClient = Code("invalid_client")

        /// Every code the API answers with.
        public static let all: [Code] =
            HubError.Code.all.map(Code.init) + [
                .bodyTooLarge, .connectionDisabled, .connectionUnusable, .httpError, .insufficientScope,
                .invalidJSON, .invalidQuery, .invalidState, .methodNotAllowed, .rateLimited, .shuttingDown,
                .syncRunning, .unhealthy, .unsupportedGrantType, .unsupportedMediaType, .vendorConflict, .vendorForbidden,
                .vendorNotFound, .vendorRateLimited, .vendorUnauthorized, .vendorValidationFailed, .invalidClient,
            ]
    }
}
