// Takeover after a crash: three `realtyhub run` processes (default 10 s leases) share one
// PostgreSQL database and the Boston Logic emulator (50 ms per request); a backlog of leads
// over 6 connections paced at a few requests/s keeps every worker busy. One worker is killed
// with SIGKILL a second after the start (or as soon after as it holds deliveries in flight),
// and the time from the kill until every delivery it held is done (by the other two) is
// measured, per trial on a fresh schema and emulator.
//
//   .build/debug/realtyhub-scale-benchmarks takeover [trials, default 20] [leads, default 120] [requests/s per connection, default 2]
import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Logging
import Sandbox

#if canImport(Glibc)
import Glibc
#endif

enum TakeoverBenchmark {
    static func run(trials: Int, leads: Int, rate: Double, binary: URL) async throws {
        print("takeover after SIGKILL: 3 processes, default leases, \(leads) leads over \(ScaleBenchmarks.connections) connections at \(rate) requests/s each, 50 ms latency; \(trials) trials")
        var times: [Double] = []
        var held: [Int] = []
        for trial in 1...trials {
            let sandbox = try await SandboxRunner.start(SandboxOptions(
                vendors: [.bostonLogic], settings: EmulatorSettings(records: 5, latency: .milliseconds(50))))
            let (seconds, count, killedAfter) = try await measure(leads: leads, rate: rate, sandbox: sandbox, binary: binary)
            try await sandbox.shutdown()
            times.append(seconds)
            held.append(count)
            FileHandle.standardError.write(Data(String(
                format: "  trial %d: killed %.2f s after the start holding %d deliveries; all done %.2f s after the kill\n",
                trial, killedAfter, count, seconds).utf8))
        }
        let sorted = times.sorted()
        let p99 = sorted[max(0, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        print(String(format: "takeover: median %.2f s, p99 %.2f s, min %.2f s, max %.2f s (in-flight deliveries held by the killed worker: median %d)",
                     ScaleBenchmarks.median(times), p99, sorted.first ?? 0, sorted.last ?? 0, held.sorted()[held.count / 2]))
    }

    /// - Returns: seconds from the kill until every delivery the killed worker held is done,
    ///   how many it held, and how long after the start it was killed.
    static func measure(leads: Int, rate: Double, sandbox: RunningSandbox, binary: URL) async throws -> (Double, Int, Double) {
        guard let info = sandbox.info(.bostonLogic) else { throw BenchmarkError("no Boston Logic emulator") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-takeover-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await PostgresTestDatabase.withSchemaURL { _, url in
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let runtime = try await HubRuntime.open(
                HubConfiguration(dataDirectory: directory.path, environment: [:], databaseURL: url), logger: logger)
            var targets: [Connection] = []
            for index in 0..<ScaleBenchmarks.connections {
                var connection = try await runtime.addConnection(
                    tenant: "bench", vendor: "boston-logic", name: "bl-\(index)", baseURL: info.baseURL, authURL: nil,
                    credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: nil)
                connection.requestsPerSecond = rate
                connection.updatedAt = Date()
                targets.append(try await runtime.store.saveConnection(connection, credentials: nil))
            }
            _ = try await runtime.store.enqueue((0..<leads).map { index in
                NewDelivery(
                    tenantID: "bench", connectionID: targets[index % targets.count].id, kind: .leadCreate,
                    payload: Data(#"{"FirstName":"Bench","LastName":"Lead \#(index)","Email":"takeover\#(index)-\#(UUID().uuidString.prefix(6))@example.com","ContactType":"Lead"}"#.utf8))
            }, now: Date())
            let clock = ContinuousClock()
            let start = clock.now
            let workers = try (0..<3).map { _ in
                let process = Process()
                process.executableURL = binary
                process.arguments = ["run", "--data-dir", directory.path, "--database", url]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            defer {
                for worker in workers where worker.isRunning { worker.terminate() }
                for worker in workers { worker.waitUntilExit() }
            }
            let victim = "realtyhub-\(workers[0].processIdentifier)-"
            func heldByVictim() async throws -> [Delivery] {
                try await runtime.store.listDeliveries(tenant: "bench", filter: DeliveryFilter(state: .inFlight, limit: leads + 1))
                    .filter { $0.leaseOwner?.hasPrefix(victim) == true }
            }
            try await Task.sleep(for: .seconds(1))
            let giveUp = clock.now + .seconds(20)
            while try await heldByVictim().isEmpty {
                guard clock.now < giveUp else { throw BenchmarkError("the worker to kill never held a delivery") }
                try await Task.sleep(for: .milliseconds(10))
            }
            kill(workers[0].processIdentifier, SIGKILL)
            let killed = clock.now
            workers[0].waitUntilExit()
            let held = try await heldByVictim()
            let deadline = clock.now + .seconds(300)
            while true {
                var done = true
                for delivery in held {
                    if try await runtime.store.delivery(id: delivery.id, tenant: "bench")?.state != .done {
                        done = false
                        break
                    }
                }
                if done { break }
                guard clock.now < deadline else { throw BenchmarkError("the killed worker's deliveries were not done within 300 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            let seconds = ScaleBenchmarks.seconds(clock.now - killed)
            await runtime.shutdown()
            return (seconds, held.count, ScaleBenchmarks.seconds(killed - start))
        }
    }
}
