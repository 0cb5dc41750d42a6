import Foundation
public import HubStore
import RealtyModel

extension StoreContract {
    /// Creating, reading, updating and removing subscriptions; secrets sealed, rotated with a
    /// grace period; tenant isolation.
    public static func webhookSubscriptions(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await setUp(store, tenant: "t2")
        _ = try await store.upsert([Fixtures.contact(1), Fixtures.contact(2)], scope: scope, cursor: nil)
        let latest = try await store.latestEventSequence()
        try check(latest > 0, "two events written, latest sequence \(latest)")
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let subscription = WebhookSubscription(
            id: "wh_1", tenantID: "t1", clientID: "client-1", url: "https://hooks.example.com/in", events: ["contacts.*", "delivery.dead"],
            description: "CRM mirror", scopes: ["contacts:read", "deliveries:read"], cursor: latest, createdAt: created)
        try await store.createWebhook(subscription, secret: "whsec_first")
        do {
            try await store.createWebhook(subscription, secret: "whsec_again")
            throw ContractFailure(description: "a second webhook with the same id must be refused")
        } catch let error as StoreError where error.code == .conflict {}
        do {
            var orphan = subscription
            orphan.id = "wh_orphan"
            orphan.tenantID = "nobody"
            try await store.createWebhook(orphan, secret: "whsec_x")
            throw ContractFailure(description: "a webhook of an unknown tenant must be refused")
        } catch let error as StoreError where error.code == .notFound {}

        let read = try await store.webhook(id: "wh_1", tenant: "t1")
        try check(read == subscription, "the subscription reads back as created: \(String(describing: read))")
        try check(try await store.webhook(id: "wh_1", tenant: "t2") == nil, "another tenant does not see it")
        try check(try await store.listWebhooks(tenant: "t2").isEmpty, "another tenant lists none")
        try check(try await store.listWebhooks(tenant: "t1").map(\.id) == ["wh_1"], "its tenant lists it")

        // Secrets: one until a rotation, then both until the grace period ends.
        try check(try await store.webhookSecrets(id: "wh_1", tenant: "t1", now: created) == ["whsec_first"], "the secret reads back")
        try await store.rotateWebhookSecret(
            id: "wh_1", tenant: "t1", secret: "whsec_second", previousValidUntil: created.addingTimeInterval(86_400),
            now: created.addingTimeInterval(60))
        let during = try await store.webhookSecrets(id: "wh_1", tenant: "t1", now: created.addingTimeInterval(3_600))
        try check(during == ["whsec_second", "whsec_first"], "both secrets sign during the grace period: \(during)")
        let after = try await store.webhookSecrets(id: "wh_1", tenant: "t1", now: created.addingTimeInterval(86_401))
        try check(after == ["whsec_second"], "only the new secret after it: \(after)")
        do {
            _ = try await store.webhookSecrets(id: "wh_1", tenant: "t2", now: created)
            throw ContractFailure(description: "another tenant must not read the secrets")
        } catch let error as StoreError where error.code == .notFound {}

        var changed = subscription
        changed.url = "https://hooks.example.com/v2"
        changed.events = ["*"]
        changed.description = nil
        let updated = try await store.updateWebhook(changed, now: created.addingTimeInterval(120))
        try check(
            updated.url == changed.url && updated.events == ["*"] && updated.description == nil && updated.cursor == latest,
            "the update is kept, the cursor untouched: \(updated)")
        try check(updated.previousSecretExpiresAt == created.addingTimeInterval(86_400), "the rotation's grace is shown")

        try check(try await store.deleteWebhook(id: "wh_1", tenant: "t2") == false, "another tenant cannot remove it")
        try check(try await store.deleteWebhook(id: "wh_1", tenant: "t1"), "removed")
        try check(try await store.webhook(id: "wh_1", tenant: "t1") == nil, "gone")
        try check(try await store.deleteWebhook(id: "wh_1", tenant: "t1") == false, "removing twice finds nothing")
    }

    /// Leases across workers, acknowledgements, failed attempts, disabling with a dead letter,
    /// re-enabling and replay.
    public static func webhookDeliveryState(_ store: any HubStorage) async throws {
        _ = try await setUp(store)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for (index, id) in ["wh_a", "wh_b"].enumerated() {
            try await store.createWebhook(
                WebhookSubscription(
                    id: id, tenantID: "t1", clientID: nil, url: "https://hooks.example.com/\(id)", events: ["*"], scopes: ["*:read"],
                    cursor: 10, createdAt: now.addingTimeInterval(Double(index))),
                secret: "whsec_\(id)")
        }
        let first = try await store.claimWebhooks(owner: "w1", now: now, leaseDuration: 30, limit: 10)
        try check(first.map(\.id) == ["wh_a", "wh_b"], "both due subscriptions leased to w1: \(first.map(\.id))")
        let second = try await store.claimWebhooks(owner: "w2", now: now.addingTimeInterval(5), leaseDuration: 30, limit: 10)
        try check(second.isEmpty, "a held lease is not taken: \(second.map(\.id))")
        do {
            try await store.advanceWebhook(id: "wh_a", owner: "w2", to: 11, now: now)
            throw ContractFailure(description: "only the lease holder may advance")
        } catch let error as StoreError where error.code == .conflict {}

        try await store.advanceWebhook(id: "wh_a", owner: "w1", to: 12, now: now)
        try await store.advanceWebhook(id: "wh_a", owner: "w1", to: 11, now: now)
        try check(try await store.webhook(id: "wh_a", tenant: "t1")?.cursor == 12, "the cursor never moves back")

        // A failed attempt waits until its retry time, then is leased again.
        try await store.failWebhookAttempt(id: "wh_a", owner: "w1", error: "HTTP 503", retryAt: now.addingTimeInterval(60), now: now)
        try await store.failWebhookAttempt(
            id: "wh_a", owner: "w1", error: "timeout", retryAt: now.addingTimeInterval(60), now: now.addingTimeInterval(1))
        var failing = try await store.webhook(id: "wh_a", tenant: "t1")
        try check(
            failing?.attempts == 2 && failing?.lastError == "timeout" && failing?.failingSince == now
                && failing?.nextAttemptAt == now.addingTimeInterval(60),
            "two failed attempts recorded: \(String(describing: failing))")
        try await store.releaseWebhook(id: "wh_a", owner: "w1")
        let early = try await store.claimWebhooks(owner: "w2", now: now.addingTimeInterval(20), leaseDuration: 30, limit: 10)
        try check(early.isEmpty, "wh_a waits for its retry (wh_b is still w1's): \(early.map(\.id))")
        let due = try await store.claimWebhooks(owner: "w2", now: now.addingTimeInterval(61), leaseDuration: 30, limit: 10)
        try check(due.map(\.id) == ["wh_a", "wh_b"], "wh_a due, wh_b's lease expired: \(due.map(\.id))")
        try check(
            try await store.renewWebhookLeases(owner: "w2", now: now.addingTimeInterval(70), leaseDuration: 30) == ["wh_a", "wh_b"],
            "w2 holds both")
        try check(try await store.renewWebhookLeases(owner: "w1", now: now.addingTimeInterval(70), leaseDuration: 30).isEmpty, "w1 none")

        // Given up: disabled with the event kept, not leased again.
        let letter = WebhookDeadLetter(
            subscriptionID: "wh_a", sequence: 13, type: "contacts.created", error: "HTTP 503 for 3 days", attempts: 40,
            createdAt: now.addingTimeInterval(80))
        try await store.disableWebhook(
            id: "wh_a", owner: "w2", reason: "failing for 3 days", deadLetter: letter, now: now.addingTimeInterval(80))
        failing = try await store.webhook(id: "wh_a", tenant: "t1")
        try check(failing?.enabled == false && failing?.disabledReason == "failing for 3 days", "disabled with its reason")
        try check(try await store.webhookDeadLetters(id: "wh_a", tenant: "t1") == [letter], "the dead letter is kept")
        let none = try await store.claimWebhooks(owner: "w3", now: now.addingTimeInterval(200), leaseDuration: 30, limit: 10)
        try check(none.map(\.id) == ["wh_b"], "a disabled subscription is never leased: \(none.map(\.id))")

        // Enabled again: the failure state is cleared, delivery resumes at the cursor.
        guard var again = failing else { throw ContractFailure(description: "wh_a vanished") }
        again.enabled = true
        let enabled = try await store.updateWebhook(again, now: now.addingTimeInterval(300))
        try check(
            enabled.enabled && enabled.disabledReason == nil && enabled.attempts == 0 && enabled.nextAttemptAt == nil
                && enabled.lastError == nil && enabled.cursor == 12,
            "re-enabled, resuming at 12: \(enabled)")

        try await store.replayWebhook(id: "wh_a", tenant: "t1", fromSequence: 5, now: now.addingTimeInterval(400))
        try check(try await store.webhook(id: "wh_a", tenant: "t1")?.cursor == 4, "a replay from 5 moves the cursor to 4")
        do {
            try await store.replayWebhook(id: "wh_a", tenant: "t2", fromSequence: 1, now: now)
            throw ContractFailure(description: "another tenant cannot replay it")
        } catch let error as StoreError where error.code == .notFound {}
        _ = try await store.deleteWebhook(id: "wh_a", tenant: "t1")
        try check(try await store.listWebhooks(tenant: nil).map(\.id) == ["wh_b"], "wh_a and its dead letters are gone")
    }
}
