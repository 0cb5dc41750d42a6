import ArgumentParser
import Foundation
import HubApp

/// `realtyhub probe <vendor> --base-url URL [--auth-url URL] --credentials-file FILE [--json]`
///
/// Credentials come from a JSON file or the `REALTYHUB_CREDENTIALS` environment variable, never
/// from the command line (where other users and shell history could see them).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Check a vendor connection: authenticate, list capabilities, read the first page of each resource.",
        discussion: """
            VENDOR is one of: pf-expert, propq, mycrm, apimo, boston-logic.

            The credentials are JSON with the vendor's own key names:
              pf-expert     {"api_key": "...", "api_secret": "..."}
              propq         {"client_id": 123, "client_secret": "..."}
              mycrm         {"username": "...", "access_key": "..."}
              apimo         {"provider": "...", "token": "...", "agency_ids": ["..."]}
              boston-logic  {"api_key": "...", "host": "www.example.com"}
            Give them in a file (--credentials-file, mode 600) or in the REALTYHUB_CREDENTIALS
            environment variable; never on the command line.

            Exits with 0 when every step worked, 1 when any failed, 64 when the arguments or
            credentials are unusable.
            """
    )

    @Argument(help: "The vendor: pf-expert, propq, mycrm, apimo or boston-logic.")
    var vendor: String

    @Option(name: .customLong("base-url"), help: "The vendor API's base URL (the real vendor or an emulator).")
    var baseURL: String

    @Option(
        name: .customLong("auth-url"),
        help: "The auth host, when separate (PF Expert): its base URL or the full token URL (as `sandbox --json` prints auth_url).")
    var authURL: String?

    @Option(name: .customLong("credentials-file"), help: "A JSON file with the credentials (default: $REALTYHUB_CREDENTIALS).")
    var credentialsFile: String?

    @Option(name: .customLong("connection-id"), help: "The connection id named in logs and errors.")
    var connectionID: String = "probe"

    @Option(name: .customLong("timeout"), help: "Seconds allowed for each request (default: the vendor's).")
    var timeout: Double?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Log each vendor request to standard error.")
    var verbose = false

    func run() async throws {
        let request: ProbeRequest
        do {
            request = try ProbeRequest(
                vendorName: vendor, baseURL: baseURL, authURL: authURL, credentialsFile: credentialsFile,
                connectionID: connectionID, timeoutSeconds: timeout, environment: ProcessInfo.processInfo.environment,
                warn: printError)
        } catch let error as ProbeSetupError {
            printError("error: \(error.message)")
            throw ExitCode.validationFailure
        }
        let report = await HubApp.probe(request, logger: HubApp.consoleLogger(label: "realtyhub.probe", verbose: verbose))
        if json {
            printJSON(report)
        } else {
            print(report.renderedText)
        }
        if !report.succeeded { throw ExitCode.failure }
    }
}
