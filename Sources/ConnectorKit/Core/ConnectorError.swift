import Foundation
public import RealtyModel

/// The one error every connector throws: which vendor, what class of failure, and what the
/// vendor said, without ever carrying a secret.
///
/// `kind` says what a caller should do about it (retry later, fix credentials, fix the record,
/// give up); `httpStatus`, `vendorCode` and `message` say what happened. `description` is safe to
/// log and to show to users; messages taken from vendor bodies are passed through the
/// connection's ``Redactor`` before they are stored here.
public struct ConnectorError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The class of a failure: a stable, extensible code (adding one breaks no caller).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The stable snake_case name, usable as a metric label.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A transient failure (network error, timeout, 5xx): retrying later may succeed.
        public static let retryable = Kind("retryable")
        /// The vendor asked us to slow down (429, a quota): retry after ``ConnectorError/retryAfter``.
        public static let rateLimited = Kind("rate_limited")
        /// The credentials were refused or the session could not be (re)established.
        public static let auth = Kind("auth")
        /// Authenticated, but not allowed to do this (missing right, agency not granted).
        public static let permission = Kind("permission")
        /// The vendor rejected the record or request; ``ConnectorError/fieldErrors`` say why.
        public static let validation = Kind("validation")
        /// The record or resource does not exist at the vendor.
        public static let notFound = Kind("not_found")
        /// The connection is set up wrongly, or asked for something it cannot do.
        public static let configuration = Kind("configuration")
        /// The vendor reports a conflict (duplicate, concurrent change).
        public static let conflict = Kind("conflict")
        /// The vendor answered something we cannot read (malformed JSON, missing fields).
        public static let invalidResponse = Kind("invalid_response")
        /// The vendor refused the request for a reason none of the other kinds describe.
        public static let rejected = Kind("rejected")
        /// A pull was not sent: the connection's daily request budget is down to the share kept
        /// for deliveries (or used up). Nothing reached the vendor; ``ConnectorError/retryAfter``
        /// is the time to the budget's reset, when the pull resumes from its cursor.
        public static let budgetExhausted = Kind("budget_exhausted")

        /// An update was not sent: the vendor's record changed after the hub's copy of it (its
        /// modification time is later than the one the update expected), and sending would
        /// silently overwrite that change. ``ConnectorError/vendorRecord`` holds the vendor's
        /// current record; the write can be forced once someone has looked.
        public static let changedAtVendor = Kind("changed_at_vendor")

        /// Whether retrying the same request later may succeed.
        public var isRetryable: Bool { self == .retryable || self == .rateLimited || self == .budgetExhausted }
    }

    /// What class of failure this is.
    public var kind: Kind
    /// The vendor the connection talks to.
    public var vendor: VendorID
    /// The hub connection, when known (auth errors always name it).
    public var connectionID: String?
    /// The HTTP status of the vendor's answer, when there was one.
    public var httpStatus: Int?
    /// The vendor's own error code (`ResourceNotFound`, `SESSION_EXPIRED`, `invalid_client`).
    public var vendorCode: String?
    /// What went wrong, in words a user can act on; never contains secrets.
    public var message: String
    /// Per-field problems reported by the vendor (validation errors).
    public var fieldErrors: [FieldError]
    /// How long the vendor asked us to wait before trying again (unclamped).
    public var retryAfter: Duration?
    /// The operation that failed, e.g. `GET /users` (no query string, no secrets).
    public var operation: String?
    /// The lower-level cause (transport error, decoding error), shown only in `debugDescription`.
    public var underlying: (any Error)?
    /// The vendor's current record (mapped, `raw` included), for ``Kind/changedAtVendor``.
    public var vendorRecord: (any HubRecord)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: the class of failure.
    ///   - vendor: the vendor.
    ///   - message: a message for users; must not contain secrets.
    ///   - httpStatus: the HTTP status, when there was a response.
    ///   - vendorCode: the vendor's error code.
    ///   - fieldErrors: per-field problems.
    ///   - retryAfter: the wait the vendor asked for.
    ///   - connectionID: the hub connection.
    ///   - operation: the failing operation (`GET /users`).
    ///   - underlying: the cause, for `debugDescription` only.
    public init(
        _ kind: Kind, vendor: VendorID, message: String, httpStatus: Int? = nil, vendorCode: String? = nil,
        fieldErrors: [FieldError] = [], retryAfter: Duration? = nil, connectionID: String? = nil,
        operation: String? = nil, underlying: (any Error)? = nil
    ) {
        self.kind = kind
        self.vendor = vendor
        self.message = message
        self.httpStatus = httpStatus
        self.vendorCode = vendorCode
        self.fieldErrors = fieldErrors
        self.retryAfter = retryAfter
        self.connectionID = connectionID
        self.operation = operation
        self.underlying = underlying
    }

    /// A one-line summary safe to log and show: vendor, kind, status, vendor code, message.
    public var description: String {
        var head = "\(vendor.rawValue) \(kind.rawValue)"
        var facts: [String] = []
        if let connectionID { facts.append("connection \(connectionID)") }
        if let operation { facts.append(operation) }
        if let httpStatus { facts.append("HTTP \(httpStatus)") }
        if let vendorCode { facts.append(vendorCode) }
        if !facts.isEmpty { head += " (" + facts.joined(separator: ", ") + ")" }
        var text = head + ": " + message
        if !fieldErrors.isEmpty {
            text += " [" + fieldErrors.map(\.description).joined(separator: "; ") + "]"
        }
        if let retryAfter { text += "; retry after \(ConnectorError.format(retryAfter))" }
        return text
    }

    /// The summary plus the underlying cause. Underlying errors come from our own transport and
    /// decoders and never carry request headers or bodies.
    public var debugDescription: String {
        guard let underlying else { return description }
        return description + " (underlying: \(String(describing: underlying)))"
    }

    /// `vendor.kind` with no associated values: safe as a metric label.
    public var shortDescription: String { "\(vendor.rawValue).\(kind.rawValue)" }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.secondsValue
        if seconds >= 1 || seconds == 0 { return "\(Int(seconds.rounded(.up))) s" }
        return "\(Int((seconds * 1000).rounded(.up))) ms"
    }
}

extension ConnectorError {
    /// "this connection cannot ...": the vendor (or this connector) does not support the request.
    ///
    /// - Parameters:
    ///   - vendor: the vendor.
    ///   - what: what was asked, completing "this connection cannot ..." (e.g. "create Office records").
    ///   - connectionID: the connection, when known.
    public static func unsupported(_ vendor: VendorID, _ what: String, connectionID: String? = nil) -> ConnectorError {
        ConnectorError(
            .configuration, vendor: vendor,
            message: "this connection cannot \(what) (\(vendor.displayName) does not offer it)",
            connectionID: connectionID)
    }

    /// Wraps a `DecodingError` as `.invalidResponse`, naming the JSON path that failed; a bare
    /// decoding error never leaves a connector.
    ///
    /// - Parameters:
    ///   - error: the decoding error (any other error is wrapped with its description).
    ///   - vendor: the vendor.
    ///   - what: what was being read (`the users page`, `GET /users`).
    ///   - httpStatus: the status of the response being decoded.
    public static func invalidResponse(
        decoding error: any Error, vendor: VendorID, what: String, httpStatus: Int? = nil
    ) -> ConnectorError {
        ConnectorError(
            .invalidResponse, vendor: vendor,
            message: "could not read \(what): \(DecodingErrorDescription.describe(error))",
            httpStatus: httpStatus, operation: nil, underlying: error)
    }

    /// The hub error users see for this connector error (the `vendor_error` family keeps the
    /// vendor's details in the message).
    public var hubError: HubError {
        let code: HubError.Code
        switch kind {
        case .auth: code = .unauthorized
        case .permission: code = .vendorPermissionDenied
        case .validation: code = .validationFailed
        case .notFound: code = .notFound
        case .conflict, .changedAtVendor: code = .conflict
        case .configuration: code = .configuration
        default: code = .vendor
        }
        return HubError(code, description, details: fieldErrors)
    }

    /// A copy naming `connectionID` and `operation` where not already set.
    public func attributed(connectionID: String?, operation: String?) -> ConnectorError {
        var copy = self
        if copy.connectionID == nil { copy.connectionID = connectionID }
        if copy.operation == nil { copy.operation = operation }
        return copy
    }
}

/// Turns a `DecodingError` into a sentence with the failing JSON path (`users[3].id`).
public enum DecodingErrorDescription {
    /// Describes `error`; for a `DecodingError`, names the path and what was wrong.
    ///
    /// - Parameter error: any error.
    /// - Returns: e.g. `users[3].email: expected a string, found a number`.
    public static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error) }
        switch decoding {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type)) (\(context.debugDescription))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type)), found null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required key is missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: decoding)
        }
    }

    /// The dotted path of coding keys, `$` for the top level.
    public static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "$" : text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type, is Decimal.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return name
        }
    }
}
