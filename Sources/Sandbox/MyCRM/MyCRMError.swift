import RealtyModel

/// A failure the MyCRM webservice reports in its envelope:
/// `{"success":false,"error":{"code":"…","message":"…"}}` (always with HTTP 200).
///
/// Codes and messages are the vtiger webservice ones (`WebServiceErrorCode.php`), misspellings
/// included, because clients match on them.
struct MyCRMError: Error, Equatable, Sendable {
    /// A vtiger webservice error code; the raw value is what goes on the wire.
    struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        static let sessionExpired = Code(rawValue: "SESSION_EXPIRED")
        static let sessionLeftIdle = Code(rawValue: "SESSION_LEFT_IDLE")
        static let invalidSessionID = Code(rawValue: "INVALID_SESSIONID")
        static let authenticationRequired = Code(rawValue: "AUTHENTICATION_REQUIRED")
        static let invalidUserCredentials = Code(rawValue: "INVALID_USER_CREDENTIALS")
        static let invalidAuthToken = Code(rawValue: "INVALID_AUTH_TOKEN")
        static let accessKeyUndefined = Code(rawValue: "ACCESSKEY_UNDEFINED")
        static let accessDenied = Code(rawValue: "ACCESS_DENIED")
        static let mandatoryFieldsMissing = Code(rawValue: "MANDATORY_FIELDS_MISSING")
        static let invalidIDAttribute = Code(rawValue: "INVALID_ID_ATTRIBUTE")
        static let recordNotFound = Code(rawValue: "RECORD_NOT_FOUND")
        static let referenceInvalid = Code(rawValue: "REFERENCE_INVALID")
        static let querySyntaxError = Code(rawValue: "QUERY_SYNTAX_ERROR")
        static let databaseQueryError = Code(rawValue: "DATABASE_QUERY_ERROR")
        static let unknownOperation = Code(rawValue: "UNKNOWN_OPERATION")
        static let operationNotSupported = Code(rawValue: "OPERATION_NOT_SUPPORTED")
        static let internalServerError = Code(rawValue: "INTERNAL_SERVER_ERROR")
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The failure envelope.
    var envelope: JSONValue {
        MyCRMWire.object([
            ("success", .bool(false)),
            ("error", MyCRMWire.object([("code", .string(code.rawValue)), ("message", .string(message))])),
        ])
    }

    // Standard vtiger messages.
    static let permissionDenied = MyCRMError(.accessDenied, "Permission to perform the operation is denied")
    static let incorrectID = MyCRMError(.invalidIDAttribute, "Id specified is incorrect")
    static let recordMissing = MyCRMError(.recordNotFound, "Record you are trying to access is not found")
    static let authenticationRequired = MyCRMError(.authenticationRequired, "Authencation required")
}
