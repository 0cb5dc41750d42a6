import ArgumentParser
import Foundation
import HubApp

@main
struct RealtyHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "realtyhub",
        abstract: "RealtyHub: one reliable, normalized view over your real-estate CRMs and portals.",
        version: RealtyHubVersion.current,
        subcommands: [
            MigrateCommand.self, DoctorCommand.self, SandboxCommand.self, ProbeCommand.self, ConnectionsCommand.self,
            SyncCommand.self, LeadsCommand.self, DeliveriesCommand.self, RunCommand.self, UnitsCommand.self,
            DevelopmentsCommand.self, AddressCommand.self, ServeCommand.self, DemoCommand.self, ClientsCommand.self, RecordsCommand.self,
            WebhooksCommand.self,
        ]
    )

    /// Line-buffers standard output, then parses and runs the command.
    static func main() async {
        StandardStreams.lineBufferStandardOutput()
        await main(nil)
    }
}

/// Options every command that opens the data folder shares.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data folder (default: $REALTYHUB_DATA_DIR or ./realtyhub-data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("database"),
        help:
            "A PostgreSQL database instead of the data folder's SQLite: postgres://USER:PASSWORD@HOST:PORT/DB[?sslmode=disable|prefer|require|verify-ca|verify-full] (default: $REALTYHUB_DATABASE_URL). Prefer the variable: arguments are visible to other users."
    )
    var database: String?

    var configuration: HubConfiguration {
        HubConfiguration(dataDirectory: dataDirectory, environment: ProcessInfo.processInfo.environment, databaseURL: database)
    }
}

/// Where this process may send webhooks.
struct WebhookTargetOptions: ParsableArguments {
    @Flag(
        name: .customLong("allow-private-webhook-targets"),
        help:
            "Let webhooks go to loopback, private and link-local addresses (local receivers, development); also REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS=1."
    )
    var allowPrivateTargets = false

    @Option(
        name: .customLong("webhook-timeout-seconds"),
        help:
            "How long a webhook receiver has to answer (1-60, default 10); a process killed mid-send holds its subscriptions 3 times that.")
    var timeoutSeconds: Int?

    func validate() throws {
        if let timeoutSeconds, !(1...60).contains(timeoutSeconds) {
            throw ValidationError("--webhook-timeout-seconds must be 1 to 60")
        }
    }

    /// Applies these options to `configuration`.
    func apply(to configuration: inout HubConfiguration) {
        if allowPrivateTargets { configuration.allowPrivateWebhookTargets = true }
        if let timeoutSeconds { configuration.webhookTimeout = TimeInterval(timeoutSeconds) }
    }
}

/// Prints `message` to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
