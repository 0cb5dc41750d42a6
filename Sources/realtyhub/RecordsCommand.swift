import ArgumentParser
import Foundation
import HubOperations
import HubStore
import RealtyModel

/// `realtyhub records create|update|delete`: writes to the vendors through the outbox, as the
/// API's `POST`, `PATCH` and `DELETE /v1/{resource}` do.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Create, update and delete records at the vendors, through the outbox.",
        subcommands: [Create.self, Update.self, Delete.self])

    /// The resource option every subcommand takes.
    struct ResourceOption: ParsableArguments {
        @Option(help: "The resource: \(ResourceName.writable.map(\.pathName).joined(separator: ", ")) (or its RESO name).")
        var resource: String

        func parsed() throws -> ResourceName {
            guard let name = ResourceName(name: resource), ResourceName.writable.contains(name) else {
                throw ValidationError(
                    "unknown or read-only resource \(resource); writable: \(ResourceName.writable.map(\.pathName).joined(separator: ", "))")
            }
            return name
        }
    }

    /// Where the JSON comes from.
    struct InputOption: ParsableArguments {
        @Option(
            help: "The record (create) or the fields to change (update) as JSON in RESO names, from a file ('-' or absent: standard input)."
        )
        var file: String?

        func json() throws -> JSONValue {
            let body: Data
            let source = file ?? "-"
            if source == "-" {
                body = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: source) else { throw ValidationError("cannot read \(source)") }
                body = contents
            }
            do {
                return try JSONValue(parsing: body)
            } catch {
                throw ValidationError("\(source == "-" ? "standard input" : source) is not JSON: \(error)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a record and commit one create per target connection to the outbox, then acknowledge.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @OptionGroup var resource: ResourceOption
        @OptionGroup var input: InputOption
        @Option(name: .customLong("to"), parsing: .upToNextOption, help: "Target connections (ids or names), at least one.")
        var targets: [String] = []
        @Option(name: .customLong("idempotency-key"), help: "Sending again with the same key adds nothing.") var idempotencyKey: String?
        @Flag(help: "Print the deliveries as JSON.") var json = false

        func run() async throws {
            let name = try resource.parsed()
            guard !targets.isEmpty else { throw ValidationError("--to must name at least one connection") }
            let record = try input.json()
            try await withRuntime(data, command: "records create") { runtime in
                let deliveries = try await runtime.acceptCreate(
                    name, record: record, connections: targets, tenant: tenant.tenant, idempotencyKey: idempotencyKey)
                RecordsCommand.report(deliveries, json: json)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change fields of a record (null clears one) at the vendor it came from, through the outbox.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @OptionGroup var resource: ResourceOption
        @Option(help: "The record's hub key.") var key: String
        @OptionGroup var input: InputOption
        @Option(name: .customLong("if-match"), help: "The ETag (content hash) read: refused if the record changed since.") var ifMatch:
            String?
        @Option(name: .customLong("idempotency-key"), help: "Sending again with the same key adds nothing.") var idempotencyKey: String?
        @Flag(help: "Print the delivery as JSON.") var json = false

        func run() async throws {
            let name = try resource.parsed()
            let patch = try input.json()
            try await withRuntime(data, command: "records update") { runtime in
                let delivery = try await runtime.acceptUpdate(
                    name, key: key, patch: patch, tenant: tenant.tenant, ifMatch: ifMatch, idempotencyKey: idempotencyKey)
                RecordsCommand.report([delivery], json: json)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a record at the vendor it came from, through the outbox.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @OptionGroup var resource: ResourceOption
        @Option(help: "The record's hub key.") var key: String
        @Option(name: .customLong("if-match"), help: "The ETag (content hash) read: refused if the record changed since.") var ifMatch:
            String?
        @Option(name: .customLong("idempotency-key"), help: "Sending again with the same key adds nothing.") var idempotencyKey: String?
        @Flag(help: "Print the delivery as JSON.") var json = false

        func run() async throws {
            let name = try resource.parsed()
            try await withRuntime(data, command: "records delete") { runtime in
                let delivery = try await runtime.acceptDelete(
                    name, key: key, tenant: tenant.tenant, ifMatch: ifMatch, idempotencyKey: idempotencyKey)
                RecordsCommand.report([delivery], json: json)
            }
        }
    }

    static func report(_ deliveries: [Delivery], json: Bool) {
        if json {
            printJSON(deliveries.map(DeliveryView.init))
            return
        }
        for delivery in deliveries {
            print("accepted: delivery \(delivery.id) (\(delivery.kind)) to \(delivery.connectionID) (\(delivery.state.rawValue))")
        }
    }
}
