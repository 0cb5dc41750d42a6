import ConnectorKit
import Foundation
import RealtyModel

/// Boston Logic's failures and what the hub should do about each.
///
/// Failures carry the envelope `{"status": "failure" | "unauthorized", "message", "errors": [...]}`;
/// the HTTP status is only in the status line. The document says a key without the permission
/// for a resource gets HTTP 401 with status `unauthorized` and an error such as "API Key does not
/// have permissions to create offices". A key that is wrong, or used for another domain, is also
/// refused with 401. The two are told apart by the errors: a message about permissions is
/// `.permission` (the key works, it lacks the Read/Write/Delete right), anything else `.auth`.
///
/// | answer | kind |
/// | --- | --- |
/// | 401/403 naming permissions | permission |
/// | 401 otherwise | auth |
/// | 400, 422, or `failure` on another 4xx with errors | validation, the errors as field errors |
/// | 404 | notFound |
/// | 409 | conflict |
/// | 429 | rateLimited |
/// | 5xx | retryable |
enum BostonLogicErrors {
    /// Whether a failure's texts say the key lacks a permission.
    static func mentionsPermission(_ texts: [String]) -> Bool {
        texts.contains { text in
            let lowered = text.lowercased()
            return lowered.contains("permission") || lowered.contains("not authorized to") || lowered.contains("not allowed to")
        }
    }

    /// Classifies a vendor answer.
    ///
    /// - Parameters:
    ///   - response: the answer.
    ///   - redactor: hides the connection's secrets in vendor messages.
    ///   - resource: the canonical resource involved, naming validation errors.
    /// - Returns: nil for a 2xx answer whose envelope is not a failure, else the classified error.
    static func classify(_ response: TransportResponse, redactor: Redactor, resource: ResourceName? = nil) -> ConnectorError? {
        let envelope = (try? JSONValue(parsing: response.body)).flatMap { try? BostonLogicEnvelope(json: $0) }
        let failedEnvelope = envelope.map { !$0.isSuccess && $0.status != nil } ?? false
        if response.isSuccess && !failedEnvelope { return nil }
        guard let envelope else {
            return HTTPErrorClassifier.classify(response, vendor: .bostonLogic, redactor: redactor)
        }
        let errors = envelope.errors.map(redactor.redact)
        let vendorMessage = envelope.message.map(redactor.redact)
        let texts = errors + (vendorMessage.map { [$0] } ?? [])
        var kind: ConnectorError.Kind
        switch response.status {
        case 401, 403:
            kind = mentionsPermission(texts) ? .permission : (response.status == 401 ? .auth : .permission)
        case 200..<300:
            // A failure envelope with a success status: read the vendor's status word.
            kind =
                envelope.status?.lowercased() == "unauthorized"
                ? (mentionsPermission(texts) ? .permission : .auth) : .validation
        default:
            kind = HTTPErrorClassifier.kind(forStatus: response.status) ?? .invalidResponse
            if kind == .rejected, !errors.isEmpty { kind = .validation }
        }
        var parts: [String] = []
        if let vendorMessage, !vendorMessage.isEmpty { parts.append(vendorMessage) }
        if !errors.isEmpty { parts.append(errors.joined(separator: "; ")) }
        let message = parts.isEmpty ? HTTPErrorClassifier.message(forStatus: response.status) : parts.joined(separator: ": ")
        let fieldErrors =
            kind == .validation
            ? errors.map { FieldError(field: resource?.rawValue ?? "request", message: $0) } : []
        return ConnectorError(
            kind, vendor: .bostonLogic, message: message, httpStatus: response.status, vendorCode: envelope.status,
            fieldErrors: fieldErrors)
    }
}
