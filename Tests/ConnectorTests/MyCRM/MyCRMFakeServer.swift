import ConnectorKit
import Foundation
import Logging
import RealtyModel
import Synchronization

@testable import MyCRMConnector

/// A scripted webservice.php: it answers getchallenge and login itself (checking the md5 key and
/// the GET/POST split), tracks live sessions, and hands every other operation to the test.
final class MyCRMFakeServer: HTTPTransport {
    /// One request as the server saw it.
    struct Call: Sendable {
        var method: String
        var operation: String
        /// Parameters from the place the method allows (query for GET, form body for POST).
        var parameters: [String: String]
        /// Parameters found in the other place (should stay empty).
        var misplaced: [String: String]
        var url: URL
        var contentType: String?
        var body: String
    }

    typealias Handler = @Sendable (Call, Int) -> String

    static let username = "api.user"
    static let accessKey = "Ak3ySecretValue"
    static let token = "5f3a1c2b9d4e7"

    private struct State {
        var calls: [Call] = []
        var sessions: Set<String> = []
        var logins = 0
        var operationCounts: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let handler: Handler
    private let loginKey: String

    /// - Parameters:
    ///   - sessionKey: the login result's key for the session (`sessionName` or `sessionId`).
    ///   - handler: answers operations other than getchallenge and login (the body text); the
    ///     second argument counts calls of that operation from 0.
    init(sessionKey: String = "sessionName", handler: @escaping Handler) {
        self.handler = handler
        self.loginKey = sessionKey
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var logins: Int { state.withLock { $0.logins } }

    /// Forgets every session, as the server does when they expire.
    func expireSessions() { state.withLock { $0.sessions.removeAll() } }

    /// Whether `name` is a live session.
    func isLive(_ name: String?) -> Bool {
        guard let name else { return false }
        return state.withLock { $0.sessions.contains(name) }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let query = Self.queryParameters(request.url)
        let bodyText = String(decoding: request.body ?? Data(), as: UTF8.self)
        let form = request.method == .post ? Self.formParameters(bodyText) : [:]
        let parameters = request.method == .get ? query : form
        let misplaced = request.method == .get ? form : query.filter { $0.key != "operation" && $0.key != "sessionName" }
        let call = Call(
            method: request.method.rawValue, operation: parameters["operation"] ?? query["operation"] ?? "",
            parameters: parameters, misplaced: misplaced, url: request.url, contentType: request.headers["Content-Type"],
            body: bodyText)
        let index = state.withLock { state -> Int in
            state.calls.append(call)
            let count = state.operationCounts[call.operation, default: 0]
            state.operationCounts[call.operation] = count + 1
            return count
        }
        switch call.operation {
        case "getchallenge":
            guard call.method == "GET", parameters["username"] == Self.username else {
                return Self.failure("ACCESS_DENIED", "No username given")
            }
            return Self.ok(#"{"token":"\#(Self.token)","serverTime":1714550000,"expireTime":1714550300}"#)
        case "login":
            guard call.method == "POST", parameters["username"] == Self.username,
                parameters["accessKey"] == MyCRMLoginKey.compute(token: Self.token, accessKey: Self.accessKey)
            else {
                return Self.failure("INVALID_USER_CREDENTIALS", "Invalid username or password")
            }
            let session = state.withLock { state -> String in
                state.logins += 1
                let name = "sess\(state.logins)x\(UUID().uuidString.prefix(8))"
                state.sessions.insert(name)
                return name
            }
            return Self.ok(#"{"\#(loginKey)":"\#(session)","userId":"19x1","version":"0.22","vtigerVersion":"5.4.0"}"#)
        default:
            if call.operation != "logout", !isLive(parameters["sessionName"]) {
                return Self.failure("INVALID_SESSIONID", "Session Identifier provided is Invalid")
            }
            return TransportResponse(
                status: 200, headers: ["Content-Type": "application/json"], body: Data(handler(call, index).utf8))
        }
    }

    static func ok(_ result: String) -> TransportResponse {
        TransportResponse(
            status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"success":true,"result":\#(result)}"#.utf8))
    }

    static func failure(_ code: String, _ message: String) -> TransportResponse {
        TransportResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data(failureBody(code, message).utf8))
    }

    static func okBody(_ result: String) -> String { #"{"success":true,"result":\#(result)}"# }

    static func failureBody(_ code: String, _ message: String) -> String {
        #"{"success":false,"error":{"code":"\#(code)","message":"\#(message)"}}"#
    }

    static func queryParameters(_ url: URL) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? [] {
            result[item.name] = item.value ?? ""
        }
        return result
    }

    static func formParameters(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }
}

/// A log handler keeping every line, to prove no secret is logged.
final class MyCRMLogRecorder: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    private let storedMetadata = Mutex<Logger.Metadata>([:])

    var metadata: Logger.Metadata {
        get { storedMetadata.withLock { $0 } }
        set { storedMetadata.withLock { $0 = newValue } }
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { storedMetadata.withLock { $0[key] = newValue } }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.message) \(merged)") }
    }

    var all: String { lines.withLock { $0.joined(separator: "\n") } }
}

enum MyCRMTestSupport {
    static func configuration(baseURL: String = "http://127.0.0.1:9/crm", accessKey: String = MyCRMFakeServer.accessKey)
        -> ConnectorConfiguration
    {
        ConnectorConfiguration(
            connectionID: "mycrm-test", baseURL: URL(string: baseURL) ?? URL(fileURLWithPath: "/"),
            credentials: .mycrm(username: MyCRMFakeServer.username, accessKey: accessKey),
            limits: .init(maxConcurrency: 8, requestsPerSecond: 0),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50), maxRetryAfter: .seconds(1)))
    }

    static func connector(
        _ server: MyCRMFakeServer, clock: any ConnectorClock = ManualConnectorClock(autoAdvance: true),
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        accessKey: String = MyCRMFakeServer.accessKey
    ) throws -> MyCRMConnector {
        try MyCRMConnector(configuration: configuration(accessKey: accessKey), transport: server, clock: clock, logger: logger)
    }

    static func collect<R: HubRecord>(_ stream: AsyncThrowingStream<ConnectorPage<R>, any Error>) async throws -> [ConnectorPage<R>] {
        var pages: [ConnectorPage<R>] = []
        for try await page in stream { pages.append(page) }
        return pages
    }

    static func lead(_ id: Int, modified: String = "2024-05-01 09:14:57") -> String {
        #"{"id":"10x\#(id)","firstname":"First\#(id)","lastname":"Last\#(id)","email":"lead\#(id)@example.com","assigned_user_id":"19x1","modifiedtime":"\#(modified)","createdtime":"2024-04-01 08:00:00"}"#
    }

    static func contact(_ id: Int) -> String {
        #"{"id":"12x\#(id)","firstname":"C\#(id)","lastname":"Person\#(id)","email":"c\#(id)@example.com","assigned_user_id":"19x1","is_customer":"0","modifiedtime":"2024-05-02 10:00:00"}"#
    }
}
