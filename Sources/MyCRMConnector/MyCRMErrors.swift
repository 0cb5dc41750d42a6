import ConnectorKit
import Foundation
import RealtyModel

/// MyCRM's error codes (vtiger `WebServiceErrorCode`, 5.4 and 8.0) and what each means to the hub.
///
/// webservice.php answers HTTP 200 whatever happens; the outcome is the body's `success` and
/// `error.code`. Session codes are `.auth`, so the request executor drops the session, logs in
/// again and resends once; a second refusal fails with `.auth` naming the connection.
enum MyCRMErrors {
    /// Codes meaning the session is gone: log in again.
    static let sessionCodes: Set<String> = [
        "INVALID_SESSIONID", "SESSION_EXPIRED", "SESSION_LEFT_IDLE", "AUTHENTICATION_REQUIRED",
    ]

    /// Codes meaning the login itself was refused (wrong user or access key, stale challenge).
    static let credentialCodes: Set<String> = [
        "INVALID_USER_CREDENTIALS", "INVALID_AUTH_TOKEN", "ACCESSKEY_UNDEFINED", "AUTHENTICATION_FAILURE",
    ]

    /// The kind of failure a MyCRM error code stands for.
    ///
    /// Readings where the code alone is ambiguous:
    /// - `DATABASE_QUERY_ERROR` and `INTERNAL_SERVER_ERROR` are the server failing, as a 5xx would
    ///   be: retryable (the executor never resends a create blindly).
    /// - `QUERY_SYNTAX_ERROR` and `INVALID_ID_ATTRIBUTE` are a request the server refuses as
    ///   malformed: validation.
    /// - `UNKNOWN_OPERATION` and `OPERATION_NOT_SUPPORTED` mean this deployment lacks the
    ///   operation: configuration.
    /// - vtiger 8 reports its duplicate-prevention rules with a code of their own; any code
    ///   mentioning `DUPLICATE` is a conflict.
    /// - Anything else the vendor refused: rejected.
    static func kind(forCode code: String) -> ConnectorError.Kind {
        let code = code.uppercased()
        if sessionCodes.contains(code) || credentialCodes.contains(code) { return .auth }
        switch code {
        case "ACCESS_DENIED":
            return .permission
        case "MANDATORY_FIELDS_MISSING", "REFERENCE_INVALID", "INVALID_ID_ATTRIBUTE", "QUERY_SYNTAX_ERROR",
            "INVALID_POTENTIAL_FOR_CONVERTLEAD", "INVALID_OLD_PASSWORD", "NEW_PASSWORD_MISMATCH", "PASSWORD_NOT_STRONG",
            "CURRENCY_INACTIVE":
            return .validation
        case "RECORD_NOT_FOUND", "INVALID_MODULE", "UNKOWN_ENTITY", "UNKNOWN_ENTITY":
            return .notFound
        case "UNKNOWN_OPERATION", "OPERATION_NOT_SUPPORTED":
            return .configuration
        case "DATABASE_QUERY_ERROR", "INTERNAL_SERVER_ERROR":
            return .retryable
        case "LEAD_ALREADY_CONVERTED", "POTENTIAL_ALREADY_CONVERTED":
            return .conflict
        default:
            return code.contains("DUPLICATE") ? .conflict : .rejected
        }
    }

    /// The error for a failed answer's `error` member.
    ///
    /// - Parameters:
    ///   - body: the vendor's code and message.
    ///   - operation: the operation, for the message.
    ///   - redactor: hides the connection's secrets in the vendor's message.
    static func error(_ body: MyCRMErrorBody, operation: String, redactor: Redactor) -> ConnectorError {
        let kind = kind(forCode: body.code)
        let vendorMessage = body.message.map { redactor.redact($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        var message = "\(operation) failed"
        if let vendorMessage, !vendorMessage.isEmpty { message += ": \(vendorMessage)" }
        var fieldErrors: [FieldError] = []
        if body.code.uppercased() == "MANDATORY_FIELDS_MISSING" {
            // vtiger's message names the field ("lastname does not have a value").
            let field = vendorMessage?.split(separator: " ").first.map(String.init) ?? "element"
            fieldErrors.append(FieldError(field: field, message: vendorMessage ?? "is mandatory"))
        }
        return ConnectorError(kind, vendor: .mycrm, message: message, vendorCode: body.code, fieldErrors: fieldErrors)
    }

    /// Reads a webservice.php answer for the request executor: nil for success, otherwise the
    /// classified error.
    ///
    /// A non-2xx status (a proxy in front of the server, a crash) is classified by status; a 200
    /// whose body is not the envelope is `.invalidResponse`.
    static func decode(
        _ response: TransportResponse, operation: String, redactor: Redactor, request: TransportRequest? = nil
    ) -> ConnectorError? {
        var redactor = redactor
        if let session = request.flatMap(sessionName(in:)) { redactor = redactor.adding([session]) }
        guard response.isSuccess else {
            return HTTPErrorClassifier.classify(response, vendor: .mycrm, redactor: redactor)
        }
        if startsWithSuccessTrue(response.body) { return nil }
        let envelope: MyCRMEnvelope
        do {
            envelope = try MyCRMEnvelope(parsing: response.body)
        } catch {
            return ConnectorError(
                .invalidResponse, vendor: .mycrm,
                message: "\(operation): the answer is not a webservice envelope (\(DecodingErrorDescription.describe(error))): "
                    + response.bodyExcerpt(limit: 120, redactor: redactor),
                httpStatus: response.status, underlying: error)
        }
        if envelope.success { return nil }
        guard let body = envelope.error else {
            return ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "\(operation) failed without an error code",
                httpStatus: response.status)
        }
        return error(body, operation: operation, redactor: redactor)
    }

    /// The session a request carries (query parameter of a GET, form field of a POST), so a
    /// vendor message echoing it can be redacted.
    static func sessionName(in request: TransportRequest) -> String? {
        if let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems,
            let value = items.last(where: { $0.name == "sessionName" })?.value
        {
            return value
        }
        guard request.method != .get, let body = request.body else { return nil }
        for pair in body.split(separator: UInt8(ascii: "&")) {
            let text = String(decoding: pair, as: UTF8.self)
            guard text.hasPrefix("sessionName=") else { continue }
            return String(text.dropFirst("sessionName=".count)).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    /// Whether the body begins `{"success":true` (whitespace allowed), the form vtiger writes;
    /// lets successful pages skip a second parse.
    static func startsWithSuccessTrue(_ body: Data) -> Bool {
        let expected = Array(#"{"success":true"#.utf8)
        var index = 0
        for byte in body {
            if byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { continue }
            guard byte == expected[index] else { return false }
            index += 1
            if index == expected.count { return true }
        }
        return false
    }
}
