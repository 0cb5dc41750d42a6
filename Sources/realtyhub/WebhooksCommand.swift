import ArgumentParser
import Foundation
import HubApp
import HubOperations
import HubStore

/// `realtyhub webhooks add|list|update|remove|rotate|replay|test|listen`: the tenant's webhook
/// subscriptions, through the data folder (with every read scope).
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Manage webhook subscriptions: signed events pushed to a URL as records change.",
        discussion:
            "Event types: <resource>.created|updated|deleted for \(WebhookEventType.all.compactMap { $0.hasSuffix(".created") ? String($0.dropLast(8)) : nil }.joined(separator: ", ")); delivery.succeeded, delivery.dead, sync_run.failed, connection.unavailable; * for all, <resource>.* for a group.",
        subcommands: [Add.self, List.self, Update.self, Remove.self, Rotate.self, Replay.self, Test.self, Listen.self])

    /// Event patterns given space- or comma-separated.
    static func patterns(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    }

    static func describe(_ subscription: WebhookSubscription) -> String {
        let state = subscription.enabled ? "enabled" : "disabled (\(subscription.disabledReason ?? "by a user"))"
        var line =
            "\(subscription.id)  \(subscription.tenantID)  \(state)  \(subscription.url)  \(subscription.events.joined(separator: ","))"
        line += "  after \(subscription.cursor)"
        if let error = subscription.lastError { line += "  last error: \(error) (\(subscription.attempts) attempts)" }
        return line
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe a URL to events; its signing secret (whsec_...) is printed once.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @OptionGroup var webhooks: WebhookTargetOptions
        @Option(help: "Where to POST events (http or https).")
        var url: String
        @Option(help: "Event types, space- or comma-separated (\"contacts.created delivery.dead\", \"*\").")
        var events: String
        @Option(help: "A note on what the subscription is for.")
        var description: String?
        @Flag(help: "Create it disabled.")
        var disabled = false
        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await withRuntime(data, command: "webhooks add", webhooks: webhooks) { runtime in
                let (subscription, secret) = try await runtime.createWebhook(
                    tenant: tenant.tenant, creator: .dataFolder, url: url, events: WebhooksCommand.patterns(events),
                    description: description, enabled: !disabled, allowPrivateTargets: runtime.allowPrivateWebhookTargets)
                if json {
                    printJSON([
                        "id": subscription.id, "secret": secret, "url": subscription.url,
                        "events": subscription.events.joined(separator: " "), "tenant": subscription.tenantID,
                    ])
                } else {
                    print("id:     \(subscription.id)")
                    print("secret: \(secret)")
                    print("url:    \(subscription.url)")
                    print("events: \(subscription.events.joined(separator: " "))")
                    print("The secret is shown only now: the receiver verifies each webhook's signature with it.")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhook subscriptions (never their secrets).")
        @OptionGroup var data: DataOptions
        @Option(help: "Only this tenant's subscriptions.")
        var tenant: String?

        func run() async throws {
            try await withRuntime(data, command: "webhooks list") { runtime in
                let subscriptions = try await runtime.store.listWebhooks(tenant: tenant)
                if subscriptions.isEmpty { print("no webhooks") }
                for subscription in subscriptions { print(WebhooksCommand.describe(subscription)) }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a subscription's URL, events, description, or enable or disable it (enabling resumes where it stopped).")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @OptionGroup var webhooks: WebhookTargetOptions
        @Argument(help: "The subscription id.")
        var id: String
        @Option(help: "A new URL.")
        var url: String?
        @Option(help: "New event types, space- or comma-separated.")
        var events: String?
        @Option(help: "A new description (\"\" removes it).")
        var description: String?
        @Flag(help: "Enable it.")
        var enable = false
        @Flag(help: "Disable it.")
        var disable = false

        func validate() throws {
            if enable && disable { throw ValidationError("give --enable or --disable, not both") }
        }

        func run() async throws {
            try await withRuntime(data, command: "webhooks update", webhooks: webhooks) { runtime in
                let change = WebhookChange(
                    url: url, events: events.map(WebhooksCommand.patterns),
                    description: description.map { $0.isEmpty ? nil : $0 }, enabled: enable ? true : (disable ? false : nil))
                let updated = try await runtime.updateWebhook(
                    id: id, tenant: tenant.tenant, creator: .dataFolder, change: change,
                    allowPrivateTargets: runtime.allowPrivateWebhookTargets)
                print(WebhooksCommand.describe(updated))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a subscription; nothing more is sent to it.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The subscription id.")
        var id: String

        func run() async throws {
            try await withRuntime(data, command: "webhooks remove") { runtime in
                try await runtime.deleteWebhook(id: id, tenant: tenant.tenant)
                print("removed \(id)")
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a subscription a new signing secret (printed once); the old one keeps signing beside it for 24 hours.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The subscription id.")
        var id: String

        func run() async throws {
            try await withRuntime(data, command: "webhooks rotate") { runtime in
                let secret = try await runtime.rotateWebhookSecret(id: id, tenant: tenant.tenant)
                print("secret: \(secret)")
                print("Both secrets sign for 24 hours; move the receiver to the new one within that time.")
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a subscription a signed webhook.test message now and print what the receiver answered.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @OptionGroup var webhooks: WebhookTargetOptions
        @Argument(help: "The subscription id.")
        var id: String

        func run() async throws {
            try await withRuntime(data, command: "webhooks test", webhooks: webhooks) { runtime in
                let status = try await runtime.testWebhook(id: id, tenant: tenant.tenant)
                print("\(id): the receiver answered HTTP \(status)")
                if !(200..<300).contains(status) { throw ExitCode.failure }
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a subscription's events again from an EntityEventSequence on (same webhook-ids).")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The subscription id.")
        var id: String
        @Option(name: .customLong("from-sequence"), help: "The first EntityEventSequence to send again.")
        var fromSequence: Int64

        func run() async throws {
            try await withRuntime(data, command: "webhooks replay") { runtime in
                try await runtime.replayWebhook(id: id, tenant: tenant.tenant, fromSequence: fromSequence)
                print("\(id) sends again from event \(fromSequence)")
            }
        }
    }
}
