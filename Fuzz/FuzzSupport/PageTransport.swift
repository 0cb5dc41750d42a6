public import ConnectorKit
public import Foundation
public import Logging
public import RealtyModel
import Synchronization

/// A vendor stand-in for the connector harnesses: it answers the sign-in requests with the
/// vendor's documented success (`signIn`), and every other request with the fuzzed page body
/// (status 200, JSON). After `maximumRequests` requests it answers no more (a transport error), so
/// a page that always claims "more" cannot keep a read going: that bounds each input without
/// hiding a parser failure, since every page still goes through the decoder first.
public final class PageTransport: HTTPTransport {
    public typealias SignIn = @Sendable (TransportRequest) -> TransportResponse?

    private let body: Data
    private let signIn: SignIn
    private let maximumRequests: Int
    private let sent = Mutex(0)

    public init(body: Data, maximumRequests: Int = 6, signIn: @escaping SignIn) {
        self.body = body
        self.signIn = signIn
        self.maximumRequests = maximumRequests
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        let count = sent.withLock { value -> Int in
            value += 1
            return value
        }
        guard count <= maximumRequests else { throw TransportError(.connectionClosed, "the fuzz harness ends this read") }
        if let answer = signIn(request) { return answer }
        return Self.json(body)
    }

    /// A 200 answer with a JSON body.
    public static func json(_ body: Data) -> TransportResponse {
        TransportResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
    }

    /// A 200 answer with a JSON text.
    public static func json(_ text: String) -> TransportResponse { json(Data(text.utf8)) }
}

/// Runs one input through a connector: the first byte picks the resource (and the read mode), the
/// rest is the page body every data request receives. Each input gets a new connector, so inputs
/// do not influence each other.
public enum PageHarness {
    public typealias MakeConnector = @Sendable (any HTTPTransport, any ConnectorClock, Logger) throws -> any Connector

    public static func run(_ input: UnsafeRawBufferPointer, signIn: @escaping PageTransport.SignIn, make: @escaping MakeConnector) {
        guard let selector = input.first else { return }
        let resources = ResourceName.allCases
        let resource = resources[Int(selector) % resources.count]
        let mode: ReadMode = selector & 0x80 == 0 ? .full : .incremental
        let body = Data(input.dropFirst())
        runBlocking {
            let transport = PageTransport(body: body, signIn: signIn)
            let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
            guard let connector = try? make(transport, ManualConnectorClock(autoAdvance: true), logger) else { return }
            switch resource {
            case .member: await drain(connector, Member.self, mode)
            case .office: await drain(connector, Office.self, mode)
            case .teams: await drain(connector, Team.self, mode)
            case .teamMembers: await drain(connector, TeamMember.self, mode)
            case .contacts: await drain(connector, Contact.self, mode)
            case .property: await drain(connector, Property.self, mode)
            case .development: await drain(connector, Development.self, mode)
            case .activity: await drain(connector, Activity.self, mode)
            case .media: await drain(connector, Media.self, mode)
            }
        }
    }

    /// Reads pages until the stream ends or throws (a thrown error is a correct answer to a bad page).
    private static func drain<R: HubRecord>(_ connector: any Connector, _ type: R.Type, _ mode: ReadMode) async {
        var pages = 0
        do {
            for try await page in connector.read(R.self, mode: mode, after: nil) {
                pages += 1
                _ = page.records.count
                if pages >= 8 { break }
            }
        } catch {
            _ = String(describing: error)
        }
    }

    /// The configuration every connector harness uses: a loopback base URL nothing listens on
    /// (the transport answers), one attempt per request (no backoff), no rate limit.
    public static func configuration(_ credentials: any VendorCredentials) -> ConnectorConfiguration {
        ConnectorConfiguration(
            connectionID: "fuzz", baseURL: URL(string: "http://127.0.0.1:9") ?? URL(fileURLWithPath: "/"), credentials: credentials,
            limits: .init(maxConcurrency: nil, requestsPerSecond: 0, dailyQuota: 0), retry: .none)
    }
}
