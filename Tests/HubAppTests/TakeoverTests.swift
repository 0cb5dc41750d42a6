import Foundation
import HubApp
import HubOperations
import HubStore
import Logging
import RealtyModel
import Sandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// On SQLite (one process at a time), a `realtyhub run` killed with SIGKILL while a delivery is
/// in flight: the next process to start takes the delivery over within seconds of its start
/// (the default 10 s lease), and the lead is created once.
@Suite struct SQLiteTakeoverTests {
    @Test func aRestartedProcessTakesOverADeadProcesssDeliveryWithinSeconds() async throws {
        // The first POST the worker sends is held for 60 s, so it is killed mid-attempt.
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(
                vendors: [.mycrm], settings: EmulatorSettings(records: 5, faults: try FaultPlan(spec: "latency=30ms,slow=60s"))))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-takeover-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let info = try #require(sandbox.info(.mycrm))
        let runtime = try await HubRuntime.open(
            HubConfiguration(dataDirectory: directory.path, environment: [:]), logger: Logger(label: "takeover-test"))
        let connection = try await runtime.addConnection(
            tenant: HubRuntime.defaultTenant, vendor: "mycrm", name: "crm", baseURL: info.baseURL, authURL: nil,
            credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: nil)
        sandbox.faults(.mycrm)?.enqueue([FaultInjection(kind: .slow, count: 1, method: "POST")])
        let lead = #"{"FirstName":"Taken","LastName":"Over","Email":"taken.over@example.com"}"#
        let delivery = try #require(
            try await runtime.acceptLead(try JSONValue(parsing: lead), connections: [connection.id], tenant: HubRuntime.defaultTenant).first
        )
        func state() async throws -> Delivery? {
            try await runtime.store.delivery(id: delivery.id, tenant: HubRuntime.defaultTenant)
        }

        let first = try CLITests.start(["run", "--data-dir", directory.path])
        var deadline = Date().addingTimeInterval(30)
        while try await state()?.state != .inFlight, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(try await state()?.state == .inFlight, "the first worker claimed the delivery")
        // Kill it only once its POST is being held (the injected fault was taken).
        while sandbox.faults(.mycrm)?.pending.isEmpty == false, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(sandbox.faults(.mycrm)?.pending.isEmpty == true, "the first worker's request is held")
        try await Task.sleep(for: .milliseconds(100))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        #expect(try await state()?.state == .inFlight, "killed while the delivery was in flight")

        let restarted = ContinuousClock.now
        let second = try CLITests.start(["run", "--data-dir", directory.path])
        deadline = Date().addingTimeInterval(60)
        while try await state()?.state != .done, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = ContinuousClock.now - restarted
        second.terminate()
        second.waitUntilExit()
        let final = try #require(try await state())
        #expect(final.state == .done, "\(final.state): \(final.lastError ?? "")")
        #expect(final.attempts == 2, "taken over as the second attempt")
        // 10 s lease plus start-up; the bound is generous so a loaded machine never fails it.
        #expect(elapsed < .seconds(30), "taken over \(elapsed) after the restart")
        let creates = sandbox.writeLog.entries(vendor: .mycrm, operation: .create).filter { $0.keys["email"] == "taken.over@example.com" }
        #expect(creates.count == 1, "created \(creates.count) times")
        print("sqlite takeover: done \(elapsed) after the restart")
        await runtime.shutdown()
        try await sandbox.shutdown()
    }
}
