import ConnectorKit
import Foundation
import RealtyModel

/// PropQ's response codes and what the hub should do about each.
///
/// | status | kind |
/// | --- | --- |
/// | 3xx | configuration: "missing or wrong Content-Type", naming the status and Location (never followed) |
/// | 400 | validation ("errors when processing the request") |
/// | 401 | auth (the executor renews the token once first) |
/// | 403 | permission |
/// | 404 | notFound (an unknown development id) |
/// | 419 | configuration: the endpoint was called with the wrong HTTP method |
/// | 422 | validation, with the body's per-field errors |
/// | 429 | rateLimited (not documented; honoured when sent) |
/// | 5xx | retryable |
enum ResalesOnlineErrors {
    /// The kind for a PropQ status.
    static func kind(forStatus status: Int) -> ConnectorError.Kind? {
        switch status {
        case 419: return .configuration
        default: return HTTPErrorClassifier.kind(forStatus: status)
        }
    }

    /// Classifies a vendor answer.
    ///
    /// - Parameters:
    ///   - response: the answer.
    ///   - redactor: hides the connection's secrets in vendor messages.
    /// - Returns: nil for a 2xx answer, else the classified error.
    static func classify(_ response: TransportResponse, redactor: Redactor) -> ConnectorError? {
        guard let kind = kind(forStatus: response.status) else { return nil }
        let summary = HTTPErrorClassifier.message(forStatus: response.status)
        var message = summary
        var fieldErrors: [FieldError] = []
        if let body = ResalesOnlineErrorBody(data: response.body) {
            if let text = body.message { message = "\(summary): \(redactor.redact(text))" }
            if kind == .validation {
                fieldErrors = body.fieldErrors.map {
                    FieldError(field: $0.field.isEmpty ? "request" : $0.field, message: redactor.redact($0.message))
                }
            }
        } else {
            let excerpt = response.bodyExcerpt(redactor: redactor)
            if !excerpt.isEmpty { message = "\(summary): \(excerpt)" }
        }
        if (300..<400).contains(response.status) {
            return HTTPErrorClassifier.redirect(
                response, vendor: .propq, redactor: redactor, meaning: VendorProfile.propq.redirectMeaning)
        }
        return ConnectorError(kind, vendor: .propq, message: message, httpStatus: response.status, fieldErrors: fieldErrors)
    }
}
