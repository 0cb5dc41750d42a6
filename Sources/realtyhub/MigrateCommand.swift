import ArgumentParser
import Foundation
import HubApp

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the data folder: the database schema and the secret key."
    )

    @OptionGroup var data: DataOptions

    func run() async throws {
        let configuration = data.configuration
        do {
            let report = try await HubApp.migrate(configuration)
            print("\(configuration.database == nil ? "data folder" : "database"): \(report.dataDirectory)")
            print("schema: \(report.applied.count) migrations applied, latest \(report.latest ?? "none")")
        } catch {
            printError("realtyhub migrate: \(error)")
            throw ExitCode.failure
        }
    }
}
