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
    /// | 3xx | configuration (a redirect means a wrong base URL or content type) |
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
        let excerpt = response.bodyExcerpt(redactor: redactor)
        let base = message(forStatus: response.status)
        return ConnectorError(
            kind, vendor: vendor, message: excerpt.isEmpty ? base : "\(base): \(excerpt)", httpStatus: response.status)
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
