import Foundation
import Testing

/// `realtyhub webhooks ...` on a data folder: add (secret once), list, update, rotate, replay,
/// remove, and the refusals, as a user sees them.
@Suite struct WebhooksCLITests {
    @Test func managesSubscriptionsThroughTheDataFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-webhooks-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = ["--data-dir", directory.path]
        // The environment may not lend private targets to these runs.
        let strict = ["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": ""]

        let added = try CLITests.run(
            ["webhooks", "add", "--url", "https://hooks.example.com/in", "--events", "contacts.created,delivery.dead", "--json"] + data,
            environment: strict)
        #expect(added.status == 0, "\(added.stderr)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: String])
        let id = try #require(fields["id"])
        #expect(fields["secret"]?.hasPrefix("whsec_") == true && fields["events"] == "contacts.created delivery.dead")

        let listed = try CLITests.run(["webhooks", "list"] + data, environment: strict)
        #expect(listed.stdout.contains("\(id)  default  enabled  https://hooks.example.com/in  contacts.created,delivery.dead"))
        #expect(!listed.stdout.contains(fields["secret"] ?? "?"), "the secret is never listed")

        let local = try CLITests.run(["webhooks", "add", "--url", "http://127.0.0.1:9000/", "--events", "*"] + data, environment: strict)
        #expect(local.status != 0 && local.stderr.contains("127.0.0.1 is a loopback (127.0.0.0/8) address"), "\(local.stderr)")
        let allowed = try CLITests.run(
            ["webhooks", "add", "--url", "http://127.0.0.1:9000/", "--events", "*", "--allow-private-webhook-targets"] + data,
            environment: strict)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let unknown = try CLITests.run(["webhooks", "add", "--url", "https://x.example/", "--events", "contacts.merged"] + data)
        #expect(unknown.status != 0 && unknown.stderr.contains("\"contacts.merged\" is not an event type"), "\(unknown.stderr)")

        let updated = try CLITests.run(["webhooks", "update", id, "--events", "contacts.*", "--disable"] + data, environment: strict)
        #expect(updated.status == 0 && updated.stdout.contains("disabled (by a user)") && updated.stdout.contains("contacts.*"))
        let rotated = try CLITests.run(["webhooks", "rotate", id] + data)
        #expect(rotated.status == 0 && rotated.stdout.hasPrefix("secret: whsec_") && !rotated.stdout.contains(fields["secret"] ?? "?"))
        let replayed = try CLITests.run(["webhooks", "replay", id, "--from-sequence", "1"] + data)
        #expect(replayed.status == 0 && replayed.stdout.contains("sends again from event 1"))
        let removed = try CLITests.run(["webhooks", "remove", id] + data)
        #expect(removed.status == 0)
        let again = try CLITests.run(["webhooks", "remove", id] + data)
        #expect(again.status != 0 && again.stderr.contains("no webhook \(id)"), "\(again.stderr)")
    }
}
