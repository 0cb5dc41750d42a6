public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A webhook receiver for tests on 127.0.0.1, port 0: it keeps every POST to `/hook` or
/// `/hook/<name>` (path, headers, body), waits `delay` (so a test can kill a sender mid-send),
/// then answers with the next status of its script (204 once the script is spent).
public final class WebhookTestReceiver: Sendable {
    public struct Received: Sendable {
        /// `/hook` or `/hook/<name>`.
        public var path: String
        /// By lowercased name.
        public var headers: [String: String]
        public var body: Data
    }

    /// What the server's handler shares with the receiver.
    private final class State: Sendable {
        let messages = Mutex<[Received]>([])
        let script: Mutex<[Int]>
        init(script: [Int]) { self.script = Mutex(script) }
    }

    private let state: State
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    /// `http://127.0.0.1:<port>/hook`.
    public let url: String

    /// What arrived so far, in arrival order.
    public var received: [Received] { state.messages.withLock { $0 } }

    public static func start(script: [Int] = [], delay: Duration = .zero) async throws -> WebhookTestReceiver {
        let state = State(script: script)
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let message = Received(path: request.uri.path, headers: headers, body: Data(buffer.readableBytesView))
            state.messages.withLock { $0.append(message) }
            if delay > .zero { try await Task.sleep(for: delay) }
            let status = state.script.withLock { $0.isEmpty ? 204 : $0.removeFirst() }
            return Response(status: HTTPResponse.Status(code: status))
        }
        router.post("/hook", use: handler)
        router.post("/hook/:name", use: handler)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "webhook-test-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return WebhookTestReceiver(state: state, group: group, task: task, url: "http://127.0.0.1:\(port)/hook")
    }

    private init(state: State, group: ServiceGroup, task: Task<Void, any Error>, url: String) {
        self.state = state
        self.group = group
        self.task = task
        self.url = url
    }

    /// Stops the server (requests in flight finish).
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
