import Foundation
import HTTPTypes
public import Hummingbird
import RealtyModel

/// The Resales Online "PropQ" API 1.7.0 (new-development updates).
///
/// | method | path | answer |
/// | --- | --- | --- |
/// | POST | `/oauth/token` | form-urlencoded or multipart form: `grant_type=client_credentials`, integer `client_id`, `client_secret` → `{"token_type","expires_in","access_token"}` |
/// | GET | `/api/v1/iam/me` (also `/v1/iam/me`) | the authenticated client |
/// | POST | `/v1/developments/{id}/units/update-by-name` (also under `/api/v1`) | the updated unit |
/// | POST | `/v1/developments/{id}/publish` (also under `/api/v1`) | `{"DevId","DevStatus"}` |
/// | GET | `/v1/developments/{id}/publish-status` (also under `/api/v1`) | `{"DevStatus"}` |
///
/// Errors, checked in this order (as a Laravel application routes, then runs middleware):
/// unknown path 404 `{"message":"Not Found."}`; a known path with another method 419 (the seed's
/// own, non-standard code); outside `/oauth/token`, a missing or non-JSON `Content-Type` 302 to
/// the site root (the seed: "3xx: the Content-Type may be missing"); a missing, unknown or expired
/// token 401 `{"message":"Unauthenticated."}`; an unknown development 404; a development of another
/// client 403 `{"message":"This action is unauthorized."}`; invalid input 422 with field errors.
/// Token errors use the OAuth2 shape of Laravel Passport (`error`, `error_description`, `hint`,
/// `message`): 400 for a malformed request (including a non-integer `client_id`), 401 for
/// unknown client credentials.
///
/// The seed's example calls `/api/v1/iam/me` while its endpoint list uses `/v1/developments/...`;
/// both prefixes are served for every endpoint.
public final class PropQEmulator: VendorEmulator {
    public static let vendor = SandboxVendor.propq

    private let settings: EmulatorSettings
    private let writeLog: WriteLog
    let state: PropQState

    public init(settings: EmulatorSettings, clock: SandboxClock, writeLog: WriteLog) {
        self.settings = settings
        self.writeLog = writeLog
        self.state = PropQState(settings: settings, clock: clock)
    }

    public var demoCredentials: [String: String] {
        let demo = PropQState.credentials(clientID: PropQState.demoClientID, seed: settings.seed)
        return ["client_id": String(demo.id), "client_secret": demo.secret]
    }

    public func control(_ request: ControlRequest) async throws -> ControlResponse {
        try await state.control(request)
    }

    public func addRoutes(to router: Router<SandboxRequestContext>) {
        router.add(middleware: VendorNotFoundMiddleware { _ in PropQResponse.message("Not Found.", status: .notFound) })
        route(router, ["oauth/token"], method: .post) { [self] request, _ in
            await token(request)
        }
        for prefix in ["v1", "api/v1"] {
            route(router, ["\(prefix)/iam/me"], method: .get) { [self] request, _ in
                await authenticated(request) { client in
                    // The document shows this call only in its PHP example ("the information of
                    // the current user") and never what it answers; the emulator answers the
                    // client's identity and lists nothing the document does not name (no
                    // developments: PropQ documents no way to list them).
                    let body: JSONValue = [
                        "id": .int(client.id), "name": .string(client.name), "email": .string(client.email), "type": "client",
                    ]
                    return PropQResponse.json(body)
                }
            }
            route(router, ["\(prefix)/developments/:development_id/units/update-by-name"], method: .post) {
                [self] request, context in
                await authenticated(request) { client in
                    await updateByName(request, context: context, client: client)
                }
            }
            route(router, ["\(prefix)/developments/:development_id/publish"], method: .post) { [self] request, context in
                await authenticated(request) { client in
                    await publish(context: context, client: client, body: request)
                }
            }
            route(router, ["\(prefix)/developments/:development_id/publish-status"], method: .get) {
                [self] request, context in
                await authenticated(request) { client in
                    await publishStatus(context: context, client: client)
                }
            }
        }
    }

    /// Registers `handler` for `method` on each path, and a 419 answer for every other method.
    private func route(
        _ router: Router<SandboxRequestContext>,
        _ paths: [String],
        method: HTTPRequest.Method,
        handler: @escaping @Sendable (Request, SandboxRequestContext) async -> Response
    ) {
        for path in paths {
            router.on(path, serving: [method: handler]) { request in
                PropQResponse.wrongMethod(request.method, allowed: method)
            }
        }
    }

    // MARK: - Token

    private func token(_ request: Request) async -> Response {
        let body: Data
        do {
            body = try await SandboxJSON.body(of: request)
        } catch {
            return PropQResponse.oauthError(
                status: .badRequest, error: "invalid_request", description: PropQResponse.malformedDescription,
                hint: "The request body could not be read or is too large.")
        }
        let contentType = request.headers[.contentType]
        if let contentType, MediaType(contentType).type == "application/json" {
            // The seed: the token request "do not accept a JSON body" and must not carry this header.
            return PropQResponse.oauthError(
                status: .badRequest, error: "invalid_request", description: PropQResponse.malformedDescription,
                hint: "Send the token request as application/x-www-form-urlencoded or multipart/form-data, not JSON.")
        }
        let form: FormBody
        do {
            guard let parsed = try FormBody.parse(contentType: contentType, body: Array(body)) else {
                return PropQResponse.oauthError(
                    status: .badRequest, error: "unsupported_grant_type",
                    description: "The authorization grant type is not supported by the authorization server.",
                    hint: "Check that all required parameters have been provided")
            }
            form = parsed
        } catch {
            return PropQResponse.oauthError(
                status: .badRequest, error: "invalid_request", description: PropQResponse.malformedDescription,
                hint: "The form body is malformed: \(error.description).")
        }
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            return PropQResponse.oauthError(
                status: .badRequest, error: "unsupported_grant_type",
                description: "The authorization grant type is not supported by the authorization server.",
                hint: "Check that all required parameters have been provided")
        }
        guard grantType == "client_credentials" else {
            return PropQResponse.oauthError(
                status: .badRequest, error: "unsupported_grant_type",
                description: "The authorization grant type is not supported by the authorization server.",
                hint: "Only the client_credentials grant is supported.")
        }
        guard let rawClientID = form["client_id"], !rawClientID.isEmpty else {
            return PropQResponse.oauthError(
                status: .badRequest, error: "invalid_request", description: PropQResponse.malformedDescription,
                hint: "Check the `client_id` parameter")
        }
        guard let clientID = Int(rawClientID) else {
            return PropQResponse.oauthError(
                status: .badRequest, error: "invalid_request", description: PropQResponse.malformedDescription,
                hint: "The `client_id` parameter must be an integer")
        }
        guard let secret = form["client_secret"], !secret.isEmpty else {
            return PropQResponse.oauthError(
                status: .badRequest, error: "invalid_request", description: PropQResponse.malformedDescription,
                hint: "Check the `client_secret` parameter")
        }
        guard let client = await state.authenticate(clientID: clientID, secret: secret) else {
            return PropQResponse.oauthError(
                status: .unauthorized, error: "invalid_client", description: "Client authentication failed", hint: nil)
        }
        let issued = await state.issueToken(for: client)
        return PropQResponse.json([
            "token_type": "Bearer", "expires_in": .int(issued.expiresIn), "access_token": .string(issued.token),
        ])
    }

    // MARK: - Authenticated endpoints

    /// Runs `body` for a request that carries `Content-Type: application/json` and a valid token.
    private func authenticated(
        _ request: Request, _ body: (PropQState.Client) async -> Response
    ) async -> Response {
        guard let contentType = request.headers[.contentType], MediaType(contentType).type == "application/json" else {
            return PropQResponse.redirectToRoot(request)
        }
        guard let authorization = request.headers[.authorization],
            let token = PropQResponse.bearerToken(authorization),
            let client = await state.client(forToken: token)
        else {
            return PropQResponse.message("Unauthenticated.", status: .unauthorized)
        }
        return await body(client)
    }

    private func refusal(_ refusal: PropQState.Refusal, unitName: String? = nil) -> Response {
        switch refusal {
        case .developmentNotFound:
            PropQResponse.message("Development not found.", status: .notFound)
        case .forbidden:
            PropQResponse.message("This action is unauthorized.", status: .forbidden)
        case .unitNotFound:
            // The unit name is input, so an unknown one fails validation (Laravel's `exists` rule).
            PropQResponse.json(
                PropQValidation.errorBody([("UntName", ["The selected unt name is invalid."])]),
                status: .unprocessableContent)
        }
    }

    private func updateByName(_ request: Request, context: SandboxRequestContext, client: PropQState.Client) async -> Response {
        let developmentID = context.parameters.get("development_id") ?? ""
        let body: Data
        do {
            body = try await SandboxJSON.body(of: request)
        } catch {
            return PropQResponse.message("The request body could not be read or is too large.", status: .badRequest)
        }
        // Ownership and existence come before validation, as a route-model binding would.
        do {
            _ = try await state.publishStatus(developmentID: developmentID, clientID: client.id)
        } catch {
            return refusal(error)
        }
        switch PropQValidation.validate(body) {
        case .notJSON:
            return PropQResponse.message("The request body is not valid JSON.", status: .badRequest)
        case .invalid(let errors):
            return PropQResponse.json(PropQValidation.errorBody(errors), status: .unprocessableContent)
        case .valid(let update):
            do {
                let unit = try await state.updateUnit(developmentID: developmentID, clientID: client.id, update: update)
                writeLog.record(
                    vendor: .propq, resource: "units", operation: .update,
                    id: unit["UntId"]?.scalarText ?? update.name,
                    keys: ["development_id": developmentID, "name": update.name], rawBody: body)
                return PropQResponse.json(unit)
            } catch {
                return refusal(error)
            }
        }
    }

    private func publish(context: SandboxRequestContext, client: PropQState.Client, body request: Request) async -> Response {
        let developmentID = context.parameters.get("development_id") ?? ""
        let body = (try? await SandboxJSON.body(of: request)) ?? Data()
        do {
            let status = try await state.publish(developmentID: developmentID, clientID: client.id)
            writeLog.record(
                vendor: .propq, resource: "developments", operation: "publish", id: developmentID,
                keys: ["development_id": developmentID], rawBody: body)
            return PropQResponse.json(["DevId": .string(developmentID), "DevStatus": .string(status)])
        } catch {
            return refusal(error)
        }
    }

    private func publishStatus(context: SandboxRequestContext, client: PropQState.Client) async -> Response {
        let developmentID = context.parameters.get("development_id") ?? ""
        do {
            let status = try await state.publishStatus(developmentID: developmentID, clientID: client.id)
            return PropQResponse.json(["DevStatus": .string(status)])
        } catch {
            return refusal(error)
        }
    }
}

/// Response builders in the PropQ (Laravel) shapes.
enum PropQResponse {
    static let malformedDescription =
        "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed."

    static func json(_ body: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        SandboxJSON.response(body, status: status, headers: headers, contentType: "application/json")
    }

    static func message(_ text: String, status: HTTPResponse.Status) -> Response {
        json(["message": .string(text)], status: status)
    }

    /// The seed's 419 for a wrong method, with Laravel's method-not-allowed message.
    static func wrongMethod(_ method: HTTPRequest.Method, allowed: HTTPRequest.Method) -> Response {
        json(
            ["message": .string("The \(method.rawValue) method is not supported for this route. Supported methods: \(allowed.rawValue).")],
            status: HTTPResponse.Status(code: 419, reasonPhrase: "Page Expired"),
            headers: [.allow: allowed.rawValue])
    }

    /// An OAuth2 error as Laravel Passport writes it.
    static func oauthError(status: HTTPResponse.Status, error: String, description: String, hint: String?) -> Response {
        var body: JSONValue = ["error": .string(error), "error_description": .string(description), "message": .string(description)]
        if let hint { body["hint"] = .string(hint) }
        return json(body, status: status)
    }

    /// The seed's 3xx for a missing or wrong `Content-Type`: a redirect to the site root, as
    /// Laravel answers a request it does not treat as an API call.
    static func redirectToRoot(_ request: Request) -> Response {
        let host = PropQResponse.requestHost(request)
        let location = host.map { "http://\($0)/" } ?? "/"
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="UTF-8" /><meta http-equiv="refresh" content="0;url='\(location)'" />
            <title>Redirecting to \(location)</title></head><body>Redirecting to <a href="\(location)">\(location)</a>.</body></html>
            """
        return Response(
            status: .found,
            headers: [.location: location, .contentType: "text/html; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The host the request was sent to: the `Host` header, which HTTP/1 servers turn into the
    /// request's authority.
    static func requestHost(_ request: Request) -> String? {
        if let name = HTTPField.Name("Host"), let host = request.headers[name] { return host }
        return request.head.authority
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
