import Crypto
import Foundation
import RealtyModel

/// The webservice's challenge and session bookkeeping, as a pure value type: every method takes
/// the current time, so expiry is tested without a clock or sleeping.
///
/// Rules (vtiger `vtws_getchallenge`, `vtws_login`, `SessionManager`):
/// - a challenge token lives 300 s; a new challenge replaces the user's previous token; the token
///   is not consumed by login, so it can be reused while it lives;
/// - login sends `md5(token + accessKey)` in lower-case hex;
/// - a session expires 86,400 s after login (`SESSION_EXPIRED`) or after 1,800 s without use
///   (`SESSION_LEFT_IDLE`); the idle limit is configurable (the sandbox's `tokenTTL`);
/// - an expired or idle session is destroyed when detected, so using it again answers
///   `INVALID_SESSIONID`, as does an id that never existed.
struct MyCRMAuthState: Sendable {
    /// A live challenge.
    struct Challenge: Sendable, Equatable {
        var token: String
        var issuedAt: Int
        var expiresAt: Int
    }

    /// A logged-in session.
    struct Session: Sendable, Equatable {
        var name: String
        var userID: String
        var createdAt: Date
        var lastUsedAt: Date
    }

    /// Lifetime of a challenge token, in seconds.
    static let challengeLifetime = 300
    /// Absolute session lifetime.
    static let defaultAbsoluteLifetime: TimeInterval = 86_400
    /// Idle limit of a session.
    static let defaultIdleLifetime: TimeInterval = 1_800

    var idleLifetime: TimeInterval
    var absoluteLifetime: TimeInterval
    private(set) var challenges: [String: Challenge] = [:]
    private(set) var sessions: [String: Session] = [:]

    init(idleLifetime: TimeInterval = defaultIdleLifetime, absoluteLifetime: TimeInterval = defaultAbsoluteLifetime) {
        self.idleLifetime = idleLifetime
        self.absoluteLifetime = absoluteLifetime
    }

    /// Issues a challenge for `username`, replacing any earlier one.
    /// - Parameters:
    ///   - username: a known user name (checked by the caller).
    ///   - token: the new token (13 hex characters, like PHP's `uniqid()`).
    ///   - now: current time.
    mutating func challenge(username: String, token: String, now: Date) -> Challenge {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        let challenge = Challenge(token: token, issuedAt: seconds, expiresAt: seconds + Self.challengeLifetime)
        challenges[username] = challenge
        return challenge
    }

    /// Checks a login and opens a session.
    /// - Parameters:
    ///   - username: the user logging in.
    ///   - accessKeyHash: the `accessKey` parameter, `md5(token + accessKey)`.
    ///   - userAccessKey: the user's stored access key, `nil` if it has none.
    ///   - userID: the user's webservice id.
    ///   - sessionName: the id to give the new session.
    ///   - now: current time.
    /// - Throws: `INVALID_AUTH_TOKEN` without a live challenge, `ACCESSKEY_UNDEFINED`,
    ///   `INVALID_USER_CREDENTIALS` for a wrong hash.
    mutating func login(
        username: String, accessKeyHash: String, userAccessKey: String?, userID: String, sessionName: String, now: Date
    ) throws(MyCRMError) -> Session {
        guard let challenge = challenges[username],
            Int(now.timeIntervalSince1970.rounded(.down)) < challenge.expiresAt
        else {
            challenges[username] = nil
            throw MyCRMError(.invalidAuthToken, "Specified token is invalid or expired")
        }
        guard let userAccessKey, !userAccessKey.isEmpty else {
            throw MyCRMError(.accessKeyUndefined, "Access key for the user is undefined")
        }
        // The vendor compares with strcmp: the hash must be lower-case hex.
        guard Self.md5Hex(challenge.token + userAccessKey) == accessKeyHash else {
            throw MyCRMError(.invalidUserCredentials, "Invalid username or password")
        }
        let session = Session(name: sessionName, userID: userID, createdAt: now, lastUsedAt: now)
        sessions[sessionName] = session
        return session
    }

    /// Validates a session for a request and marks it used.
    /// - Parameters:
    ///   - sessionName: the `sessionName` parameter; `nil` or empty when absent.
    ///   - now: current time.
    /// - Returns: the session.
    /// - Throws: `AUTHENTICATION_REQUIRED` without a session id, `INVALID_SESSIONID` for an unknown
    ///   one, `SESSION_EXPIRED` / `SESSION_LEFT_IDLE` (destroying the session) when it timed out.
    mutating func use(sessionName: String?, now: Date) throws(MyCRMError) -> Session {
        guard let sessionName, !sessionName.isEmpty, sessionName.lowercased() != "null" else {
            throw MyCRMError.authenticationRequired
        }
        guard var session = sessions[sessionName] else {
            throw MyCRMError(.invalidSessionID, "Session Identifier provided is Invalid")
        }
        if now.timeIntervalSince(session.createdAt) >= absoluteLifetime {
            sessions[sessionName] = nil
            throw MyCRMError(.sessionExpired, "Session has life span over please login again")
        }
        if now.timeIntervalSince(session.lastUsedAt) >= idleLifetime {
            sessions[sessionName] = nil
            throw MyCRMError(.sessionLeftIdle, "Session has been invalidated to due lack activity")
        }
        session.lastUsedAt = now
        sessions[sessionName] = session
        return session
    }

    /// Ends every session and drops every challenge (revoked before expiry); returns how many
    /// sessions there were. Using a revoked session answers `INVALID_SESSIONID`.
    mutating func revokeAllTokens() -> Int {
        defer {
            sessions.removeAll()
            challenges.removeAll()
        }
        return sessions.count
    }

    /// Ends a session (after `use` validated it).
    mutating func logout(sessionName: String) {
        sessions[sessionName] = nil
    }

    /// `md5(text)` in lower-case hex, as PHP's `md5()` of a UTF-8 string: the login's proof of
    /// the access key. MD5 is broken as a cryptographic hash; it is used only because the
    /// vendor's protocol demands it, never to protect anything of ours.
    static func md5Hex(_ text: String) -> String {
        ByteEncoding.hex(Insecure.MD5.hash(data: Data(text.utf8)))
    }
}
