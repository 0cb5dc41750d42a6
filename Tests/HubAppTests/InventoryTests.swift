import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import SyncEngine
import Testing

/// PropQ unit updates and publications through the outbox, and the MyCRM address check with
/// its cache, against the live emulators.
@Suite struct InventoryTests {
    static func open(_ vendor: SandboxVendor, publishDuration: Duration = .seconds(2)) async throws
        -> (RunningSandbox, HubRuntime, Connection, URL)
    {
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(
                vendors: [vendor], settings: EmulatorSettings(records: 5, publishDuration: publishDuration)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-inventory-\(UUID().uuidString)")
        let runtime = try await HubRuntime.open(
            HubConfiguration(dataDirectory: directory.path, environment: [:]), logger: Logger(label: "inventory-test"))
        let info = try #require(sandbox.info(vendor))
        var credentials: [String: Any] = info.credentials
        if vendor == .propq, let id = info.credentials["client_id"].flatMap(Int.init) { credentials["client_id"] = id }
        let connection = try await runtime.addConnection(
            tenant: HubRuntime.defaultTenant, vendor: vendor.rawValue, name: vendor.rawValue, baseURL: info.baseURL,
            authURL: nil, credentials: try JSONSerialization.data(withJSONObject: credentials), syncIntervalSeconds: nil)
        return (sandbox, runtime, connection, directory)
    }

    static func close(_ sandbox: RunningSandbox, _ runtime: HubRuntime, _ directory: URL) async throws {
        await runtime.shutdown()
        try await sandbox.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func unitUpdateAndPublishAreDeliveredAndPublishSettles() async throws {
        let (sandbox, runtime, connection, directory) = try await Self.open(.propq, publishDuration: .milliseconds(400))
        let units = try #require(await sandbox.emulator(.propq)?.control(.list(resource: "units")).records)
        let first = try #require(units.first)
        guard case .object(let fields) = first, case .string(let development)? = fields["DevId"],
            case .string(let unit)? = fields["UntName"]
        else {
            Issue.record("unexpected unit shape \(first)")
            return
        }
        let update = try await runtime.enqueueUnitUpdate(
            UnitUpdate(development: development, unit: unit, status: "SOLD", price: 420_000, directions: ["North"]),
            tenant: HubRuntime.defaultTenant, connection: connection)
        let publish = try await runtime.enqueuePublish(development: development, tenant: HubRuntime.defaultTenant, connection: connection)
        let worker = runtime.deliveryWorker()
        _ = try await worker.runOnce()

        let updated = try #require(try await runtime.store.delivery(id: update.id, tenant: HubRuntime.defaultTenant))
        #expect(updated.state == .done, "\(updated.lastError ?? "")")
        #expect(updated.remoteID == "\(development)/\(unit)")
        let published = try #require(try await runtime.store.delivery(id: publish.id, tenant: HubRuntime.defaultTenant))
        #expect(published.state == .done, "\(published.lastError ?? "")")
        #expect(published.remoteID == "\(development):PUBLISHED")
        #expect(sandbox.writeLog.entries(vendor: .propq, resource: "units", operation: .update).count == 1)

        await #expect(throws: HubError.self) {
            _ = try await runtime.enqueueUnitUpdate(
                UnitUpdate(development: development, unit: "", status: "GONE", price: -1, directions: []),
                tenant: HubRuntime.defaultTenant, connection: connection)
        }
        try await Self.close(sandbox, runtime, directory)
    }

    @Test func addressCheckIsCachedForADay() async throws {
        let (sandbox, runtime, connection, directory) = try await Self.open(.mycrm)
        let address = "1600 Pennsylvania Ave NW, Washington, DC"
        let first = try await runtime.checkAddress(address, tenant: HubRuntime.defaultTenant, connection: connection)
        #expect(!first.cached)
        #expect(first.answer["status_code"] != nil || first.answer["status"] != nil, "the service's own shape: \(first.answer)")
        let second = try await runtime.checkAddress(
            "  1600 Pennsylvania Ave NW,  Washington, DC ", tenant: HubRuntime.defaultTenant, connection: connection)
        #expect(second.cached, "the same address (spacing aside) is answered from the cache")
        #expect(second.answer == first.answer)
        await #expect(throws: HubError.self) {
            _ = try await runtime.checkAddress("   ", tenant: HubRuntime.defaultTenant, connection: connection)
        }
        try await Self.close(sandbox, runtime, directory)
    }
}
