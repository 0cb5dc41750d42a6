// Scale-out: deliveries/s and synced records/s with 1, 2 and 3 `realtyhub run` processes sharing
// one PostgreSQL database, against the Boston Logic emulator (in this process) adding 50 ms of
// latency to every request, so the figures measure concurrency rather than the two CPU cores.
//
// Workload per process count, each on a fresh schema and a fresh emulator: 6 Boston Logic
// connections (one emulator account each, in effect); the workers start idle, then
//   sync:       the 6 connections get a sync interval, so each readable resource of each is
//               pulled once (full pass); measured from the first run's start to the last's end;
//   deliveries: N leads are committed to the outbox, spread over the 6 connections, and the
//               time until every one is done is measured.
//
//   REALTYHUB_BENCHMARKS=1 swift build --product realtyhub                 (or release, see BENCHMARKS.md)
//   REALTYHUB_BENCHMARKS=1 swift build --product realtyhub-scale-benchmarks
//   REALTYHUB_BENCH_DATABASE_URL=postgres://... .build/debug/realtyhub-scale-benchmarks [leads] [records] [runs]
//   REALTYHUB_BENCH_DATABASE_URL=postgres://... .build/debug/realtyhub-scale-benchmarks takeover [trials] [leads] [rate]
//               (takeover after a SIGKILL, see Takeover.swift)
import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Logging
import RealtyModel
import Sandbox

@main
struct ScaleBenchmarks {
    static let connections = 6

    static func main() async throws {
        if CommandLine.arguments.dropFirst().first == "takeover" {
            guard let url = ProcessInfo.processInfo.environment["REALTYHUB_BENCH_DATABASE_URL"]
                ?? ProcessInfo.processInfo.environment["REALTYHUB_TEST_DATABASE_URL"]
            else { throw BenchmarkError("set REALTYHUB_BENCH_DATABASE_URL to a PostgreSQL database") }
            setenv("REALTYHUB_TEST_DATABASE_URL", url, 1)
            let numbers = CommandLine.arguments.dropFirst(2)
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("realtyhub")
            try await TakeoverBenchmark.run(
                trials: numbers.first.flatMap { Int($0) } ?? 20, leads: numbers.dropFirst().first.flatMap { Int($0) } ?? 120,
                rate: numbers.dropFirst(2).first.flatMap { Double($0) } ?? 2, binary: binary)
            return
        }
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let leads = arguments.first ?? 300
        let records = arguments.dropFirst().first ?? 30
        let runs = arguments.dropFirst(2).first ?? 3
        guard let url = ProcessInfo.processInfo.environment["REALTYHUB_BENCH_DATABASE_URL"]
            ?? ProcessInfo.processInfo.environment["REALTYHUB_TEST_DATABASE_URL"]
        else { throw BenchmarkError("set REALTYHUB_BENCH_DATABASE_URL to a PostgreSQL database") }
        setenv("REALTYHUB_TEST_DATABASE_URL", url, 1)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("realtyhub")

        print("processes | deliveries/s | synced records/s   (\(leads) leads, \(records) records per resource, \(connections) connections, 50 ms latency; median of \(runs))")
        for processes in 1...3 {
            var deliveryRates: [Double] = []
            var syncRates: [Double] = []
            for _ in 0..<runs {
                // A fresh emulator each time: the leads delivered by one measurement must not
                // grow what the next one syncs.
                let sandbox = try await SandboxRunner.start(SandboxOptions(
                    vendors: [.bostonLogic], settings: EmulatorSettings(records: records, latency: .milliseconds(50))))
                let (deliveries, synced) = try await measure(
                    processes: processes, leads: leads, sandbox: sandbox, binary: binary)
                try await sandbox.shutdown()
                deliveryRates.append(deliveries)
                syncRates.append(synced)
                FileHandle.standardError.write(Data(String(format: "  run: %d processes, %.1f deliveries/s, %.1f records/s\n", processes, deliveries, synced).utf8))
            }
            print(String(format: "%9d | %12.1f | %16.1f", processes, median(deliveryRates), median(syncRates)))
            fflush(nil)
        }
    }

    static func measure(processes: Int, leads: Int, sandbox: RunningSandbox, binary: URL) async throws -> (Double, Double) {
        guard let info = sandbox.info(.bostonLogic) else { throw BenchmarkError("no Boston Logic emulator") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-scalebench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await PostgresTestDatabase.withSchemaURL { _, url in
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let runtime = try await HubRuntime.open(
                HubConfiguration(dataDirectory: directory.path, environment: [:], databaseURL: url), logger: logger)
            var targets: [Connection] = []
            for index in 0..<connections {
                targets.append(try await runtime.addConnection(
                    tenant: "bench", vendor: "boston-logic", name: "bl-\(index)", baseURL: info.baseURL, authURL: nil,
                    credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: nil))
            }
            let workers = try (0..<processes).map { _ in
                let process = Process()
                process.executableURL = binary
                process.arguments = ["run", "--data-dir", directory.path, "--database", url, "--lease-seconds", "30"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            defer {
                for worker in workers where worker.isRunning { worker.terminate() }
                for worker in workers { worker.waitUntilExit() }
            }
            try await Task.sleep(for: .seconds(2))  // the workers start and find nothing to do

            // Sync: every readable resource of every connection, once.
            for var connection in targets {
                connection.syncIntervalSeconds = 3600
                connection.updatedAt = Date()
                _ = try await runtime.store.saveConnection(connection, credentials: nil)
            }
            var finished: [SyncRun] = []
            let deadline = Date().addingTimeInterval(600)
            let expected = try await expectedRuns(runtime, targets[0])
            while Date() < deadline {
                finished = []
                for target in targets {
                    finished += try await runtime.store.listSyncRuns(tenant: "bench", connectionID: target.id, limit: 100)
                }
                if finished.count >= expected * connections, finished.allSatisfy({ $0.status != .running }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            if let failed = finished.first(where: { $0.status == .failed }) {
                throw BenchmarkError("a pull failed: \(failed.error ?? "")")
            }
            guard let first = finished.map(\.startedAt).min(), let last = finished.compactMap(\.finishedAt).max() else {
                throw BenchmarkError("no pulls ran")
            }
            let synced = finished.reduce(0) { $0 + $1.inserted + $1.updated + $1.unchanged }
            // Deliveries.
            let clock = ContinuousClock()
            let start = clock.now
            let news = (0..<leads).map { index in
                NewDelivery(
                    tenantID: "bench", connectionID: targets[index % connections].id, kind: .leadCreate,
                    payload: Data(#"{"FirstName":"Bench","LastName":"Lead \#(index)","Email":"bench\#(index)-\#(UUID().uuidString.prefix(6))@example.com","ContactType":"Lead"}"#.utf8))
            }
            _ = try await runtime.store.enqueue(news, now: Date())
            while true {
                let open = try await runtime.store.listDeliveries(tenant: "bench", filter: DeliveryFilter(limit: leads + 1))
                    .filter { $0.state != .done }
                if open.isEmpty { break }
                if let dead = open.first(where: { $0.state == .dead }) {
                    throw BenchmarkError("a delivery died: \(dead.lastError ?? "")")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let deliverySeconds = seconds(clock.now - start)

            await runtime.shutdown()
            return (Double(leads) / deliverySeconds, Double(synced) / max(0.001, last.timeIntervalSince(first)))
        }
    }

    /// How many resources one Boston Logic connection pulls.
    static func expectedRuns(_ runtime: HubRuntime, _ connection: Connection) async throws -> Int {
        try await runtime.testConnection(connection).readable.count
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
