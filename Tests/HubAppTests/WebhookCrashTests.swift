import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Logging
import RealtyModel
import SyncEngine
import Testing

/// `realtyhub run` processes sending webhooks are killed with SIGKILL at random moments and
/// restarted while contacts keep changing: every subscription must receive every event,
/// correctly signed, in sequence order; an event may arrive twice only as the re-send of the
/// one whose acknowledgement the killed process never recorded (so never more often than there
/// were kills, and never after a later event).
@Suite struct WebhookCrashTests {
    /// 6 by default; `REALTYHUB_WEBHOOK_CRASH_KILLS=N` kills more (a soak, run by hand).
    static var kills: Int {
        max(6, ProcessInfo.processInfo.environment["REALTYHUB_WEBHOOK_CRASH_KILLS"].flatMap { Int($0) } ?? 6)
    }

    @Test func aKilledSenderLosesNothingOnSQLite() async throws {
        try await Self.soak(databaseURL: nil, processes: 1)
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func twoSendersShareSubscriptionsOnPostgres() async throws {
        try await PostgresTestDatabase.withSchemaURL { _, url in try await Self.soak(databaseURL: url, processes: 2) }
    }

    static func soak(databaseURL: String?, processes: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-webhook-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = HubConfiguration(dataDirectory: directory.path, environment: [:], databaseURL: databaseURL)
        configuration.allowPrivateWebhookTargets = true
        var logger = Logger(label: "webhook-crash-test")
        logger.logLevel = .warning
        let runtime = try await HubRuntime.open(configuration, logger: logger)
        let receiver = try await WebhookTestReceiver.start(delay: .milliseconds(40))
        do {
            try await soak(runtime: runtime, receiver: receiver, directory: directory, databaseURL: databaseURL, processes: processes)
        } catch {
            Issue.record(error, "the webhook crash test stopped")
        }
        await receiver.stop()
        await runtime.shutdown()
    }

    static func soak(
        runtime: HubRuntime, receiver: WebhookTestReceiver, directory: URL, databaseURL: String?, processes: Int
    ) async throws {
        let tenant = HubRuntime.defaultTenant
        let scope = SyncScope(tenant: tenant, connectionID: "crm", sourceSystemName: "mycrm")
        var subscriptions: [(id: String, secret: WebhookSecret)] = []
        for index in 0..<3 {
            let (subscription, secret) = try await runtime.createWebhook(
                tenant: tenant, creator: .dataFolder, url: receiver.url + "/\(index)", events: ["contacts.*"], description: nil,
                allowPrivateTargets: true)
            subscriptions.append((subscription.id, try WebhookSecret(parsing: secret)))
        }
        let start = try await runtime.store.latestEventSequence()

        var contacts: [Contact] = []
        var generator = SystemRandomNumberGenerator()
        /// New contacts, and changes to some earlier ones: each a contacts event.
        func change() async throws {
            for _ in 0..<Int.random(in: 4...12, using: &generator) {
                contacts.append(Fixtures.contact(contacts.count))
            }
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let index = Int.random(in: 0..<contacts.count, using: &generator)
                contacts[index].lastName = "Changed \(UUID().uuidString.prefix(8))"
            }
            _ = try await runtime.store.upsert(contacts, scope: scope, cursor: nil)
        }

        // The webhook lease is 3 s (three times a 1 s receiver timeout): the next process takes
        // over a killed one's subscriptions soon after.
        let arguments =
            [
                "run", "--data-dir", directory.path, "--allow-private-webhook-targets", "--webhook-timeout-seconds", "1", "--lease-seconds",
                "1",
            ]
            + (databaseURL.map { ["--database", $0] } ?? [])
        let started = ContinuousClock.now
        try await change()
        var pool = try (0..<processes).map { _ in try CLITests.start(arguments) }
        defer { for process in pool where process.isRunning { process.terminate() } }
        for _ in 0..<kills {
            try await change()
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...800, using: &generator)))
            let victim = Int.random(in: 0..<pool.count, using: &generator)
            kill(pool[victim].processIdentifier, SIGKILL)
            pool[victim].waitUntilExit()
            #expect(pool[victim].terminationReason == .uncaughtSignal)
            pool[victim] = try CLITests.start(arguments)
        }
        try await change()

        // Every subscription catches up with the feed.
        let expected = try await runtime.store.events(tenant: tenant, after: start, limit: 100_000).map(\.sequence)
        let last = try #require(expected.last)
        let deadline = Date().addingTimeInterval(60)
        var behind: [String] = []
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            behind = []
            for subscription in subscriptions where try await runtime.webhook(id: subscription.id, tenant: tenant).cursor < last {
                behind.append(subscription.id)
            }
        } while !behind.isEmpty && Date() < deadline
        for process in pool { process.terminate() }
        for process in pool {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "SIGTERM stops the sender cleanly")
        }
        #expect(behind.isEmpty, "subscriptions not caught up: \(behind)")

        var resent = 0
        for (index, subscription) in subscriptions.enumerated() {
            let received = receiver.received.filter { $0.path == "/hook/\(index)" }
            var sequences: [Int64] = []
            for message in received {
                try WebhookSignature.verify(
                    body: message.body, id: message.headers["webhook-id"], timestamp: message.headers["webhook-timestamp"],
                    signatures: message.headers["webhook-signature"], secret: subscription.secret)
                let id = try #require(message.headers["webhook-id"])
                let sequence = try #require(Int64(id.dropFirst(4)), "webhook-id \(id) names the event")
                let body = try JSONValue(parsing: message.body)
                #expect(body["data"]?["EntityEventSequence"] == .number(JSONNumber(sequence)), "the id and the body name one event")
                sequences.append(sequence)
            }
            #expect(Set(sequences) == Set(expected), "subscription \(index): lost \(Set(expected).subtracting(sequences).sorted())")
            for (earlier, later) in zip(sequences, sequences.dropFirst()) {
                #expect(later >= earlier, "subscription \(index): event \(later) arrived after \(earlier)")
            }
            let repeats = sequences.count - Set(sequences).count
            #expect(repeats <= kills, "subscription \(index): \(repeats) re-sends for \(kills) kills")
            resent += repeats
        }
        let database = databaseURL == nil ? "SQLite" : "PostgreSQL"
        print(
            "webhook crash test: \(kills) kills, \(processes) sender(s) on \(database), \(expected.count) events × \(subscriptions.count) subscriptions, 0 lost, \(resent) re-sent; total \(ContinuousClock.now - started)"
        )
    }
}

#if canImport(Glibc)
    import Glibc
#endif
