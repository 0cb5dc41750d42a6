import Foundation
import Testing

/// `realtyhub connections add|update --option key=value --reread-interval SECONDS`.
@Suite struct ConnectionOptionsCLITests {
    @Test func optionsAndCadenceAreCheckedStoredAndListed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-options-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = ["--data-dir", directory.path]
        let propq = ["REALTYHUB_CREDENTIALS": #"{"client_id":5,"client_secret":"s"}"#]
        let add = ["connections", "add", "--vendor", "propq", "--name", "propq", "--base-url", "http://127.0.0.1:1"] + data
        let rule =
            "development_ids must be 1 to 200 distinct ids separated by commas (spaces around them allowed), each 1 to 64 ASCII letters, digits, '.', '_' or '-' beginning with a letter or digit: "

        for (arguments, message) in [
            (["--option", "agency=1"], "options.agency: unknown option agency; this vendor's options: development_ids"),
            (["--option", "development_ids=1001,1001"], "options.development_ids: " + rule + "\"1001\" is given twice"),
            (
                ["--option", "development_ids=1001,"],
                "options.development_ids: " + rule + "an empty id (a comma at an end, or two in a row)"
            ),
            (["--option", "development_ids"], "--option must be key=value (key= removes the option); got \"development_ids\""),
            (
                ["--reread-interval", "5"],
                "--reread-interval must be a whole number of seconds from 10 to 2592000, or none for the default (21600); got \"5\""
            ),
        ] {
            let refused = try CLITests.run(add + arguments, environment: propq)
            #expect(refused.status != 0, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        let apimo = try CLITests.run(
            [
                "connections", "add", "--vendor", "apimo", "--name", "apimo", "--base-url", "http://127.0.0.1:1", "--option",
                "development_ids=1",
            ]
                + data, environment: ["REALTYHUB_CREDENTIALS": #"{"provider":"7","token":"t"}"#])
        #expect(apimo.status == 1)
        #expect(
            apimo.stderr.contains("options.development_ids: unknown option development_ids: this vendor's connections take no options"),
            "\(apimo.stderr)")

        let added = try CLITests.run(
            add + ["--option", "development_ids=1001, 1002", "--reread-interval", "3600"], environment: propq)
        #expect(added.status == 0, "\(added.stderr)")
        var list = try CLITests.run(["connections", "list"] + data)
        #expect(list.stdout.contains("re-read: every 3600s  options: development_ids=1001,1002"), "\(list.stdout)")

        let update = try CLITests.run(
            ["connections", "update", "propq", "--option", "development_ids=", "--reread-interval", "none"] + data)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains("re-read: every 21600s (default)  options: none"), "\(update.stdout)")
        let wrong = try CLITests.run(["connections", "update", "propq", "--option", "development_ids=a b"] + data)
        #expect(wrong.status == 1 && wrong.stderr.contains("options.development_ids: " + rule), "\(wrong.stderr)")
        list = try CLITests.run(["connections", "list", "--json"] + data)
        let entries = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect((entries?.first?["options"] as? [String: String]) == [:])
        #expect(entries?.first?["rereadIntervalSeconds"] == nil)
    }
}
