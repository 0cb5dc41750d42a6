import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Logging
import RealtyModel
import ServiceLifecycle
import SyncEngine
import Testing

/// The webhook use cases: what is accepted and refused, rotation, replay, and the audience that
/// bounds what a subscription receives by its creating client's scopes now.
@Suite struct WebhookOperationsTests {
    static func withRuntime(environment: [String: String] = [:], _ body: (HubRuntime) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-webhooks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let runtime = try await HubRuntime.open(
            HubConfiguration(dataDirectory: directory.path, environment: environment), logger: Logger(label: "webhook-test"))
        do {
            try await body(runtime)
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
    }

    static func details(_ work: () async throws -> Void) async -> [String] {
        do {
            try await work()
            return []
        } catch let error as HubError {
            return error.details.map { "\($0.field): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func createsChecksAndShowsTheSecretOnce() async throws {
        try await Self.withRuntime { runtime in
            let tenant = HubRuntime.defaultTenant
            let (client, _) = try await runtime.createAPIClient(tenant: tenant, name: "app", scopes: "contacts:read webhooks:write")
            let creator = WebhookCreator(clientID: client.id, scopes: try ScopeSet(parsing: client.scopes.joined(separator: " ")))
            let (subscription, secret) = try await runtime.createWebhook(
                tenant: tenant, creator: creator, url: "https://hooks.example.com/in", events: ["contacts.*"], description: "mirror",
                allowPrivateTargets: false)
            #expect(secret.hasPrefix("whsec_") && subscription.id.hasPrefix("wh_") && subscription.clientID == client.id)
            #expect(try await runtime.store.webhookSecrets(id: subscription.id, tenant: tenant, now: Date()) == [secret])
            #expect(subscription.cursor == (try await runtime.store.latestEventSequence()))

            let refused = await Self.details {
                _ = try await runtime.createWebhook(
                    tenant: tenant, creator: creator, url: "http://169.254.169.254/latest", events: ["properties.created", "nope"],
                    description: String(repeating: "x", count: 501), allowPrivateTargets: false)
            }
            #expect(refused.count == 4, "\(refused)")
            #expect(refused.first?.hasPrefix("url: 169.254.169.254 is a link-local") == true)
            #expect(refused.contains("events[0]: \"properties.created\" needs the properties:read scope, which this client lacks"))
            #expect(refused.last == "description: at most 500 characters")
            // With private targets allowed (the demo, tests), loopback is accepted.
            _ = try await runtime.createWebhook(
                tenant: tenant, creator: creator, url: "http://127.0.0.1:9/hook", events: ["*"], description: nil,
                allowPrivateTargets: true)

            // Rotation: both secrets sign for a day.
            let rotated = try await runtime.rotateWebhookSecret(id: subscription.id, tenant: tenant)
            #expect(rotated != secret)
            #expect(try await runtime.store.webhookSecrets(id: subscription.id, tenant: tenant, now: Date()) == [rotated, secret])

            // Changes are checked as creation is.
            let changed = try await runtime.updateWebhook(
                id: subscription.id, tenant: tenant, creator: creator,
                change: WebhookChange(events: ["contacts.created"], description: .some(nil), enabled: false), allowPrivateTargets: false)
            #expect(
                changed.events == ["contacts.created"] && changed.description == nil && !changed.enabled && changed.url == subscription.url)
            let badChange = await Self.details {
                _ = try await runtime.updateWebhook(
                    id: subscription.id, tenant: tenant, creator: creator, change: WebhookChange(url: "ftp://x"), allowPrivateTargets: false
                )
            }
            #expect(badChange == ["url: webhook URLs are http or https, not ftp"])
            let replay = await Self.details { try await runtime.replayWebhook(id: subscription.id, tenant: tenant, fromSequence: 0) }
            #expect(replay == ["from_sequence: an EntityEventSequence, 1 or more"])
            try await runtime.replayWebhook(id: subscription.id, tenant: tenant, fromSequence: 1)
            #expect(try await runtime.webhook(id: subscription.id, tenant: tenant).cursor == 0)

            await #expect(throws: HubError.self) { _ = try await runtime.webhook(id: subscription.id, tenant: "other") }
            try await runtime.deleteWebhook(id: subscription.id, tenant: tenant)
            await #expect(throws: HubError.self) { try await runtime.deleteWebhook(id: subscription.id, tenant: tenant) }
        }
    }

    /// The hub's workers send webhooks: a subscription made through the use case, a record
    /// written, the signed event received on loopback (allowed by the environment here).
    @Test func theWorkersSendWhatIsSubscribed() async throws {
        #expect(HubConfiguration(dataDirectory: "x", environment: [:]).allowPrivateWebhookTargets == false)
        try await Self.withRuntime(environment: ["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": "1"]) { runtime in
            #expect(runtime.allowPrivateWebhookTargets)
            let receiver = try await WebhookTestReceiver.start()
            defer { Task { await receiver.stop() } }
            let (subscription, secretText) = try await runtime.createWebhook(
                tenant: HubRuntime.defaultTenant, creator: .dataFolder, url: receiver.url, events: ["contacts.created"], description: nil,
                allowPrivateTargets: runtime.allowPrivateWebhookTargets)
            let services = try await runtime.workerServices()
            let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: runtime.logger))
            let task = Task { try await group.run() }
            var contact = Fixtures.contact(5)
            contact.metadata.connectionID = "conn-1"
            _ = try await runtime.store.upsert(
                [contact], scope: SyncScope(tenant: HubRuntime.defaultTenant, connectionID: "conn-1", sourceSystemName: "mycrm"),
                cursor: nil)
            var waited = 0
            while receiver.received.isEmpty, waited < 200 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            let request = try #require(receiver.received.first)
            let secret = try WebhookSecret(parsing: secretText)
            try WebhookSignature.verify(
                body: request.body, id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                signatures: request.headers["webhook-signature"], secret: secret)
            #expect(String(decoding: request.body, as: UTF8.self).contains(#""type":"contacts.created""#))
            #expect(try await runtime.webhook(id: subscription.id, tenant: HubRuntime.defaultTenant).cursor > subscription.cursor)
        }
    }

    /// A test message goes now, signed, and its answer is told; a process that does not allow
    /// private targets refuses to send to one even when the subscription names it.
    @Test func testMessagesGoNowAndTheSenderChecksTheTarget() async throws {
        let receiver = try await WebhookTestReceiver.start(script: [204, 500])
        defer { Task { await receiver.stop() } }
        try await Self.withRuntime(environment: ["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true"]) { runtime in
            let (subscription, secretText) = try await runtime.createWebhook(
                tenant: HubRuntime.defaultTenant, creator: .dataFolder, url: receiver.url, events: ["*"], description: nil,
                allowPrivateTargets: true)
            #expect(try await runtime.testWebhook(id: subscription.id, tenant: HubRuntime.defaultTenant) == 204)
            #expect(try await runtime.testWebhook(id: subscription.id, tenant: HubRuntime.defaultTenant) == 500)
            let request = try #require(receiver.received.first)
            try WebhookSignature.verify(
                body: request.body, id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                signatures: request.headers["webhook-signature"], secret: try WebhookSecret(parsing: secretText))
            #expect(String(decoding: request.body, as: UTF8.self).contains(#""type":"webhook.test""#))
            #expect(request.headers["webhook-id"]?.hasPrefix("test_") == true)
            #expect(try await runtime.webhook(id: subscription.id, tenant: HubRuntime.defaultTenant).cursor == subscription.cursor)
        }
        try await Self.withRuntime { runtime in
            // Stored as if another process had allowed it: this one still refuses to send.
            let (subscription, _) = try await runtime.createWebhook(
                tenant: HubRuntime.defaultTenant, creator: .dataFolder, url: receiver.url, events: ["*"], description: nil,
                allowPrivateTargets: true)
            do {
                _ = try await runtime.testWebhook(id: subscription.id, tenant: HubRuntime.defaultTenant)
                Issue.record("a loopback target must be refused when sending")
            } catch let error as HubError {
                #expect(error.code == .vendor && error.message.contains("loopback"), "\(error)")
            }
        }
        #expect(receiver.received.count == 2)
    }

    @Test func theAudienceFollowsTheClientsScopesNow() async throws {
        try await Self.withRuntime { runtime in
            let tenant = HubRuntime.defaultTenant
            let (client, _) = try await runtime.createAPIClient(tenant: tenant, name: "app", scopes: "contacts:read deliveries:read")
            let creator = WebhookCreator(clientID: client.id, scopes: try ScopeSet(parsing: client.scopes.joined(separator: " ")))
            let (subscription, _) = try await runtime.createWebhook(
                tenant: tenant, creator: creator, url: "https://hooks.example.com/in", events: ["*"], description: nil,
                allowPrivateTargets: false)
            let audience = HubWebhookAudience(clients: runtime.store)
            #expect(try await audience.decide(subscription, type: "contacts.created") == .send)
            #expect(try await audience.decide(subscription, type: "delivery.dead") == .send)
            #expect(try await audience.decide(subscription, type: "properties.created") == .skip, "never beyond the client's scopes")

            // A CLI subscription (no client) keeps the scopes it was made with.
            let (cli, _) = try await runtime.createWebhook(
                tenant: tenant, creator: .dataFolder, url: "https://hooks.example.com/all", events: ["properties.*"], description: nil,
                allowPrivateTargets: false)
            #expect(try await HubWebhookAudience(clients: runtime.store).decide(cli, type: "properties.updated") == .send)

            // The client removed: its subscriptions stop.
            #expect(try await runtime.store.deleteAPIClient(id: client.id, tenant: tenant))
            let fresh = HubWebhookAudience(clients: runtime.store)
            #expect(
                try await fresh.decide(subscription, type: "contacts.created") == .stop(reason: "its API client \(client.id) was removed"))
        }
    }
}
