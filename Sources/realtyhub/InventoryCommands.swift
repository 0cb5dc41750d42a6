import ArgumentParser
import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import RealtyModel

struct UnitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units", abstract: "Development units on PropQ.", subcommands: [Update.self])

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Commit a unit's status, price and directions to the outbox for a PropQ connection.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "The PropQ connection (id or name).") var connection: String
        @Option(help: "The development id.") var development: String
        @Option(help: "The unit's name.") var unit: String
        @Option(help: "AVAILABLE, HOLD, SOLD or RESERVED.") var status: String
        @Option(help: "The unit's price.") var price: Double
        @Option(parsing: .upToNextOption, help: "The unit's directions (orientations).") var directions: [String] = []

        func run() async throws {
            try await withRuntime(data, command: "units update") { runtime in
                let target = try await runtime.findConnection(connection, tenant: tenant.tenant)
                let delivery = try await runtime.enqueueUnitUpdate(
                    UnitUpdate(development: development, unit: unit, status: status, price: price, directions: directions),
                    tenant: tenant.tenant, connection: target)
                print("accepted: delivery \(delivery.id) (\(delivery.state.rawValue))")
            }
        }
    }
}

struct DevelopmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "developments", abstract: "Developments on PropQ.", subcommands: [Publish.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Commit a publication to the outbox; its delivery completes when PropQ reports it settled.")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "The PropQ connection (id or name).") var connection: String
        @Argument(help: "The development id.") var development: String

        func run() async throws {
            try await withRuntime(data, command: "developments publish") { runtime in
                let target = try await runtime.findConnection(connection, tenant: tenant.tenant)
                let delivery = try await runtime.enqueuePublish(development: development, tenant: tenant.tenant, connection: target)
                print("accepted: delivery \(delivery.id) (\(delivery.state.rawValue))")
            }
        }
    }
}

struct AddressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address", abstract: "The MyCRM address availability service.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check an address now (answers are cached for a day).")
        @OptionGroup var data: DataOptions
        @OptionGroup var tenant: TenantOptions
        @Option(help: "The MyCRM connection (id or name).") var connection: String
        @Argument(help: "The address, e.g. \"1600 Pennsylvania Ave NW, Washington, DC\".") var address: String

        func run() async throws {
            try await withRuntime(data, command: "address check") { runtime in
                let target = try await runtime.findConnection(connection, tenant: tenant.tenant)
                let (answer, cached) = try await runtime.checkAddress(address, tenant: tenant.tenant, connection: target)
                print(answer.jsonText)
                if cached { printError("(answered from the cache)") }
            }
        }
    }
}
