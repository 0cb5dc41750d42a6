import ConnectorKit
import Foundation
import Logging
import PFExpertConnector
import Synchronization

/// A transport answering from a closure and recording every request, for executor tests.
final class KitScriptedTransport: HTTPTransport {
    typealias Handler = @Sendable (TransportRequest, Int) async throws -> TransportResponse

    private let handler: Handler
    private let recorded = Mutex<[TransportRequest]>([])

    /// - Parameter handler: answers a request; the second argument is its 0-based index.
    init(_ handler: @escaping Handler) { self.handler = handler }

    var requests: [TransportRequest] { recorded.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let index = recorded.withLock { list -> Int in
            list.append(request)
            return list.count - 1
        }
        return try await handler(request, index)
    }
}

/// A counter shared between a test and the closures it hands out.
final class KitCallCounter: Sendable {
    private let value = Mutex(0)
    @discardableResult func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
    var count: Int { value.withLock { $0 } }
}

/// A log handler keeping every rendered message with its metadata, to check nothing secret is logged.
final class KitRecordingLogHandler: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    private let storedMetadata = Mutex<Logger.Metadata>([:])
    private let storedLevel = Mutex<Logger.Level>(.trace)

    var metadata: Logger.Metadata {
        get { storedMetadata.withLock { $0 } }
        set { storedMetadata.withLock { $0 = newValue } }
    }
    var logLevel: Logger.Level {
        get { storedLevel.withLock { $0 } }
        set { storedLevel.withLock { $0 = newValue } }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { storedMetadata.withLock { $0[key] = newValue } }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.level) \(event.message) \(rendered)") }
    }

    var all: String { lines.withLock { $0.joined(separator: "\n") } }
}

enum KitFixtures {
    static let silentLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func json(_ text: String, status: Int = 200, headers: TransportHeaders = ["Content-Type": "application/json"])
        -> TransportResponse
    {
        TransportResponse(status: status, headers: headers, body: Data(text.utf8))
    }

    static func configuration(
        _ credentials: any VendorCredentials, baseURL: String = "http://127.0.0.1:9/api", authURL: String? = nil,
        retry: RetryPolicy? = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5)),
        limits: ConnectorConfiguration.LimitOverrides = .init()
    ) -> ConnectorConfiguration {
        ConnectorConfiguration(
            connectionID: "conn-1", baseURL: URL(string: baseURL)!, authURL: authURL.flatMap(URL.init(string:)),
            credentials: credentials, limits: limits, retry: retry)
    }

    /// A profile like PF Expert's, without rate limits so tests run instantly.
    static func oauthProfile(lifetime: Duration? = .seconds(1800)) -> VendorProfile {
        VendorProfile(
            vendor: .pfExpert, defaultBaseURL: "https://api-v2.mycrm.com", defaultAuthBaseURL: "https://auth.propertyfinder.com",
            auth: .oauth2ClientCredentials(
                tokenPath: "/auth/oauth/v1/token", body: .basicWithJSONBody(scope: "openid"), defaultLifetime: lifetime),
            paging: .init(style: .pageNumber, defaultPageSize: 100, maxPageSize: 100),
            rateLimits: RateLimits(maxConcurrency: 16))
    }
}
