import ArgumentParser
import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import Logging
import RealtyModel

/// Options of commands that act for one tenant.
struct TenantOptions: ParsableArguments {
    @Option(help: "The tenant (default: \(HubRuntime.defaultTenant)).")
    var tenant: String = HubRuntime.defaultTenant
}

/// Opens the hub, runs `body`, and always shuts the hub down; errors become a message on
/// standard error and a non-zero exit.
func withRuntime(
    _ data: DataOptions, command: String, webhooks: WebhookTargetOptions? = nil, _ body: (HubRuntime) async throws -> Void
) async throws {
    var logger = Logger(label: "realtyhub")
    logger.logLevel = ProcessInfo.processInfo.environment["REALTYHUB_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    var configuration = data.configuration
    webhooks?.apply(to: &configuration)
    let runtime: HubRuntime
    do {
        runtime = try await HubRuntime.open(configuration, logger: logger)
    } catch {
        printError("realtyhub \(command): \(error)")
        throw ExitCode.failure
    }
    do {
        try await body(runtime)
        await runtime.shutdown()
    } catch let exit as ExitCode {
        await runtime.shutdown()
        throw exit
    } catch {
        await runtime.shutdown()
        printError("realtyhub \(command): \(error)")
        throw ExitCode.failure
    }
}

/// Prints a value as pretty JSON on standard output.
func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    print(String(decoding: data, as: UTF8.self))
}

/// Reads credentials from a file, standard input or `REALTYHUB_CREDENTIALS`; never from argv.
struct CredentialsOptions: ParsableArguments {
    @Option(name: .customLong("credentials-file"), help: "A JSON file with the vendor's credentials.")
    var file: String?

    @Flag(name: .customLong("credentials-stdin"), help: "Read the credentials JSON from standard input.")
    var stdin = false

    func read() throws -> Data {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read the credentials file \(file)")
            }
            return data
        }
        if stdin {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard !data.isEmpty else { throw ValidationError("no credentials on standard input") }
            return data
        }
        if let text = ProcessInfo.processInfo.environment["REALTYHUB_CREDENTIALS"], !text.isEmpty {
            return Data(text.utf8)
        }
        throw ValidationError("give the credentials with --credentials-file FILE, --credentials-stdin or REALTYHUB_CREDENTIALS")
    }
}
