import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Logging
import RealtyModel
import ServiceLifecycle
import SyncEngine
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `realtyhub webhooks listen`'s receiver: what it prints and answers for verified, forged and
/// stale messages, in process and through the CLI (data folder and `--hub`).
@Suite struct WebhookListenerTests {
    /// What a listener reported, in order.
    final class Reports: Sendable {
        private let outcomes = Mutex<[WebhookListener.Outcome]>([])
        var all: [WebhookListener.Outcome] { outcomes.withLock { $0 } }
        func append(_ outcome: WebhookListener.Outcome) { outcomes.withLock { $0.append(outcome) } }
    }

    /// A listener serving on loopback, its reports kept.
    struct Running: Sendable {
        let listener: WebhookListener
        let port: Int
        let reports: Reports
        let group: ServiceGroup
        let task: Task<Void, any Error>

        var reported: [WebhookListener.Outcome] { reports.all }
        var url: String { "http://127.0.0.1:\(port)/" }

        static func start(now: Date, format: WebhookListener.Format = .lines) async throws -> Running {
            let reports = Reports()
            let listener = WebhookListener(
                format: format, timeZone: TimeZone(identifier: "UTC") ?? .current, now: { now }, report: { reports.append($0) })
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = listener.server(onRunning: { continuation.yield($0) })
            let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "listener")))
            let task = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            return Running(listener: listener, port: port, reports: reports, group: group, task: task)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    /// `HH:MM:SS` of `date` in UTC.
    static func clock(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// POSTs (or sends `method`) to `url` and returns the status and body.
    static func post(_ url: String, body: Data, headers: [(String, String)], method: String = "POST") async throws -> (Int, String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        if method != "GET" { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func waitUntil(_ seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await !condition(), Date() < deadline { try await Task.sleep(for: .milliseconds(25)) }
    }

    /// A contact written to the data folder reaches the listener through the hub's webhook
    /// service, verified, and is printed as one exact line; stopping removes nothing by itself
    /// (the command does), so the subscription is removed here as the command does.
    @Test func printsAContactChangeEndToEnd() async throws {
        let now = Date()
        try await WebhookOperationsTests.withRuntime(environment: ["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": "1"]) { runtime in
            let tenant = HubRuntime.defaultTenant
            let running = try await Running.start(now: now)
            let (subscription, secret) = try await runtime.createWebhook(
                tenant: tenant, creator: .dataFolder, url: running.url, events: ["contacts.*"], description: "realtyhub webhooks listen",
                allowPrivateTargets: true)
            running.listener.use(secret: try WebhookSecret(parsing: secret))
            let services = try await runtime.workerServices()
            let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: runtime.logger))
            let workers = Task { try await group.run() }
            var contact = Fixtures.contact(7)
            contact.metadata.connectionID = "conn-1"
            _ = try await runtime.store.upsert(
                [contact], scope: SyncScope(tenant: tenant, connectionID: "conn-1", sourceSystemName: "mycrm"), cursor: nil)
            try await Self.waitUntil { !running.reported.isEmpty }
            await group.triggerGracefulShutdown()
            _ = try? await workers.value
            await running.stop()

            let event = try #require(try await runtime.store.events(tenant: tenant, after: subscription.cursor, limit: 10).first)
            var stored = try #require(try await runtime.store.record(Contact.self, tenant: tenant, key: event.resourceRecordKey))
            stored.metadata.raw = nil
            let record = try JSONValue(parsing: try JSONEncoder().encode(stored)).jsonText
            #expect(!record.contains("\"raw\"") && record.contains("\"FirstName\":\"First7\""))
            let expected =
                "\(Self.clock(now))  contacts.created  evt_\(event.sequence)  "
                + "{\"EntityEventSequence\":\(event.sequence),\"ResourceName\":\"Contacts\",\"ResourceRecordKey\":\"\(event.resourceRecordKey)\","
                + "\"change\":\"created\",\"connection_id\":\"conn-1\",\"record\":\(record)}"
            #expect(running.reported == [.accepted(line: expected)])

            try await runtime.deleteWebhook(id: subscription.id, tenant: tenant)
            #expect(try await runtime.store.webhook(id: subscription.id, tenant: tenant) == nil)
        }
    }

    /// Only a POST signed with the secret, within five minutes, is acknowledged; everything else
    /// gets 400 (405 for another method) with the reason, printed as refused.
    @Test func refusesForgedStaleAndUnsignedMessages() async throws {
        let now = Date()
        let running = try await Running.start(now: now)
        defer { Task { await running.stop() } }
        let secret = WebhookSecret.generate()
        let message = WebhookMessage.message(
            id: "evt_42", type: "contacts.created", timestamp: now,
            data: ["ResourceRecordKey": "k-1", "EntityEventSequence": 42, "note": "a \"quoted\" é"])
        let stamp = Int64(now.timeIntervalSince1970)
        let time = Self.clock(now)

        // Before the subscription exists there is no secret: nothing verifies.
        var answer = try await Self.post(running.url, body: message.body, headers: message.headers(timestamp: stamp, secrets: [secret]))
        #expect(answer == (400, "no subscription yet\n"))
        running.listener.use(secret: secret)

        answer = try await Self.post(running.url, body: message.body, headers: message.headers(timestamp: stamp, secrets: [secret]))
        #expect(answer.0 == 204)
        // Signed with another secret; a rotation's two signatures where one is right verifies.
        answer = try await Self.post(
            running.url + "forwarded/path", body: message.body,
            headers: message.headers(timestamp: stamp, secrets: [WebhookSecret.generate()]))
        #expect(answer == (400, "signature mismatch\n"))
        answer = try await Self.post(
            running.url, body: message.body, headers: message.headers(timestamp: stamp, secrets: [WebhookSecret.generate(), secret]))
        #expect(answer.0 == 204)
        // The right signature over other bytes.
        answer = try await Self.post(
            running.url, body: message.body + Data(" ".utf8), headers: message.headers(timestamp: stamp, secrets: [secret]))
        #expect(answer == (400, "signature mismatch\n"))
        // Signed correctly, six minutes old.
        answer = try await Self.post(running.url, body: message.body, headers: message.headers(timestamp: stamp - 360, secrets: [secret]))
        #expect(answer == (400, "timestamp outside tolerance\n"))
        answer = try await Self.post(
            running.url, body: message.body,
            headers: message.headers(timestamp: stamp, secrets: [secret]).filter { $0.0 != "webhook-signature" })
        #expect(answer == (400, "no webhook-signature header\n"))
        answer = try await Self.post(running.url, body: Data(), headers: [], method: "GET")
        #expect(answer.0 == 405)

        let accepted = WebhookListener.Outcome.accepted(
            line:
                "\(time)  contacts.created  evt_42  {\"EntityEventSequence\":42,\"ResourceRecordKey\":\"k-1\",\"note\":\"a \\\"quoted\\\" é\"}"
        )
        #expect(
            running.reported == [
                .refused(status: 400, reason: "no subscription yet", line: "\(time)  refused  evt_42  no subscription yet"),
                accepted,
                .refused(status: 400, reason: "signature mismatch", line: "\(time)  refused  evt_42  signature mismatch"),
                accepted,
                .refused(status: 400, reason: "signature mismatch", line: "\(time)  refused  evt_42  signature mismatch"),
                .refused(status: 400, reason: "timestamp outside tolerance", line: "\(time)  refused  evt_42  timestamp outside tolerance"),
                .refused(status: 400, reason: "no webhook-signature header", line: "\(time)  refused  evt_42  no webhook-signature header"),
                .refused(status: 405, reason: "method GET, not POST", line: "\(time)  refused  -  method GET, not POST"),
            ])
    }

    /// What anyone may send is printed without control characters (no terminal escapes).
    @Test func refusalsPrintNoControlCharacters() {
        let now = Date()
        let reports = Reports()
        let listener = WebhookListener(timeZone: TimeZone(identifier: "UTC") ?? .current, now: { now }, report: { reports.append($0) })
        listener.use(secret: WebhookSecret.generate())
        let outcome = listener.receive(
            method: "POST", body: Data("{}".utf8), id: "evt\u{1b}[2J\u{7}", timestamp: "12\u{1b}]0;x", signature: "v1,AAAA")
        #expect(
            outcome
                == .refused(
                    status: 400, reason: "timestamp \"12\u{1b}]0;x\" is not a number of seconds",
                    line: "\(Self.clock(now))  refused  evt?[2J?  timestamp \"12?]0;x\" is not a number of seconds"))
        #expect(reports.all == [outcome])
        let long = listener.receive(method: "POST", body: Data(), id: String(repeating: "x", count: 300), timestamp: nil, signature: nil)
        #expect(
            long
                == .refused(
                    status: 400, reason: "no webhook-timestamp header",
                    line: "\(Self.clock(now))  refused  \(String(repeating: "x", count: 100))…  no webhook-timestamp header"))
    }

    /// `--json`: each verified body exactly as sent, one line.
    @Test func jsonPrintsTheBodyAsSent() async throws {
        let now = Date()
        let running = try await Running.start(now: now, format: .json)
        defer { Task { await running.stop() } }
        let secret = WebhookSecret.generate()
        running.listener.use(secret: secret)
        let message = WebhookMessage.message(id: "test_1", type: "webhook.test", timestamp: now, data: ["webhook_id": "wh_1"])
        let answer = try await Self.post(
            running.url, body: message.body, headers: message.headers(timestamp: Int64(now.timeIntervalSince1970), secrets: [secret]))
        #expect(answer.0 == 204)
        #expect(running.reported == [.accepted(line: String(decoding: message.body, as: UTF8.self))])
        #expect(!String(decoding: message.body, as: UTF8.self).contains("\n"))
    }
}
