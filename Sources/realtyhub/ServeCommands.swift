import ArgumentParser
import Foundation
import HubApp
import HubOperations
import HubServer
import HubStore
import Logging
import RealtyModel
import Sandbox
import ServiceLifecycle

/// `realtyhub serve`: the API server, with the scheduler and delivery workers in-process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the hub API (HTTP/JSON under /v1), with the scheduler and delivery workers.",
        discussion:
            "Stops gracefully on SIGTERM or SIGINT: no new connections, requests in flight finish, delivery attempts in progress finish.")

    @OptionGroup var data: DataOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8080

    @Flag(name: .customLong("no-workers"), help: "Serve the API only: no scheduled pulls, no delivery workers in this process.")
    var noWorkers = false

    @OptionGroup var webhooks: WebhookTargetOptions

    @Option(name: .customLong("token-lifetime"), help: "Seconds an issued bearer token stays valid.")
    var tokenLifetime = 1800

    @Option(name: .customLong("rate-limit"), help: "Requests per second allowed to each API client (bursts of twice that).")
    var rateLimit = 200.0

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(
        name: .customLong("public-url"),
        help: "The URL users reach the hub at (behind a proxy); an https URL makes the dashboard's cookies Secure.")
    var publicURL: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard tokenLifetime >= 60, tokenLifetime <= 86_400 else { throw ValidationError("--token-lifetime must be 60 to 86400 seconds") }
        guard rateLimit > 0 else { throw ValidationError("--rate-limit must be positive") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \"\(logLevel)\"") }
        if let publicURL {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--public-url must be an http or https URL with a host, such as https://hub.example.com")
            }
        }
    }

    func run() async throws {
        var logger = Logger(label: "realtyhub.server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let runtime: HubRuntime
        do {
            var configuration = data.configuration
            webhooks.apply(to: &configuration)
            runtime = try await HubRuntime.open(configuration, logger: logger)
        } catch {
            printError("realtyhub serve: \(error)")
            throw ExitCode.failure
        }
        let options = HubServerOptions(
            host: host, port: port, runWorkers: !noWorkers, tokenLifetime: TimeInterval(tokenLifetime), requestsPerSecond: rateLimit,
            publicURL: publicURL.flatMap(URL.init(string:)))
        let host = self.host
        do {
            try await HubApp.serve(runtime: runtime, options: options) { port in
                print("RealtyHub listening on http://\(host):\(port)")
            }
            await runtime.shutdown()
        } catch {
            await runtime.shutdown()
            printError("realtyhub serve: \(error)")
            throw ExitCode.failure
        }
    }
}

/// `realtyhub clients create|list|remove`: API clients of the hub.
struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Manage the API clients that call the hub.",
        subcommands: [Create.self, List.self, Remove.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API client; its secret is printed once and stored only hashed.",
            discussion:
                "Scopes are resource:action (read, write, delete), space- or comma-separated; * stands for every resource or action. Resources: \(ScopeSet.resources.joined(separator: ", "))."
        )

        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions

        @Option(help: "A name for the client (which program uses it).")
        var name: String

        @Option(help: "Granted scopes, e.g. \"contacts:read leads:write\" or \"*:read\".")
        var scopes: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await withRuntime(data, command: "clients create") { runtime in
                let (client, secret) = try await runtime.createAPIClient(tenant: tenant.tenant, name: name, scopes: scopes)
                if json {
                    printJSON([
                        "client_id": client.id, "client_secret": secret, "tenant": client.tenantID,
                        "scopes": client.scopes.joined(separator: " "),
                    ])
                } else {
                    print("client_id:     \(client.id)")
                    print("client_secret: \(secret)")
                    print("tenant:        \(client.tenantID)")
                    print("scopes:        \(client.scopes.joined(separator: " "))")
                    print("The secret is shown only now; store it safely.")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API clients (never their secrets).")
        @OptionGroup var data: DataOptions
        @Option(help: "Only this tenant's clients.")
        var tenant: String?

        func run() async throws {
            try await withRuntime(data, command: "clients list") { runtime in
                let clients = try await runtime.store.listAPIClients(tenant: tenant)
                if clients.isEmpty { print("no API clients") }
                for client in clients {
                    print(
                        "\(client.id)  \(client.tenantID)  \(client.name)  \(client.enabled ? "enabled" : "disabled")  \(client.scopes.joined(separator: " "))"
                    )
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an API client; its tokens stop working within seconds.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The client id.")
        var clientID: String

        func run() async throws {
            try await withRuntime(data, command: "clients remove") { runtime in
                guard try await runtime.store.deleteAPIClient(id: clientID, tenant: tenant.tenant) else {
                    printError("realtyhub clients remove: no client \(clientID) in tenant \(tenant.tenant)")
                    throw ExitCode.failure
                }
                print("removed \(clientID)")
            }
        }
    }
}
