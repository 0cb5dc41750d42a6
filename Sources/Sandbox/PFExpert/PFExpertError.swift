import HTTPTypes
import Hummingbird
import RealtyModel

/// An error answered in PF Expert's shape: `{"<key>": "<Code>", "messages": ["..."]}`.
///
/// Reading of the seed: the key is the resource key of the route (`user` on `/users/...`,
/// `lead` on `/leads/...`); on a path that is no resource at all the key is `error`. The seed
/// only shows 404 in this shape; the emulator uses it for every 4xx/5xx of the API routes
/// (the token endpoint, on its own host, answers OAuth-style errors instead).
struct PFExpertError: Error, Sendable {
    /// The codes listed by the seed.
    enum Code: String, Sendable {
        case resourceNotFound = "ResourceNotFound"
        case invalidRequest = "InvalidRequest"
        case methodNotAllowed = "MethodNotAllowed"
        case internalError = "InternalError"
        case authenticationError = "AuthenticationError"
        case accessDenied = "AccessDenied"
        case invalidAction = "InvalidAction"

        var status: HTTPResponse.Status {
            switch self {
            case .resourceNotFound: .notFound
            case .invalidRequest, .invalidAction: .badRequest
            case .methodNotAllowed: .methodNotAllowed
            case .internalError: .internalServerError
            case .authenticationError: .unauthorized
            case .accessDenied: .forbidden
            }
        }
    }

    var code: Code
    var key: String
    var messages: [String]
    var headers: HTTPFields = [:]

    init(_ code: Code, key: String, _ messages: [String], headers: HTTPFields = [:]) {
        self.code = code
        self.key = key
        self.messages = messages
        self.headers = headers
    }

    init(_ code: Code, resource: PFResource?, _ messages: String..., headers: HTTPFields = [:]) {
        self.init(code, key: resource?.singularKey ?? "error", messages, headers: headers)
    }

    func response() -> Response {
        let body: JSONValue = .object([key: .string(code.rawValue), "messages": .array(messages.map { .string($0) })])
        return SandboxJSON.response(body, status: code.status, headers: headers)
    }
}

/// The OAuth-style error of the token endpoint (`{"error": "invalid_client", ...}`, RFC 6749
/// section 5.2). The seed does not document the token endpoint's errors; this is the reading
/// an OAuth2 server gives.
struct PFExpertTokenError: Error, Sendable {
    var status: HTTPResponse.Status
    var error: String
    var description: String

    func response() -> Response {
        var headers: HTTPFields = [:]
        if status == .unauthorized {
            headers[.wwwAuthenticate] = "Basic realm=\"PF Expert\""
        }
        headers[.cacheControl] = "no-store"
        return SandboxJSON.response(
            ["error": .string(error), "error_description": .string(description)] as JSONValue,
            status: status, headers: headers)
    }
}
