import ArgumentParser
import Foundation
import HubApp
import HubOperations
import HubStore
import Logging
import ServiceLifecycle
import SyncEngine
import UnixSignals

extension WebhooksCommand {
    /// `realtyhub webhooks listen`: a local receiver with a temporary subscription of its own
    /// (through the data folder, or a hub's API with `--hub`), every event verified and printed,
    /// the subscription removed on SIGINT or SIGTERM.
    struct Listen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive webhooks here: a temporary subscription to a local receiver that verifies and prints each event.",
            discussion: """
                Starts a receiver on 127.0.0.1, subscribes it (through the data folder, or a running \
                hub's API with --hub and a token), prints a line per event (time, type, webhook-id, \
                data), answers 400 to anything not signed with the subscription's secret, and \
                removes the subscription on Ctrl-C. Through the data folder the events are sent by \
                the hub process serving that folder (serve, run or demo), which must allow private \
                webhook targets.
                """)

        static let subscriptionDescription = "realtyhub webhooks listen"

        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "The receiver's port on 127.0.0.1 (0 picks a free one).")
        var port = 0
        @Option(help: "Event types, space- or comma-separated (\"contacts.* delivery.dead\"; default * for all).")
        var events = "*"
        @Option(
            name: .customLong("forward-url"),
            help: "The URL the hub sends to, when it cannot reach this machine's 127.0.0.1 (default: http://127.0.0.1:<port>/).")
        var forwardURL: String?
        @Option(help: "A running hub's URL: subscribe through its API instead of the data folder.")
        var hub: String?
        @Option(help: "A bearer token for --hub with the webhooks:write scope (default: $REALTYHUB_TOKEN).")
        var token: String?
        @Flag(help: "Print each verified body as one JSON line instead.")
        var json = false

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
            if hub != nil && (data.dataDirectory != nil || data.database != nil) {
                throw ValidationError("give --hub or a data folder (--data-dir, --database), not both")
            }
            if hub == nil && token != nil { throw ValidationError("--token goes with --hub") }
            if hub != nil && bearer == nil { throw ValidationError("--hub needs --token or REALTYHUB_TOKEN") }
        }

        private var bearer: String? {
            token ?? ProcessInfo.processInfo.environment["REALTYHUB_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        }

        func run() async throws {
            let patterns = WebhooksCommand.patterns(events)
            if let hub, let bearer {
                let client = HubWebhooksClient(hub: hub, token: bearer)
                let outcome: Result<Void, any Error>
                do {
                    try await listen(
                        patterns: patterns, hint: nil,
                        subscribe: { url in
                            let created = try await client.create(url: url, events: patterns, description: Self.subscriptionDescription)
                            return (created.id, created.secret)
                        },
                        unsubscribe: { try await client.delete(id: $0) }, removal: { "DELETE \(hub)/v1/webhooks/\($0)" })
                    outcome = .success(())
                } catch {
                    outcome = .failure(error)
                }
                await client.shutdown()
                do {
                    try outcome.get()
                } catch let failure as HubWebhooksClient.Failure {
                    printError("realtyhub webhooks listen: \(failure)")
                    if failure.status == 422 && failure.details.contains(where: { $0.field == "url" }) {
                        printError(
                            "The hub refuses webhooks to loopback and private addresses unless it was started with "
                                + "--allow-private-webhook-targets (or REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS=1); "
                                + "restart it so, or give --forward-url with an address it may send to.")
                    }
                    throw ExitCode.failure
                } catch let exit as ExitCode {
                    throw exit
                } catch {
                    printError("realtyhub webhooks listen: \(error)")
                    throw ExitCode.failure
                }
                return
            }
            try await withRuntime(data, command: "webhooks listen") { runtime in
                let tenant = tenant.tenant
                try await listen(
                    patterns: patterns,
                    hint:
                        "The hub process serving this data folder (realtyhub serve, run or demo) sends the events; it must allow private targets (--allow-private-webhook-targets or REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS=1; the demo does).",
                    subscribe: { url in
                        let (subscription, secret) = try await runtime.createWebhook(
                            tenant: tenant, creator: .dataFolder, url: url, events: patterns,
                            description: Self.subscriptionDescription, allowPrivateTargets: true)
                        return (subscription.id, secret)
                    },
                    unsubscribe: { try await runtime.deleteWebhook(id: $0, tenant: tenant) },
                    removal: { "realtyhub webhooks remove \($0) --tenant \(tenant)" })
            }
        }

        /// Serves until SIGINT or SIGTERM with a subscription made by `subscribe` once the
        /// receiver listens, removed by `unsubscribe` when it stops. Verified events go to
        /// standard output; the banner and refusals to standard error (so `--json` output is
        /// JSON lines only).
        private func listen(
            patterns: [String], hint: String?, subscribe: (String) async throws -> (id: String, secret: String),
            unsubscribe: (String) async throws -> Void, removal: (String) -> String
        ) async throws {
            let listener = WebhookListener(format: json ? .json : .lines) { outcome in
                switch outcome {
                case .accepted(let line): print(line)
                case .refused(_, _, let line): printError(line)
                }
            }
            var logger = Logger(label: "realtyhub.webhooks.listen")
            logger.logLevel = .warning
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = listener.server(port: port, logger: logger) { continuation.yield($0) }
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            let running = Task { try await group.run() }
            // The server may fail to bind, or a signal stop it, before it reports its port.
            let watcher = Task {
                _ = await running.result
                continuation.finish()
            }
            defer { watcher.cancel() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else {
                // Stopped by a signal before listening: nothing was subscribed.
                do {
                    try await running.value
                } catch {
                    throw ValidationError("cannot listen on 127.0.0.1:\(port): \(error)")
                }
                return
            }
            let local = "http://127.0.0.1:\(bound)/"
            let id: String
            do {
                let created = try await subscribe(forwardURL ?? local)
                id = created.id
                do {
                    listener.use(secret: try WebhookSecret(parsing: created.secret))
                } catch {
                    try? await unsubscribe(id)
                    throw error
                }
            } catch {
                await group.triggerGracefulShutdown()
                _ = await running.result
                throw error
            }
            var banner = ["Listening on \(local) for \(patterns.joined(separator: " ")) (subscription \(id), removed on exit)."]
            if let forwardURL { banner.append("The hub sends to \(forwardURL).") }
            if let hint { banner.append(hint) }
            banner.append("Ctrl-C stops.")
            printError(banner.joined(separator: "\n"))

            let result = await running.result
            do {
                try await unsubscribe(id)
                printError("removed subscription \(id)")
            } catch {
                printError(
                    "realtyhub webhooks listen: could not remove subscription \(id): \(error); remove it with \(removal(id))"
                )
                throw ExitCode.failure
            }
            try result.get()
        }
    }
}
