import ArgumentParser
import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import RealtyModel

#if canImport(Glibc)
    import Glibc
#endif

struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "Add, change, list, remove and test connections to vendor accounts.",
        subcommands: [Add.self, Update.self, List.self, Remove.self, Test.self]
    )

    /// A connection's daily request budget, as `add` and `update` take it. Given as text and
    /// read by `RequestBudgetSetting`, so the CLI refuses what the API refuses, with the same
    /// words.
    struct BudgetOptions: ParsableArguments {
        @Option(
            name: .customLong("daily-requests"),
            help: ArgumentHelp(
                "A daily request budget for the connection (1-10000000, or none to remove it); the smaller of it and the vendor's documented quota applies (Apimo: 1000, reset at midnight Europe/Paris).",
                valueName: "n"))
        var dailyRequests: String?
        @Option(
            name: .customLong("delivery-reserve-percent"),
            help: ArgumentHelp(
                "The share of the daily budget kept for deliveries (0-90, default 20, none for the default): pulls stop there, lead deliveries may use it all.",
                valueName: "percent"))
        var deliveryReservePercent: String?

        /// The budget given, nil when not given (`.some(nil)`: remove it).
        func dailyRequestsChange() throws -> Int?? { try dailyRequests.map { try RequestBudgetSetting.dailyRequests(text: $0) } }

        /// The reserve share given, nil when not given (`.some(nil)`: the default).
        func reservePercentChange() throws -> Int?? {
            try deliveryReservePercent.map { try RequestBudgetSetting.reservePercent(text: $0) }
        }
    }

    /// A connection's vendor options and re-read cadence, as `add` and `update` take them; the
    /// values are checked by the runtime (the vendor's option specs, `RereadIntervalSetting`),
    /// so the CLI refuses what the API refuses, with the same words.
    struct SettingsOptions: ParsableArguments {
        @Option(
            name: .customLong("option"),
            help: ArgumentHelp(
                "A vendor option, key=value (repeatable); key= removes it. PropQ: development_ids=1001,1002 (the developments whose publish status is read). Other vendors take none.",
                valueName: "key=value"))
        var options: [String] = []
        @Option(
            name: .customLong("reread-interval"),
            help: ArgumentHelp(
                "Seconds between scheduled re-reads of the resources with no change signal, read whole each time (10-2592000, or none for the default, 21600 = six hours).",
                valueName: "seconds"))
        var rereadInterval: String?

        /// The options given, by key: a value to set, nil to remove.
        func optionChanges() throws -> [String: String?] {
            var changes: [String: String?] = [:]
            for option in options {
                guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                    throw ValidationError("--option must be key=value (key= removes the option); got \"\(option)\"")
                }
                let key = String(option[..<equals])
                let value = String(option[option.index(after: equals)...])
                guard changes[key] == nil else { throw ValidationError("--option \(key) is given twice") }
                changes[key] = .some(value.isEmpty ? nil : value)
            }
            return changes
        }

        /// The options a new connection gets (a removal names nothing to remove).
        func newOptions() throws -> [String: String] {
            try optionChanges().compactMapValues { $0 }
        }

        /// The cadence given, nil when not given (`.some(nil)`: the default).
        func rereadIntervalChange() throws -> Int?? { try rereadInterval.map { try RereadIntervalSetting.seconds(text: $0) } }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a connection; credentials come from a file, standard input or REALTYHUB_CREDENTIALS, never argv.")

        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "pf-expert, propq, mycrm, apimo or boston-logic.") var vendor: String
        @Option(help: "A name for the connection, unique in the tenant.") var name: String
        @Option(name: .customLong("base-url"), help: "The vendor API's base URL.") var baseURL: String
        @Option(
            name: .customLong("auth-url"),
            help: "The auth host, when separate (PF Expert): its base URL or the full token URL (as `sandbox --json` prints auth_url).")
        var authURL: String?
        @Option(name: .customLong("sync-interval"), help: "Seconds between scheduled pulls (none: manual only).") var syncInterval: Int?
        @Option(name: .customLong("requests-per-second"), help: "Override the vendor's default request rate (0: unpaced).")
        var requestsPerSecond: Double?
        @Option(name: .customLong("max-concurrency"), help: "Override the vendor's default requests in flight (1-64).") var maxConcurrency:
            Int?
        @OptionGroup var budget: BudgetOptions
        @OptionGroup var settings: SettingsOptions
        @OptionGroup var credentials: CredentialsOptions
        @Flag(help: "Print the connection as JSON.") var json = false

        func run() async throws {
            let secret = try credentials.read()
            let options = try settings.newOptions()
            let reread = try settings.rereadIntervalChange() ?? nil
            try await withRuntime(data, command: "connections add") { runtime in
                let connection = try await runtime.addConnection(
                    tenant: tenant.tenant, vendor: vendor, name: name, baseURL: baseURL, authURL: authURL, credentials: secret,
                    syncIntervalSeconds: syncInterval, requestsPerSecond: requestsPerSecond, maxConcurrency: maxConcurrency,
                    dailyRequests: try budget.dailyRequestsChange() ?? nil,
                    deliveryReservePercent: try budget.reservePercentChange() ?? nil,
                    options: options, rereadIntervalSeconds: reread
                )
                if json { printJSON(connection) } else { print("added \(connection.name) (\(connection.vendor)) as \(connection.id)") }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Change a connection's daily request budget (and the share kept for deliveries), vendor options and re-read cadence.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The connection's id or name.") var connection: String
        @OptionGroup var budget: BudgetOptions
        @OptionGroup var settings: SettingsOptions
        @Flag(help: "Print the connection as JSON.") var json = false

        func run() async throws {
            let options = try settings.optionChanges()
            let reread = try settings.rereadIntervalChange()
            try await withRuntime(data, command: "connections update") { runtime in
                let changes = ConnectionChanges(
                    dailyRequests: try budget.dailyRequestsChange(), deliveryReservePercent: try budget.reservePercentChange(),
                    options: options, rereadIntervalSeconds: reread)
                let found = try await runtime.findConnection(connection, tenant: tenant.tenant)
                let saved = try await runtime.updateConnection(found.id, tenant: tenant.tenant, changes: changes)
                let usage = try await runtime.requestBudget(for: saved)
                if json {
                    printJSON(ConnectionView(saved, budget: usage))
                } else {
                    print("updated \(saved.name): \(ConnectionView.budgetText(usage))  \(ConnectionView.settingsText(saved))")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List connections (credentials are never shown), with today's request budget where there is one.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withRuntime(data, command: "connections list") { runtime in
                var views: [ConnectionView] = []
                for connection in try await runtime.store.listConnections(tenant: tenant.tenant) {
                    views.append(ConnectionView(connection, budget: try await runtime.requestBudget(for: connection)))
                }
                if json {
                    printJSON(views)
                    return
                }
                if views.isEmpty { print("no connections in tenant \(tenant.tenant)") }
                for view in views {
                    let connection = view.connection
                    let schedule = connection.syncIntervalSeconds.map { "every \($0)s" } ?? "manual"
                    print(
                        "\(connection.id)  \(connection.name)  \(connection.vendor)  \(connection.baseURL)  \(schedule)  \(connection.enabled ? "enabled" : "disabled")  credentials: \(connection.hasCredentials ? "stored" : "none")  \(ConnectionView.budgetText(view.budget))  \(ConnectionView.settingsText(connection))"
                    )
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a connection (records it synced are kept).")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The connection's id or name.") var connection: String

        func run() async throws {
            try await withRuntime(data, command: "connections remove") { runtime in
                let found = try await runtime.findConnection(connection, tenant: tenant.tenant)
                _ = try await runtime.store.deleteConnection(id: found.id, tenant: tenant.tenant)
                print("removed \(found.name)")
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Authenticate against the vendor and show what the connection can do.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The connection's id or name.") var connection: String

        func run() async throws {
            try await withRuntime(data, command: "connections test") { runtime in
                let found = try await runtime.findConnection(connection, tenant: tenant.tenant)
                let capabilities = try await runtime.testConnection(found)
                print("\(found.name): credentials accepted")
                print(
                    "  reads:  \(capabilities.readable.map { $0.resource.rawValue + ($0.incremental ? " (incremental)" : "") }.joined(separator: ", "))"
                )
                print("  writes: \(capabilities.writable.map(\.resource.rawValue).joined(separator: ", "))")
            }
        }
    }
}

/// A connection as the CLI prints it as JSON: the stored connection and today's budget.
struct ConnectionView: Encodable {
    var connection: Connection
    var budget: RequestBudget.Usage?

    init(_ connection: Connection, budget: RequestBudget.Usage?) {
        self.connection = connection
        self.budget = budget
    }

    enum CodingKeys: String, CodingKey { case requestBudget }

    func encode(to encoder: any Encoder) throws {
        try connection.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(budget, forKey: .requestBudget)
    }

    /// `re-read: every 21600s (default)  options: development_ids=1001,1002`.
    static func settingsText(_ connection: Connection) -> String {
        let reread =
            connection.rereadIntervalSeconds.map { "re-read: every \($0)s" }
            ?? "re-read: every \(RereadIntervalSetting.defaultSeconds)s (default)"
        let options = connection.options.keys.sorted().map { "\($0)=\(connection.options[$0] ?? "")" }
        return reread + "  options: " + (options.isEmpty ? "none" : options.joined(separator: " "))
    }

    /// `budget: 120 of 1000 used today, 200 reserved for deliveries, 880 left (680 for pulls),
    /// resets 2026-12-04T23:00:00Z (midnight Europe/Paris)`, or `budget: none`.
    static func budgetText(_ budget: RequestBudget.Usage?) -> String {
        guard let budget else { return "budget: none" }
        return
            "budget: \(budget.used) of \(budget.dailyLimit) used today, \(budget.reserved) reserved for deliveries, \(budget.remaining) left (\(budget.pullRemaining) for pulls), resets \(Timestamp.format(budget.resetsAt)) (midnight \(budget.timeZone))"
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull records from the tenant's connections into the store.",
        discussion: """
            An auxiliary resource (PF WhatsApp leads and tracked calls, Apimo actions, Boston Logic \
            property views and notes) that the vendor's server lacks or the credentials may not read is \
            reported SKIPPED (status unavailable) with the vendor's reason and does not fail the sync.

            Exit status: 0 when every pull completed; 1 when any failed; 75 (EX_TEMPFAIL, "try again \
            later") when none failed but at least one stopped at its connection's daily request \
            budget (status budget_exhausted). Such a pull is not a failure: it stored every page it \
            read with its cursor, kept the share of the budget reserved for lead deliveries, and \
            resumes from that cursor after the budget resets (the scheduler of `realtyhub run` and \
            `serve` waits for the reset on its own).
            """)

    /// The exit status of a sync whose runs all completed or stopped at the daily budget, with
    /// at least one stopped (sysexits' EX_TEMPFAIL).
    static let budgetExhaustedExitCode = ExitCode(75)

    @OptionGroup var data: DataOptions
    @OptionGroup var tenant: TenantOptions
    @Option(help: "Only this connection (id or name).") var connection: String?
    @Option(help: "Only this resource (Member, Office, Teams, Contacts, Property, Development, Activity).") var resource: String?
    @Flag(help: "A full pass (detects deletions) instead of an incremental pull.") var full = false
    @Flag(help: "Print the runs as JSON.") var json = false

    /// One progress line on standard error, redrawn in place.
    @Sendable static func showProgress(_ run: SyncRun) {
        let line = "\r\(run.resource.rawValue): page \(run.pages), \(run.inserted) new, \(run.updated) changed, \(run.unchanged) unchanged"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func run() async throws {
        var resourceName: ResourceName?
        if let resource {
            guard let parsed = ResourceName(name: resource) else { throw ValidationError("unknown resource \(resource)") }
            resourceName = parsed
        }
        // Progress is redrawn in place on a terminal only; into a pipe or file the runs' lines
        // below are the output.
        let onTerminal = StandardStreams.standardErrorIsTerminal && !json
        try await withRuntime(data, command: "sync") { runtime in
            let connections: [Connection]
            if let connection {
                connections = [try await runtime.findConnection(connection, tenant: tenant.tenant)]
            } else {
                connections = try await runtime.store.listConnections(tenant: tenant.tenant)
            }
            if connections.isEmpty {
                throw ValidationError("no connections in tenant \(tenant.tenant); add one with `realtyhub connections add`")
            }
            let progress: (@Sendable (SyncRun) -> Void)? = onTerminal ? SyncCommand.showProgress : nil
            let runs = try await runtime.sync(
                tenant: tenant.tenant, connections: connections, resource: resourceName, full: full, progress: progress)
            if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if json {
                printJSON(runs)
            } else {
                let names = Dictionary(connections.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
                for run in runs {
                    let outcome: String
                    switch run.status {
                    case .succeeded: outcome = run.skipped.map { "ok; skipped: \($0)" } ?? "ok"
                    case .unavailable: outcome = "SKIPPED: \(run.skipped ?? "not available on this connection")"
                    case .budgetExhausted: outcome = "STOPPED at the daily request budget: \(run.error ?? "")"
                    case .failed, .running: outcome = "FAILED: \(run.error ?? "")"
                    }
                    print(
                        "\(names[run.connectionID] ?? run.connectionID) \(run.resource.rawValue) (\(run.mode.rawValue)): \(run.inserted) inserted, \(run.updated) updated, \(run.unchanged) unchanged, \(run.deleted) deleted, \(run.pages) pages — \(outcome)"
                    )
                }
            }
            if runs.contains(where: { $0.status == .failed }) { throw ExitCode.failure }
            if runs.contains(where: { $0.status == .budgetExhausted }) { throw SyncCommand.budgetExhaustedExitCode }
        }
    }
}

struct LeadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leads", abstract: "Deliver leads to CRMs.", subcommands: [Push.self])

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a lead (JSON with RESO Contacts names), commit it to the outbox for each target, then acknowledge.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "The lead as a JSON file ('-' for standard input).") var file: String
        @Option(name: .customLong("to"), parsing: .upToNextOption, help: "Target connections (ids or names).") var targets: [String]
        @Option(name: .customLong("idempotency-key"), help: "Pushing again with the same key adds nothing.") var idempotencyKey: String?
        @Flag(help: "Print the deliveries as JSON.") var json = false

        func run() async throws {
            let body: Data
            if file == "-" {
                body = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                body = contents
            }
            let lead: JSONValue
            do {
                lead = try JSONValue(parsing: body)
            } catch {
                throw ValidationError("\(file == "-" ? "standard input" : file) is not JSON: \(error)")
            }
            try await withRuntime(data, command: "leads push") { runtime in
                let deliveries = try await runtime.acceptLead(
                    lead, connections: targets, tenant: tenant.tenant, idempotencyKey: idempotencyKey)
                if json {
                    printJSON(deliveries.map(DeliveryView.init))
                } else {
                    for delivery in deliveries {
                        print("accepted: delivery \(delivery.id) to \(delivery.connectionID) (\(delivery.state.rawValue))")
                    }
                }
            }
        }
    }
}

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries", abstract: "Inspect and retry outbox deliveries.", subcommands: [List.self, Retry.self])

    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "Only this state: pending, in-flight, done, retry-wait, dead, conflict.") var state: String?
        @Option(help: "At most this many, newest first.") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let filterState = try state.map { text in
                guard let parsed = DeliveryState(rawValue: text) else {
                    throw ValidationError(
                        "unknown state \(text); states: \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return parsed
            }
            try await withRuntime(data, command: "deliveries list") { runtime in
                let deliveries = try await runtime.store.listDeliveries(
                    tenant: tenant.tenant, filter: DeliveryFilter(state: filterState, limit: max(1, limit)))
                if json {
                    printJSON(deliveries.map(DeliveryView.init))
                    return
                }
                for delivery in deliveries {
                    print(
                        "\(delivery.id)  \(delivery.kind)  \(delivery.connectionID)  \(delivery.state.rawValue)  attempts \(delivery.attempts)/\(delivery.maxAttempts)  remote \(delivery.remoteID ?? "-")  \(delivery.lastError ?? "")"
                    )
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a dead or conflicting delivery back to pending with a fresh budget.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Argument(help: "The delivery id.") var id: String
        @Flag(help: "Send an update held as a conflict anyway, overwriting the vendor's newer record.") var force = false

        func run() async throws {
            try await withRuntime(data, command: "deliveries retry") { runtime in
                let delivery = try await runtime.store.retryDelivery(id: id, tenant: tenant.tenant, force: force, now: Date())
                print("delivery \(delivery.id) is \(delivery.state.rawValue) again")
            }
        }
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the scheduler and the delivery worker (headless) until SIGTERM or Ctrl-C.")
    @OptionGroup var data: DataOptions
    @Option(name: .customLong("full-pass-hours"), help: "Hours between full passes of each resource.") var fullPassHours: Double = 24
    @Option(
        name: .customLong("lease-seconds"),
        help:
            "How long a delivery attempt or pull is leased without a heartbeat (renewed every third of it); a crashed process's deliveries and pulls are taken over after it."
    )
    var leaseSeconds: Double = 10
    @OptionGroup var webhooks: WebhookTargetOptions

    func validate() throws {
        guard fullPassHours >= 0 else { throw ValidationError("--full-pass-hours must be zero or more") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
    }

    func run() async throws {
        try await withRuntime(data, command: "run", webhooks: webhooks) { runtime in
            try await HubApp.runWorkers(runtime, fullPassInterval: fullPassHours * 3600, leaseDuration: leaseSeconds)
        }
    }
}

/// A delivery as the CLI prints it (the payload stays out).
struct DeliveryView: Encodable {
    var id, connectionID, kind, state: String
    var attempts, maxAttempts: Int
    var remoteID, lastError, recordKey, errorCode: String?
    var conflict: DeliveryConflict?
    var createdAt: Date

    init(_ delivery: Delivery) {
        id = delivery.id
        connectionID = delivery.connectionID
        kind = delivery.kind.rawValue
        state = delivery.state.rawValue
        attempts = delivery.attempts
        maxAttempts = delivery.maxAttempts
        remoteID = delivery.remoteID
        lastError = delivery.lastError
        recordKey = delivery.recordKey
        errorCode = delivery.errorCode
        conflict = delivery.conflict
        createdAt = delivery.createdAt
    }
}
