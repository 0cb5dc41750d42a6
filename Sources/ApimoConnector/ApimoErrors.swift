import ConnectorKit
import Foundation
import RealtyModel

/// Reading Apimo's failures.
///
/// Apimo documents neither its error bodies nor its statuses. Readings: statuses mean what HTTP
/// says (401 the provider or token is refused, 403 the agency has not granted this provider
/// access, 404, 422/400 the data, 429 the quota with `Retry-After`, 5xx the server); the body is
/// `{"status": <code>, "error": "<message>"}` (the shape a known client checks for), and a
/// `message` member or plain text is accepted too. A small 2xx body with a top-level `status` of
/// 400 or more and an `error` is a failure as well.
enum ApimoErrors {
    /// The error for an answer, or nil when it is a success.
    ///
    /// - Parameters:
    ///   - response: the answer.
    ///   - request: the request (its path names the agency a 403 refers to).
    ///   - provider: the provider id, for auth messages (not a secret).
    ///   - redactor: hides the token in vendor messages.
    static func decode(
        _ response: TransportResponse, request: TransportRequest, provider: String, redactor: Redactor
    ) -> ConnectorError? {
        var status = response.status
        var body = Body(response.body)
        if response.isSuccess {
            // An error reported inside a 200; lists and records never carry a numeric `status`.
            guard response.body.count < 4096, let embedded = body.status, embedded >= 400, body.message != nil else {
                return nil
            }
            status = embedded
        }
        guard let kind = HTTPErrorClassifier.kind(forStatus: status) else { return nil }
        if body.message == nil, !response.body.isEmpty, body.json == nil {
            body.message = response.bodyExcerpt(limit: 160, redactor: redactor)
        }
        let detail = body.message.map { redactor.redact($0) }
        let agency = agencyID(in: request.url)
        var message: String
        switch kind {
        case .auth:
            message = "Apimo refused the credentials of provider \(provider)"
        case .permission:
            if let agency {
                message = "agency \(agency) has not granted provider \(provider) access to this"
            } else {
                message = "provider \(provider) is not allowed to do this"
            }
        case .rateLimited:
            message = "Apimo's request quota (10 per second, 1,000 per day) is used up"
        case .notFound:
            message = "not found"
        default:
            message = HTTPErrorClassifier.message(forStatus: status)
        }
        if let detail, !detail.isEmpty { message += ": \(detail)" }
        var fieldErrors: [FieldError] = []
        if kind == .validation, let errors = body.fieldErrors { fieldErrors = errors }
        return ConnectorError(
            kind, vendor: .apimo, message: message, httpStatus: response.status,
            vendorCode: body.code ?? (status != response.status ? String(status) : nil), fieldErrors: fieldErrors)
    }

    /// The agency id in a path `/agencies/{id}/…`.
    static func agencyID(in url: URL) -> String? {
        let parts = url.path.split(separator: "/")
        guard let index = parts.firstIndex(of: "agencies"), index + 1 < parts.count else { return nil }
        return String(parts[index + 1])
    }

    /// What an error body says, in whichever of the plausible shapes it comes.
    private struct Body {
        var json: JSONValue?
        var status: Int?
        var code: String?
        var message: String?
        var fieldErrors: [FieldError]?

        init(_ data: Data) {
            guard !data.isEmpty, let json = try? JSONValue(parsing: data) else { return }
            self.json = json
            guard case .object(let members) = json else {
                message = ApimoRecord.text(json)
                return
            }
            status = members["status"]?.intValue.map { Int($0) }
            code = ApimoRecord.text(members["code"])
            switch members["error"] {
            case .some(.object(let error)):
                message = ApimoRecord.text(error["message"]) ?? ApimoRecord.text(error["error"])
                code = code ?? ApimoRecord.text(error["code"])
            case .some(let value):
                message = ApimoRecord.text(value)
            case .none:
                break
            }
            message = message ?? ApimoRecord.text(members["message"])
            if case .some(.object(let fields)) = members["errors"] {
                fieldErrors = fields.keys.sorted().map { name in
                    let value = fields[name]
                    let text =
                        value?.arrayValue?.compactMap(ApimoRecord.text).joined(separator: "; ")
                        ?? ApimoRecord.text(value) ?? "is invalid"
                    return FieldError(field: name, message: text)
                }
            }
        }
    }
}
