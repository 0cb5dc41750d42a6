import Foundation

/// The default reading of a vendor's HTTP answer: success, or a ``ConnectorError`` classified
/// by status. Vendor connectors start from it and add their error bodies and codes.
public enum HTTPErrorClassifier {
    /// The kind an HTTP status implies.
    ///
    /// | status | kind |
    /// | --- | --- |
    /// | 400, 422 | validation |
    /// | 401 | auth |
    /// | 403 | permission |
    /// | 404, 410 | notFound |
    /// | 408, 5xx | retryable |
    /// | 409 | conflict |
    /// | 429 | rateLimited |
    /// | 3xx | configuration (never followed: a wrong base URL, or a vendor's documented meaning; see ``redirect(_:vendor:redactor:meaning:)``) |
    /// | other 4xx | rejected |
    ///
    /// - Parameter status: the HTTP status.
    /// - Returns: the kind, or nil for a 1xx/2xx status.
    public static func kind(forStatus status: Int) -> ConnectorError.Kind? {
        switch status {
        case ..<200: return nil
        case 200..<300: return nil
        case 300..<400: return .configuration
        case 400, 422: return .validation
        case 401: return .auth
        case 403: return .permission
        case 404, 410: return .notFound
        case 408: return .retryable
        case 409: return .conflict
        case 429: return .rateLimited
        case 400..<500: return .rejected
        default: return .retryable
        }
    }

    /// Classifies a response by status alone.
    ///
    /// - Parameters:
    ///   - response: the vendor's answer.
    ///   - vendor: the vendor.
    ///   - redactor: hides secrets in the body excerpt used as the message.
    /// - Returns: nil for a success, else the error with a short redacted excerpt of the body.
    public static func classify(_ response: TransportResponse, vendor: VendorID, redactor: Redactor) -> ConnectorError? {
        guard let kind = kind(forStatus: response.status) else { return nil }
        if (300..<400).contains(response.status) { return redirect(response, vendor: vendor, redactor: redactor) }
        let excerpt = response.bodyExcerpt(redactor: redactor)
        let base = message(forStatus: response.status)
        return ConnectorError(
            kind, vendor: vendor, message: excerpt.isEmpty ? base : "\(base): \(excerpt)", httpStatus: response.status)
    }

    /// The error of a 3xx answer: redirects are never followed, so a redirect is a
    /// `configuration` error whose message names the status and the `Location`.
    ///
    /// - Parameters:
    ///   - response: the 3xx answer.
    ///   - vendor: the vendor.
    ///   - redactor: hides secrets the `Location` may carry (a token in its query, say).
    ///   - meaning: what the vendor documents a 3xx to mean (``VendorProfile/redirectMeaning``);
    ///     nil for the usual cause, a wrong base or auth URL.
    /// - Returns: the error, with `httpStatus` set.
    public static func redirect(
        _ response: TransportResponse, vendor: VendorID, redactor: Redactor, meaning: String? = nil
    ) -> ConnectorError {
        let target: String
        if let location = response.headers["Location"]?.trimmingCharacters(in: .whitespaces), !location.isEmpty {
            let redacted = URL(string: location).map { redactor.redact(url: $0) } ?? redactor.redact(location)
            target = "to \(redacted.count > 300 ? String(redacted.prefix(300)) + "…" : redacted)"
        } else {
            target = "with no Location"
        }
        let cause = meaning ?? "check the base URL and the auth URL"
        return ConnectorError(
            .configuration, vendor: vendor,
            message: "\(vendor.rawValue) answered HTTP \(response.status) redirecting \(target); the hub never follows redirects: \(cause)",
            httpStatus: response.status)
    }

    /// A plain description of a status for messages.
    public static func message(forStatus status: Int) -> String {
        switch status {
        case 300..<400: return "the vendor redirected the request (check the base URL)"
        case 400: return "the vendor rejected the request"
        case 401: return "the vendor refused the credentials"
        case 403: return "the credentials lack the permission for this"
        case 404: return "not found"
        case 408: return "the vendor timed out"
        case 409: return "the vendor reports a conflict"
        case 410: return "gone"
        case 419: return "the vendor refused the HTTP method"
        case 422: return "the vendor rejected the data"
        case 429: return "the vendor is rate limiting requests"
        case 500..<600: return "the vendor failed (HTTP \(status))"
        default: return "unexpected HTTP \(status)"
        }
    }
}
