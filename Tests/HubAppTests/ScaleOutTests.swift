import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Logging
import RealtyModel
import Sandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Three `realtyhub run` processes share one PostgreSQL database and the MyCRM emulator; one is
/// killed with SIGKILL mid-work. Every lead must reach the CRM exactly once, the killed
/// worker's deliveries and pulls must be finished by the others, no pull may run in two
/// processes at once, and the processes must share one vendor session instead of racing logins.
///
/// Runs only when REALTYHUB_TEST_DATABASE_URL names a server.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
struct ScaleOutTests {
    @Test func threeWorkersOneDatabaseAKilledWorkerIsCoveredByTheOthers() async throws {
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(
                vendors: [.mycrm], settings: EmulatorSettings(records: 10, faults: try FaultPlan(spec: "latency=30ms"))))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PostgresTestDatabase.withSchemaURL { _, url in
            let info = try #require(sandbox.info(.mycrm))
            let configuration = HubConfiguration(dataDirectory: directory.path, environment: [:], databaseURL: url)
            let runtime = try await HubRuntime.open(configuration, logger: Logger(label: "scale-out-test"))
            var connection = try await runtime.addConnection(
                tenant: HubRuntime.defaultTenant, vendor: "mycrm", name: "crm", baseURL: info.baseURL, authURL: nil,
                credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: 10)
            // Paced at 4 requests/s over every process, so each worker's claimed deliveries wait
            // their turn for seconds: the one killed surely holds some in flight.
            connection.requestsPerSecond = 4
            connection.updatedAt = Date()
            connection = try await runtime.store.saveConnection(connection, credentials: nil)

            var emails: [String] = []
            func push(_ count: Int) async throws {
                for _ in 0..<count {
                    let email = "scale\(emails.count)@example.com"
                    emails.append(email)
                    let lead = #"{"FirstName":"Scale","LastName":"Out \#(emails.count)","Email":"\#(email)"}"#
                    _ = try await runtime.acceptLead(
                        try JSONValue(parsing: lead), connections: [connection.id], tenant: HubRuntime.defaultTenant)
                }
            }

            try await push(30)
            // The default lease (10 s, renewed every third): what production runs.
            let arguments = ["run", "--data-dir", directory.path, "--database", url]
            var workers = try (0..<3).map { _ in try CLITests.start(arguments) }
            // Kill the first worker seen holding deliveries in flight (and possibly a pull).
            var index: Int?
            let holdDeadline = Date().addingTimeInterval(30)
            while index == nil, Date() < holdDeadline {
                try await Task.sleep(for: .milliseconds(10))
                let owners = try await runtime.store.listDeliveries(
                    tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(state: .inFlight, limit: 1000)
                ).compactMap(\.leaseOwner)
                index = workers.firstIndex { worker in owners.contains { $0.hasPrefix("realtyhub-\(worker.processIdentifier)-") } }
            }
            let victimIndex = try #require(index, "a worker held deliveries in flight")
            let victim = "realtyhub-\(workers[victimIndex].processIdentifier)-"
            kill(workers[victimIndex].processIdentifier, SIGKILL)
            let killed = ContinuousClock.now
            workers[victimIndex].waitUntilExit()
            #expect(workers[victimIndex].terminationReason == .uncaughtSignal)
            workers.remove(at: victimIndex)
            // What it held when it died (it may have finished some between the look and the kill).
            let held = try await runtime.store.listDeliveries(
                tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(state: .inFlight, limit: 1000)
            )
            .filter { $0.leaseOwner?.hasPrefix(victim) == true }
            #expect(!held.isEmpty, "the killed worker held deliveries in flight")
            try await push(20)

            // The others take the killed worker's deliveries over once their leases expire:
            // within about 10 s; the bound is generous so a loaded machine never fails it.
            var takenOver: Duration?
            let takeoverDeadline = Date().addingTimeInterval(60)
            while takenOver == nil, Date() < takeoverDeadline {
                var states: [DeliveryState] = []
                for delivery in held {
                    states.append(try await runtime.store.delivery(id: delivery.id, tenant: HubRuntime.defaultTenant)?.state ?? .dead)
                }
                if states.allSatisfy({ $0 == .done }) {
                    takenOver = ContinuousClock.now - killed
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(takenOver != nil, "the \(held.count) deliveries the killed worker held were not done within 60 s")
            print(
                "scale-out takeover: \(held.count) in-flight deliveries of the killed worker done \(takenOver.map { "\($0)" } ?? "never") after the kill"
            )

            let deadline = Date().addingTimeInterval(90)
            var open: [Delivery] = []
            repeat {
                try await Task.sleep(for: .milliseconds(300))
                open = try await runtime.store.listDeliveries(tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(limit: 1000))
                    .filter { $0.state != .done }
            } while !open.isEmpty && Date() < deadline
            // A pull the killed worker left behind is resumed by another process as soon as its
            // lease (10 s) expired: wait until every resource has a successful run and none is
            // left running.
            var runs: [SyncRun] = []
            repeat {
                try await Task.sleep(for: .milliseconds(500))
                runs = try await runtime.store.listSyncRuns(tenant: HubRuntime.defaultTenant, connectionID: connection.id, limit: 1000)
            } while Date() < deadline
                && (runs.contains { $0.status == .running }
                    || Set(runs.map(\.resource)).contains { resource in
                        !runs.contains { $0.resource == resource && $0.status == .succeeded }
                    })
            for worker in workers { worker.terminate() }
            for worker in workers {
                worker.waitUntilExit()
                #expect(worker.terminationStatus == 0, "SIGTERM stops a worker cleanly")
            }
            #expect(open.isEmpty, "undelivered: \(open.map { "\($0.state.rawValue): \($0.lastError ?? "")" })")

            let creates = sandbox.writeLog.entries(vendor: .mycrm, operation: .create)
            for email in emails {
                let count = creates.filter { $0.keys["email"] == email }.count
                #expect(count == 1, "\(email) was created \(count) times")
            }
            let deliveries = try await runtime.store.listDeliveries(tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(limit: 1000))
            #expect(deliveries.count == emails.count)
            #expect(Set(deliveries.compactMap(\.remoteID)).count == emails.count, "each delivery records its own remote id")

            // Pulls: every readable resource was pulled, never by two processes at once.
            #expect(!runs.isEmpty, "the scheduler pulled")
            // The processes share one MyCRM session (renewed under a cross-process lock), so
            // their logins never refuse each other's challenge.
            let authFailures = runs.compactMap(\.error).filter { $0.contains("INVALID_USER_CREDENTIALS") }
            #expect(authFailures.isEmpty, "logins raced: \(authFailures)")
            let deliveryAuthFailures = deliveries.compactMap(\.lastError).filter { $0.contains("INVALID_USER_CREDENTIALS") }
            #expect(deliveryAuthFailures.isEmpty, "logins raced: \(deliveryAuthFailures)")
            for resource in Set(runs.map(\.resource)) {
                let ordered = runs.filter { $0.resource == resource }.sorted { $0.startedAt < $1.startedAt }
                for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                    let end = earlier.finishedAt ?? .distantFuture
                    #expect(end <= later.startedAt, "\(resource.rawValue) pulls overlap: \(earlier.id) and \(later.id)")
                }
                #expect(ordered.contains { $0.status == .succeeded }, "\(resource.rawValue) was pulled successfully")
            }
            await runtime.shutdown()
        }
        try await sandbox.shutdown()
    }
}
