/// An error the hub reports to its users, with a stable snake_case code.
///
/// Codes never change once shipped; new ones can be added without breaking callers. The
/// `description` never carries secrets: messages are written for users, not dumps of requests.
public struct HubError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidRequest = Code("invalid_request")
        public static let validationFailed = Code("validation_failed")
        public static let notFound = Code("not_found")
        public static let conflict = Code("conflict")
        /// An idempotency key sent again with another request than the one it was first used for.
        public static let idempotencyKeyReused = Code("idempotency_key_reused")
        public static let unauthorized = Code("unauthorized")
        public static let forbidden = Code("forbidden")
        public static let configuration = Code("configuration_error")
        public static let storage = Code("storage_error")
        public static let schemaTooNew = Code("schema_too_new")
        public static let secretKey = Code("secret_key_error")
        public static let vendor = Code("vendor_error")
        public static let internalError = Code("internal_error")
        /// A request names a connection the tenant does not have.
        public static let unknownConnection = Code("unknown_connection")
        /// A lead names a connection whose vendor takes no leads.
        public static let connectionTakesNoLeads = Code("connection_takes_no_leads")
        /// A lead names no connection and none of the tenant's can take one.
        public static let noLeadConnection = Code("no_lead_connection")
        /// A scope that is not `resource:action` over the hub's resources and actions.
        public static let invalidScope = Code("invalid_scope")
        /// A connection's new credentials are another vendor's.
        public static let credentialsVendorMismatch = Code("credentials_vendor_mismatch")
        /// A write the target connection's vendor does not offer (an operation on a resource),
        /// refused before anything is queued.
        public static let notSupportedByVendor = Code("not_supported_by_vendor")
        /// An `If-Match` that no longer names the hub's copy of the record (it changed).
        public static let preconditionFailed = Code("precondition_failed")
        /// The vendor refused a write for want of a permission on the connection's credentials.
        public static let vendorPermissionDenied = Code("vendor_permission_denied")

        /// Every code, in the order the API document lists them.
        public static let all: [Code] = [
            .invalidRequest, .validationFailed, .notFound, .conflict, .idempotencyKeyReused, .unauthorized, .forbidden,
            .configuration, .storage, .schemaTooNew, .secretKey, .vendor, .internalError, .unknownConnection,
            .connectionTakesNoLeads, .noLeadConnection, .invalidScope, .credentialsVendorMismatch, .notSupportedByVendor,
            .preconditionFailed, .vendorPermissionDenied,
        ]
    }

    public var code: Code
    public var message: String
    public var details: [FieldError]

    public init(_ code: Code, _ message: String, details: [FieldError] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String {
        if details.isEmpty { return "\(code): \(message)" }
        return "\(code): \(message) (" + details.map(\.description).joined(separator: "; ") + ")"
    }
}

extension HubError {
    /// Wraps validation failures.
    public init(_ validation: ValidationError) {
        self.init(.validationFailed, "the record is not valid", details: validation.errors)
    }
}
