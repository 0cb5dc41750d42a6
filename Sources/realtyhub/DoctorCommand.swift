import ArgumentParser
import Foundation
import HubApp

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the data folder (or database), secret key and schema, and report each."
    )

    @OptionGroup var data: DataOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let report = await HubApp.doctor(data.configuration)
        if json {
            printJSON(report)
        } else {
            for check in report.checks {
                let mark: String
                switch check.status {
                case .ok: mark = "ok  "
                case .warning: mark = "warn"
                case .failed: mark = "FAIL"
                }
                print("[\(mark)] \(check.name): \(check.message)")
            }
        }
        if !report.healthy { throw ExitCode.failure }
    }
}
