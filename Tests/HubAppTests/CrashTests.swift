import Foundation
import HubApp
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import Testing

/// A `realtyhub run` child process syncing and delivering is killed with SIGKILL at random
/// moments and restarted; every accepted lead must reach the CRM exactly once and the store
/// must stay consistent.
///
/// 20 trials by default; `REALTYHUB_CRASH_TRIALS=N` runs more (`scripts/soak-crash.sh` runs 100).
@Suite struct CrashTests {
    static var trials: Int {
        max(20, ProcessInfo.processInfo.environment["REALTYHUB_CRASH_TRIALS"].flatMap { Int($0) } ?? 20)
    }

    @Test func killedWorkerDeliversEveryLeadExactlyOnce() async throws {
        let sandbox = try await SandboxRunner.start(SandboxOptions(
            vendors: [.mycrm],
            settings: EmulatorSettings(records: 10, faults: try FaultPlan(spec: "latency=30ms"))))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let info = try #require(sandbox.info(.mycrm))
        let configuration = HubConfiguration(dataDirectory: directory.path, environment: [:])
        let runtime = try await HubRuntime.open(configuration, logger: Logger(label: "crash-test"))
        let connection = try await runtime.addConnection(
            tenant: HubRuntime.defaultTenant, vendor: "mycrm", name: "crm", baseURL: info.baseURL, authURL: nil,
            credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: 10)

        var emails: [String] = []
        func push(_ count: Int) async throws {
            for _ in 0..<count {
                let email = "crash\(emails.count)@example.com"
                emails.append(email)
                let lead = #"{"FirstName":"Crash","LastName":"Test \#(emails.count)","Email":"\#(email)"}"#
                _ = try await runtime.pushLead(Data(lead.utf8), tenant: HubRuntime.defaultTenant, to: [connection])
            }
        }

        var generator = SystemRandomNumberGenerator()
        let trials = Self.trials
        let started = ContinuousClock.now
        try await push(5)
        for _ in 0..<trials {
            let child = try CLITests.start(["run", "--data-dir", directory.path, "--lease-seconds", "1"])
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...700, using: &generator)))
            try await push(Int.random(in: 0...2, using: &generator))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal)
        }
        try await push(3)

        // A last worker finishes everything, including deliveries leased by killed processes.
        let child = try CLITests.start(["run", "--data-dir", directory.path, "--lease-seconds", "1"])
        let drainStarted = ContinuousClock.now
        let deadline = Date().addingTimeInterval(90)
        var open: [Delivery] = []
        repeat {
            try await Task.sleep(for: .milliseconds(300))
            open = try await runtime.store.listDeliveries(tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(limit: 1000))
                .filter { $0.state != .done }
        } while !open.isEmpty && Date() < deadline
        child.terminate()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0, "SIGTERM stops the worker cleanly")
        #expect(open.isEmpty, "undelivered: \(open.map { "\($0.state.rawValue): \($0.lastError ?? "")" })")
        let drained = ContinuousClock.now - drainStarted

        let creates = sandbox.writeLog.entries(vendor: .mycrm, operation: .create)
        for email in emails {
            let count = creates.filter { $0.keys["email"] == email }.count
            #expect(count == 1, "\(email) was created \(count) times")
        }
        let deliveries = try await runtime.store.listDeliveries(tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(limit: 1000))
        #expect(deliveries.count == emails.count)
        #expect(Set(deliveries.compactMap(\.remoteID)).count == emails.count, "each delivery records its own remote id")

        // The store is consistent: a full pass afterwards matches the CRM exactly.
        let runs = try await runtime.sync(tenant: HubRuntime.defaultTenant, connections: [connection], resource: .contacts, full: true)
        #expect(runs.allSatisfy { $0.status == .succeeded }, "\(runs.map { $0.error ?? "" })")
        let expected = try await (sandbox.emulator(.mycrm)?.control(.list(resource: "Leads")).ids.count ?? 0)
            + (sandbox.emulator(.mycrm)?.control(.list(resource: "Contacts")).ids.count ?? 0)
        let stored = try await runtime.store.list(Contact.self, tenant: HubRuntime.defaultTenant, query: ListQuery(perPage: 1))
        #expect(stored.total == expected)
        let running = try await runtime.store.listSyncRuns(tenant: HubRuntime.defaultTenant, connectionID: nil, limit: 1000)
            .filter { $0.status == .running }
        #expect(running.isEmpty, "no run is left marked running")
        print("crash test: \(trials) kills, \(emails.count) leads, \(creates.count) creates, drained in \(drained), total \(ContinuousClock.now - started)")
        await runtime.shutdown()
        try await sandbox.shutdown()
    }
}

#if canImport(Glibc)
import Glibc
#endif
