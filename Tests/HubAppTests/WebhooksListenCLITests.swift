import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import Logging
import RealtyModel
import ServiceLifecycle
import SyncEngine
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `realtyhub webhooks listen` as a user runs it: through the data folder (a signed test
/// message printed, a forged one refused, the subscription gone after Ctrl-C) and through a
/// hub's API with `--hub` (created, used and deleted over HTTP; a refusal told with its details).
@Suite struct WebhooksListenCLITests {
    /// The binary running in the background, its output collected as it comes.
    final class Background: Sendable {
        /// What the process wrote so far.
        final class Output: Sendable {
            private let lock = Mutex<(stdout: String, stderr: String)>(("", ""))
            var stdout: String { lock.withLock { $0.stdout } }
            var stderr: String { lock.withLock { $0.stderr } }
            func append(stdout text: String) { lock.withLock { $0.stdout += text } }
            func append(stderr text: String) { lock.withLock { $0.stderr += text } }
        }

        let process: Process
        private let output = Output()

        var stdout: String { output.stdout }
        var stderr: String { output.stderr }

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            let (process, out, err) = CLITests.piped(executable: try CLITests.binary(), arguments, environment: environment)
            self.process = process
            out.fileHandleForReading.readabilityHandler = { [output] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                output.append(stdout: text)
            }
            err.fileHandleForReading.readabilityHandler = { [output] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                output.append(stderr: text)
            }
            try process.run()
        }

        /// Waits up to `seconds` for `condition` on the output so far.
        @discardableResult
        func wait(_ seconds: Double = 30, for condition: (String, String) -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition(stdout, stderr) { return true }
                if !process.isRunning { return condition(stdout, stderr) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return condition(stdout, stderr)
        }

        /// Sends `signal` and waits for the exit status.
        func stop(_ signal: Int32) async throws -> Int32 {
            if process.isRunning { kill(process.processIdentifier, signal) }
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning {
                process.terminate()
                return -1
            }
            // Let the last output arrive.
            try await Task.sleep(for: .milliseconds(100))
            return process.terminationStatus
        }
    }

    /// The receiver's URL and subscription id from the banner.
    static func banner(_ stderr: String) -> (url: String, id: String)? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("Listening on ") }) else { return nil }
        let words = line.split(separator: " ")
        guard words.count > 2, let subscription = words.firstIndex(of: "(subscription"), subscription + 1 < words.count else { return nil }
        return (String(words[2]), String(words[subscription + 1].trimmingCharacters(in: CharacterSet(charactersIn: ","))))
    }

    @Test func listensThroughTheDataFolderAndRemovesItsSubscription() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-listen-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = ["--data-dir", directory.path]
        let migrated = try CLITests.run(["migrate"] + data)
        #expect(migrated.status == 0, "\(migrated.stderr)")

        let listener = try Background(["webhooks", "listen", "--events", "contacts.* delivery.dead"] + data)
        defer { if listener.process.isRunning { listener.process.terminate() } }
        try await listener.wait { _, stderr in Self.banner(stderr) != nil }
        guard let (url, id) = Self.banner(listener.stderr) else {
            Issue.record("no banner: \(listener.stderr)")
            return
        }
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/") && id.hasPrefix("wh_"))
        #expect(listener.stderr.contains("must allow private targets (--allow-private-webhook-targets"))

        // The port taken: told, nothing subscribed.
        let port = try #require(URL(string: url)?.port)
        let taken = try CLITests.run(["webhooks", "listen", "--port", String(port)] + data)
        #expect(taken.status == 1 && taken.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(taken.stderr)")

        let listed = try CLITests.run(["webhooks", "list"] + data)
        #expect(listed.stdout.contains("\(id)  default  enabled  \(url)  contacts.*,delivery.dead"), "\(listed.stdout)")

        // A signed test message from another process on the same data folder.
        let tested = try CLITests.run(["webhooks", "test", id, "--allow-private-webhook-targets"] + data)
        #expect(tested.status == 0 && tested.stdout.contains("answered HTTP 204"), "\(tested.stdout) \(tested.stderr)")
        try await listener.wait { stdout, _ in stdout.contains("  webhook.test  test_") }
        let line = try #require(listener.stdout.split(separator: "\n").first)
        #expect(line.hasSuffix("{\"webhook_id\":\"\(id)\"}"), "\(line)")
        #expect(line.range(of: #"^\d\d:\d\d:\d\d  webhook\.test  test_\S+  "#, options: .regularExpression) != nil, "\(line)")

        // A forged one: refused with the reason, printed on standard error.
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.httpBody = Data(#"{"type":"contacts.created","data":{}}"#.utf8)
        request.setValue("evt_forged", forHTTPHeaderField: "webhook-id")
        request.setValue(String(Int(Date().timeIntervalSince1970)), forHTTPHeaderField: "webhook-timestamp")
        request.setValue("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", forHTTPHeaderField: "webhook-signature")
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 400 && String(decoding: body, as: UTF8.self) == "signature mismatch\n")
        try await listener.wait { _, stderr in stderr.contains("  refused  evt_forged  signature mismatch") }
        #expect(listener.stderr.contains("  refused  evt_forged  signature mismatch"), "\(listener.stderr)")

        #expect(try await listener.stop(SIGINT) == 0, "\(listener.stderr)")
        #expect(listener.stderr.contains("removed subscription \(id)"))
        #expect(try CLITests.run(["webhooks", "list"] + data).stdout == "no webhooks\n")

        let unknown = try CLITests.run(["webhooks", "listen", "--events", "contacts.merged"] + data)
        #expect(unknown.status == 1 && unknown.stderr.contains("\"contacts.merged\" is not an event type"), "\(unknown.stderr)")
        #expect(try CLITests.run(["webhooks", "list"] + data).stdout == "no webhooks\n")
    }

    /// A stand-in for the hub's `POST /v1/webhooks` and `DELETE /v1/webhooks/{id}` as the
    /// issue's contract has them: answers the real hub does not give on demand (a refused token
    /// beside a refused target, the exact bodies sent).
    final class FakeHub: Sendable {
        /// The bodies of the creations and the ids deleted.
        final class Calls: Sendable {
            private let lock = Mutex<(created: [String], deleted: [String])>(([], []))
            func withLock<T: Sendable>(_ body: (inout (created: [String], deleted: [String])) -> T) -> T { lock.withLock { body(&$0) } }
        }

        let secret: WebhookSecret
        let state: Calls
        private let group: ServiceGroup
        private let task: Task<Void, any Error>
        let url: String

        init(token: String, refuse: Bool) async throws {
            let router = Router()
            let secret = WebhookSecret.generate()
            self.secret = secret
            let state = Calls()
            self.state = state
            @Sendable func error(_ status: HTTPResponse.Status, _ json: String) -> Response {
                Response(
                    status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            }
            router.post("/v1/webhooks") { request, _ -> Response in
                guard request.headers[.authorization] == "Bearer \(token)" else {
                    return error(.unauthorized, #"{"error":{"code":"unauthorized","message":"a bearer token is needed"}}"#)
                }
                let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
                state.withLock { $0.created.append(body) }
                if refuse {
                    return error(
                        .unprocessableContent,
                        #"{"error":{"code":"validation_failed","message":"the webhook is not valid","details":[{"field":"url","message":"127.0.0.1 is a loopback (127.0.0.0/8) address"}]}}"#
                    )
                }
                let json = #"{"id":"wh_fake1","enabled":true,"events":["contacts.created"],"secret":"\#(secret.text)"}"#
                return Response(
                    status: .created, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            }
            router.delete("/v1/webhooks/{id}") { request, context -> Response in
                guard request.headers[.authorization] == "Bearer \(token)" else { return Response(status: .unauthorized) }
                let id = context.parameters.get("id") ?? ""
                state.withLock { $0.deleted.append(id) }
                return Response(status: .noContent)
            }
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: Logger(label: "fake-hub"))
            let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "fake-hub")))
            self.group = group
            task = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            url = "http://127.0.0.1:\(await iterator.next() ?? 0)"
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    @Test func listensThroughAHubsAPI() async throws {
        let hub = try await FakeHub(token: "tok-1", refuse: false)
        defer { Task { await hub.stop() } }
        let listener = try Background(["webhooks", "listen", "--hub", hub.url + "/", "--token", "tok-1", "--events", "contacts.created"])
        defer { if listener.process.isRunning { listener.process.terminate() } }
        try await listener.wait { _, stderr in Self.banner(stderr) != nil }
        guard let (url, id) = Self.banner(listener.stderr) else {
            Issue.record("no banner: \(listener.stderr)")
            return
        }
        #expect(id == "wh_fake1" && !listener.stderr.contains("private targets"))
        let created = try #require(hub.state.withLock { $0.created.first })
        let request = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])
        #expect(request["url"] as? String == url && request["events"] as? [String] == ["contacts.created"])
        #expect(request["description"] as? String == "realtyhub webhooks listen" && request.count == 3)

        let now = Date()
        let message = WebhookMessage.message(id: "evt_9", type: "contacts.created", timestamp: now, data: ["ResourceRecordKey": "k-9"])
        let answer = try await WebhookListenerTests.post(
            url, body: message.body, headers: message.headers(timestamp: Int64(now.timeIntervalSince1970), secrets: [hub.secret]))
        #expect(answer.0 == 204)
        try await listener.wait { stdout, _ in stdout.contains("evt_9") }
        #expect(listener.stdout.hasSuffix("  contacts.created  evt_9  {\"ResourceRecordKey\":\"k-9\"}\n"), "\(listener.stdout)")

        #expect(try await listener.stop(SIGTERM) == 0, "\(listener.stderr)")
        #expect(hub.state.withLock { $0.deleted } == ["wh_fake1"])
    }

    @Test func tellsWhyTheHubRefused() async throws {
        let hub = try await FakeHub(token: "tok-2", refuse: true)
        defer { Task { await hub.stop() } }
        // The token from the environment.
        let refused = try CLITests.run(["webhooks", "listen", "--hub", hub.url], environment: ["REALTYHUB_TOKEN": "tok-2"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("HTTP 422 validation_failed: the webhook is not valid\n  url: 127.0.0.1 is a loopback"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("started with --allow-private-webhook-targets"))
        #expect(hub.state.withLock { $0.deleted }.isEmpty)

        let unauthorized = try CLITests.run(["webhooks", "listen", "--hub", hub.url, "--token", "wrong"])
        #expect(unauthorized.status == 1 && unauthorized.stderr.contains("HTTP 401 unauthorized: a bearer token is needed"))
        // Told at once, not after retrying the connection until the request's deadline (30 s).
        let start = Date()
        let unreachable = try CLITests.run(["webhooks", "listen", "--hub", "http://127.0.0.1:1", "--token", "t"])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(
            unreachable.status == 1 && unreachable.stderr.contains("cannot reach the hub at http://127.0.0.1:1: "), "\(unreachable.stderr)")
        let tokenless = try CLITests.run(["webhooks", "listen", "--hub", hub.url], environment: ["REALTYHUB_TOKEN": ""])
        #expect(tokenless.status != 0 && tokenless.stderr.contains("--hub needs --token or REALTYHUB_TOKEN"), "\(tokenless.stderr)")
        let both = try CLITests.run(["webhooks", "listen", "--hub", hub.url, "--token", "t", "--data-dir", "/tmp/x"])
        #expect(both.status != 0 && both.stderr.contains("give --hub or a data folder"))
    }

    /// A bearer token for `clientID` from a hub's `/oauth/token`.
    static func token(hub: String, clientID: String, secret: String) async throws -> String {
        var request = URLRequest(url: try #require(URL(string: hub + "/oauth/token")))
        request.httpMethod = "POST"
        request.setValue("Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("grant_type=client_credentials".utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        let answer = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(answer["access_token"] as? String, "\(answer)")
    }

    /// Against `realtyhub serve` and its real `/v1/webhooks` routes: the listener's subscription
    /// is made over the API with a client's token, a contact written to the hub's store arrives
    /// and is printed, and Ctrl-C deletes the subscription over the API. A hub that refuses
    /// private targets answers 422, and the listener says how to start it.
    @Test func listensThroughARunningHub() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-listen-hub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = ["--data-dir", directory.path]
        let strict = ["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": ""]
        let created = try CLITests.run(
            ["clients", "create", "--tenant", "acme", "--name", "listen", "--scopes", "contacts:read webhooks:write", "--json"] + data)
        let client = try #require(
            try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: String], "\(created.stderr)")
        let clientID = try #require(client["client_id"])
        let clientSecret = try #require(client["client_secret"])

        for allowed in [true, false] {
            let serve = try Background(
                ["serve", "--port", "0"] + (allowed ? ["--allow-private-webhook-targets"] : []) + data, environment: strict)
            defer { if serve.process.isRunning { serve.process.terminate() } }
            try await serve.wait { stdout, _ in stdout.contains("RealtyHub listening on ") }
            let hub = try #require(
                serve.stdout.split(separator: "\n").first { $0.hasPrefix("RealtyHub listening on ") }.map { String($0.dropFirst(23)) },
                "\(serve.stdout) \(serve.stderr)")
            let token = try await Self.token(hub: hub, clientID: clientID, secret: clientSecret)

            guard allowed else {
                let refused = try CLITests.run(["webhooks", "listen", "--hub", hub], environment: ["REALTYHUB_TOKEN": token])
                #expect(refused.status == 1 && refused.stderr.contains("HTTP 422 validation_failed"), "\(refused.stderr)")
                #expect(refused.stderr.contains("\n  url: 127.0.0.1 is a loopback"), "\(refused.stderr)")
                #expect(refused.stderr.contains("unless it was started with --allow-private-webhook-targets"))
                #expect(try await serve.stop(SIGTERM) == 0)
                continue
            }

            let listener = try Background(
                ["webhooks", "listen", "--hub", hub, "--events", "contacts.created"], environment: ["REALTYHUB_TOKEN": token])
            defer { if listener.process.isRunning { listener.process.terminate() } }
            try await listener.wait { _, stderr in Self.banner(stderr) != nil }
            guard let (url, id) = Self.banner(listener.stderr) else {
                Issue.record("no banner: \(listener.stderr)")
                return
            }
            // The subscription as the hub keeps it; then a change the hub's workers send.
            let runtime = try await HubRuntime.open(
                HubConfiguration(dataDirectory: directory.path, environment: strict), logger: Logger(label: "listen-test"))
            let subscription = try await runtime.webhook(id: id, tenant: "acme")
            #expect(subscription.url == url && subscription.description == "realtyhub webhooks listen" && subscription.clientID == clientID)
            var contact = Fixtures.contact(3)
            contact.metadata.connectionID = "conn-1"
            _ = try await runtime.store.upsert(
                [contact], scope: SyncScope(tenant: "acme", connectionID: "conn-1", sourceSystemName: "mycrm"), cursor: nil)
            try await listener.wait { stdout, _ in stdout.contains("  contacts.created  evt_") }
            let line = try #require(listener.stdout.split(separator: "\n").first.map(String.init))
            #expect(line.contains("\"FirstName\":\"First3\"") && !line.contains("\"raw\""), "\(line)")

            #expect(try await listener.stop(SIGINT) == 0, "\(listener.stderr)")
            #expect(listener.stderr.contains("removed subscription \(id)"))
            #expect(try await runtime.store.webhook(id: id, tenant: "acme") == nil)
            await runtime.shutdown()
            #expect(try await serve.stop(SIGTERM) == 0)
        }
    }
}
