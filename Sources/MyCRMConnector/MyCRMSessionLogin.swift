import ConnectorKit
import Foundation
import RealtyModel

/// MyCRM's login exchange and how its session goes into requests, for ``SessionAuth``.
///
/// 1. `GET webservice.php?operation=getchallenge&username=<user>` → `{token, serverTime, expireTime}`.
/// 2. `POST webservice.php` form `operation=login&username=<user>&accessKey=<md5(token + access key)>`
///    → `{sessionName (or sessionId), userId, version}`.
///
/// The session lasts at most a day and dies after 30 minutes unused (the profile's
/// `challengeSession` facts); the ``TokenCache`` renews it before either. A login refused because
/// the challenge went stale (`INVALID_AUTH_TOKEN`) asks for a new challenge once.
///
/// Reading chosen: the webservice keeps one challenge per user (vtiger's user auth token table
/// holds one row per user), so another client logging in as the same user between our
/// `getchallenge` and our `login` replaces our token, and our hash is refused as
/// `INVALID_USER_CREDENTIALS` although the access key is right. Such a refusal is tried again
/// with a new challenge after a short random pause, at most twice (a wrong access key costs
/// three logins, then fails as before).
struct MyCRMSessionLogin: Sendable {
    let webserviceURL: URL
    let username: String
    let accessKey: String
    let idleTimeout: Duration
    let absoluteLifetime: Duration

    /// How many times a login refused as `INVALID_USER_CREDENTIALS` is tried again.
    static let raceRetries = 2

    /// Session attribute holding the logged-in user's webservice id (`19x1`).
    static let userIDAttribute = "userId"

    /// Logs in and returns the session.
    ///
    /// - Throws: ``ConnectorError``: `.auth` naming the connection when the user or access key
    ///   is refused; the classified error when the server fails otherwise.
    func login(_ context: AuthContext) async throws -> AuthSession {
        var attempt = 0
        while true {
            attempt += 1
            let challengeResult = try await exchange(
                context, operation: .getChallenge, request: try challengeRequest(context))
            guard let challenge = MyCRMChallenge(result: challengeResult) else {
                throw ConnectorError(
                    .invalidResponse, vendor: .mycrm, message: "getchallenge answered no token",
                    connectionID: context.connectionID, operation: MyCRMOperation.getChallenge.operationName)
            }
            let started = context.clock.now()
            let result: JSONValue
            do {
                result = try await exchange(context, operation: .login, request: loginRequest(context, token: challenge.token))
            } catch let error as ConnectorError where error.vendorCode == "INVALID_AUTH_TOKEN" && attempt == 1 {
                continue
            } catch let error as ConnectorError where error.vendorCode == "INVALID_USER_CREDENTIALS" && attempt <= Self.raceRetries {
                // Perhaps another login of this user replaced our challenge: pause a little
                // (so two racing clients do not collide again) and ask for a new one.
                _ = error
                try await context.clock.sleep(for: .milliseconds(Int.random(in: 50...300)))
                continue
            }
            guard let session = MyCRMSession(result: result) else {
                throw ConnectorError(
                    .invalidResponse, vendor: .mycrm, message: "login answered neither sessionName nor sessionId",
                    connectionID: context.connectionID, operation: MyCRMOperation.login.operationName)
            }
            var attributes: [String: String] = [:]
            if let userID = session.userID { attributes[Self.userIDAttribute] = userID }
            if let version = session.version { attributes["version"] = version }
            if let vtigerVersion = session.vtigerVersion { attributes["vtigerVersion"] = vtigerVersion }
            return AuthSession(
                secret: session.sessionName, obtainedAt: started,
                expiresAt: started.addingTimeInterval(absoluteLifetime.secondsValue), idleTimeout: idleTimeout,
                attributes: attributes)
        }
    }

    private func challengeRequest(_ context: AuthContext) throws -> TransportRequest {
        let operation = MyCRMOperation.getChallenge
        guard
            let url = webserviceURL.appending(
                endpoint: "",
                query: [URLQueryItem(name: "operation", value: operation.rawValue), URLQueryItem(name: "username", value: username)])
        else {
            throw ConnectorError(
                .configuration, vendor: .mycrm, message: "cannot build the getchallenge URL",
                connectionID: context.connectionID)
        }
        return TransportRequest(
            method: operation.method, url: url, headers: ["Accept": "application/json"], timeout: context.timeout,
            operationName: operation.operationName)
    }

    private func loginRequest(_ context: AuthContext, token: String) -> TransportRequest {
        let operation = MyCRMOperation.login
        let body = FormEncoding.encode([
            ("operation", operation.rawValue), ("username", username),
            ("accessKey", MyCRMLoginKey.compute(token: token, accessKey: accessKey)),
        ])
        return TransportRequest(
            method: operation.method, url: webserviceURL,
            headers: ["Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"], body: body,
            timeout: context.timeout, isIdempotent: operation.isIdempotent, operationName: operation.operationName)
    }

    /// Sends one step of the login and returns its `result`.
    private func exchange(_ context: AuthContext, operation: MyCRMOperation, request: TransportRequest) async throws
        -> JSONValue
    {
        let response = try await context.send(request)
        if var failure = MyCRMErrors.decode(response, operation: operation.rawValue, redactor: context.redactor) {
            failure = failure.attributed(connectionID: context.connectionID, operation: operation.operationName)
            // Any refusal of the user (unknown user: ACCESS_DENIED on vtiger 8) is an auth failure.
            if failure.kind == .auth || failure.kind == .permission || failure.kind == .notFound {
                var auth = context.authError(
                    "\(context.vendor.displayName) refused the login of user \"\(username)\" (\(failure.message))",
                    status: response.status, vendorCode: failure.vendorCode)
                auth.operation = operation.operationName
                throw auth
            }
            throw failure
        }
        let envelope: MyCRMEnvelope
        do {
            envelope = try MyCRMEnvelope(parsing: response.body)
        } catch {
            var failure = ConnectorError.invalidResponse(
                decoding: error, vendor: .mycrm, what: "the answer to \(operation.rawValue)", httpStatus: response.status)
            failure.connectionID = context.connectionID
            throw failure
        }
        guard let result = envelope.result, !result.isNull else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "\(operation.rawValue) answered success without a result",
                httpStatus: response.status, connectionID: context.connectionID, operation: operation.operationName)
        }
        return result
    }

    /// Puts the session into a request: the `sessionName` query parameter of a GET, or a
    /// `sessionName` field appended to the form body of a POST.
    static func apply(_ request: inout TransportRequest, _ session: AuthSession) throws {
        if request.method == .get {
            guard
                let url = request.url.appending(
                    endpoint: "", query: [URLQueryItem(name: "sessionName", value: session.secret)])
            else {
                throw ConnectorError(.configuration, vendor: .mycrm, message: "cannot add the session to the request URL")
            }
            request.url = url
        } else {
            var body = request.body ?? Data()
            if !body.isEmpty { body.append(UInt8(ascii: "&")) }
            body.append(FormEncoding.encode([("sessionName", session.secret)]))
            request.body = body
        }
    }
}
