import Foundation
import Testing

/// `realtyhub connections add|update --daily-requests --delivery-reserve-percent` and the
/// budget `connections list` prints.
@Suite struct RequestBudgetCLITests {
    @Test func budgetOptionsAreCheckedStoredAndListed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-budget-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = ["--data-dir", directory.path]
        let credentials = ["REALTYHUB_CREDENTIALS": #"{"provider":"7","token":"t","agency_ids":["14"]}"#]
        let add = ["connections", "add", "--vendor", "apimo", "--name", "apimo", "--base-url", "http://127.0.0.1:1"] + data

        for (option, value) in [
            ("--daily-requests", "0"), ("--daily-requests", "-3"), ("--daily-requests", "1.5"), ("--daily-requests", "lots"),
            ("--daily-requests", "99999999999"), ("--delivery-reserve-percent", "95"),
        ] {
            let refused = try CLITests.run(add + ["\(option)=\(value)"], environment: credentials)
            #expect(refused.status == 1, "\(option) \(value): \(refused.stderr)")
            #expect(refused.stderr.contains("\(option) must be a whole number from"), "\(refused.stderr)")
        }
        let added = try CLITests.run(add + ["--daily-requests", "600", "--delivery-reserve-percent", "25"], environment: credentials)
        #expect(added.status == 0, "\(added.stderr)")
        var list = try CLITests.run(["connections", "list"] + data)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(
            list.stdout.contains("budget: 0 of 600 used today, 150 reserved for deliveries, 600 left (450 for pulls), resets "),
            "\(list.stdout)")
        #expect(list.stdout.contains("(midnight Europe/Paris)"))

        let update = try CLITests.run(["connections", "update", "apimo", "--daily-requests", "none"] + data)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains("budget: 0 of 1000 used today, 250 reserved"), "the vendor's quota alone: \(update.stdout)")
        let wrong = try CLITests.run(["connections", "update", "apimo", "--delivery-reserve-percent", "x"] + data)
        #expect(wrong.status == 1 && wrong.stderr.contains("--delivery-reserve-percent must be a whole number from 0 to 90"))
        list = try CLITests.run(["connections", "list", "--json"] + data)
        let entries = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        let budget = entries?.first?["requestBudget"] as? [String: Any]
        #expect(budget?["dailyLimit"] as? Int == 1000 && budget?["reserved"] as? Int == 250 && budget?["pullRemaining"] as? Int == 750)
        #expect(entries?.first?["deliveryReservePercent"] as? Int == 25)

        let help = try CLITests.run(["sync", "--help"])
        #expect(help.stdout.contains("75"), "the exit status of a sync stopped at the budget is documented: \(help.stdout)")
    }
}
