// Deliveries in milliseconds (issue 15 item 3).
//
// latency: leads posted to `POST /v1/leads` at a steady rate, each going to the four local
//   emulators that take leads (PF Expert, MyCRM, Apimo, Boston Logic; in this process, the
//   connections unpaced); a lead's latency runs from just before its request is sent to the
//   last of the four emulators' write-log times of its create (same wall clock).
//   - sqlite: one process: the API and its delivery workers (`HubApp.serve`) on an SQLite data
//     folder;
//   - postgres: two processes on one PostgreSQL database (REALTYHUB_BENCH_DATABASE_URL or
//     REALTYHUB_TEST_DATABASE_URL; a fresh schema): this process serves the API without workers,
//     a `realtyhub run` process (next to this binary) delivers.
// throughput: 16 (or N) concurrent clients post leads to one connection (Boston Logic) for a
//   few seconds against a hub on an SQLite data folder with its workers running and the
//   per-client rate limit raised; prints the leads committed (202) per second, then waits until
//   every one is delivered. With `later`, the hub's workers start only after the accepts (the
//   accept path alone on the two cores), and deliver the backlog then.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-delivery-benchmarks
//   .build-release/release/realtyhub-delivery-benchmarks latency sqlite [seconds] [leads/s]
//   .build-release/release/realtyhub-delivery-benchmarks latency postgres [seconds] [leads/s]
//   .build-release/release/realtyhub-delivery-benchmarks throughput [seconds] [clients] [later]
import AsyncHTTPClient
import Foundation
import HubApp
import HubOperations
import HubServer
import HubStore
import HubTestSupport
import Logging
import NIOCore
import NIOHTTP1
import RealtyModel
import Sandbox
import ServiceLifecycle
import Synchronization

import struct ConnectorKit.VendorHTTPConfiguration

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// When each lead's request was sent, by its number.
final class SendTimes: Sendable {
    let times = Mutex<[Int: Date]>([:])
}

/// How many leads the clients had accepted.
final class Counter: Sendable {
    let value = Mutex(0)
}

/// A hub serving HTTP in this process, and what the benchmark needs to talk to it.
struct ServedHub {
    let runtime: HubRuntime
    let server: Task<Void, any Error>
    let base: String
    let token: String
    let connections: [Connection]

    func stop() async {
        server.cancel()
        _ = await server.result
        await runtime.shutdown()
    }
}

@main
struct DeliveryBenchmarks {
    static let vendors: [SandboxVendor] = [.pfExpert, .mycrm, .apimo, .bostonLogic]

    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let mode = arguments.isEmpty ? "latency" : arguments.removeFirst()
        switch mode {
        case "latency":
            let store = arguments.first.flatMap { Int($0) } == nil && !arguments.isEmpty ? arguments.removeFirst() : "sqlite"
            let numbers = arguments.compactMap { Int($0) }
            try await latency(postgres: store == "postgres", seconds: numbers.first ?? 20, rate: numbers.dropFirst().first ?? 2)
        case "throughput":
            let numbers = arguments.compactMap { Int($0) }
            try await throughput(
                seconds: numbers.first ?? 10, clients: numbers.dropFirst().first ?? 16, deliverLater: arguments.contains("later"))
        default:
            throw BenchmarkError(
                "usage: realtyhub-delivery-benchmarks latency [sqlite|postgres] [seconds] [rate] | throughput [seconds] [clients]")
        }
    }

    // MARK: - Set-up

    static func startSandbox(_ vendors: [SandboxVendor]) async throws -> RunningSandbox {
        try await SandboxRunner.start(
            SandboxOptions(
                vendors: vendors, settings: EmulatorSettings(records: 20, apimoRatePerSecond: 1_000_000, apimoDailyQuota: 10_000_000)))
    }

    /// Opens a hub, connects it to the emulators (unpaced) and serves it on a free port.
    static func serve(
        sandbox: RunningSandbox, vendors: [SandboxVendor], directory: URL, databaseURL: String?, workers: Bool
    ) async throws -> ServedHub {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let runtime = try await HubRuntime.open(
            HubConfiguration(dataDirectory: directory.path, environment: [:], databaseURL: databaseURL), logger: logger)
        var connections: [Connection] = []
        for vendor in vendors {
            guard let info = sandbox.info(vendor) else { throw BenchmarkError("no \(vendor) emulator") }
            var fields = info.credentials
            // A lead goes to one Apimo agency.
            if vendor == .apimo, let agencies = fields["agency_ids"], let first = agencies.split(separator: ",").first {
                fields["agency_ids"] = String(first)
            }
            connections.append(
                try await runtime.addConnection(
                    tenant: "bench", vendor: vendor.rawValue, name: vendor.rawValue, baseURL: info.baseURL, authURL: info.authURL,
                    credentials: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), syncIntervalSeconds: nil,
                    requestsPerSecond: 0, maxConcurrency: 64))
        }
        let (client, secret) = try await runtime.createAPIClient(tenant: "bench", name: "bench", scopes: "*:*")
        let port = AsyncStream.makeStream(of: Int.self)
        let options = HubServerOptions(port: 0, runWorkers: workers, requestsPerSecond: 1_000_000)
        let server = Task {
            try await HubApp.serve(runtime: runtime, options: options, signals: false) { bound in port.continuation.yield(bound) }
        }
        var iterator = port.stream.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw BenchmarkError("the server did not start") }
        let token = try await HubServer.issueToken(runtime: runtime, clientID: client.id, secret: secret)
        return ServedHub(runtime: runtime, server: server, base: "http://127.0.0.1:\(bound)", token: token, connections: connections)
    }

    static func postLead(_ number: Int, hub: ServedHub, http: HTTPClient, to connections: [String]?) async throws {
        var request = HTTPClientRequest(url: "\(hub.base)/v1/leads")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(hub.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        let targets = connections.map { #", "connections": [\#($0.map { "\"\($0)\"" }.joined(separator: ","))]"# } ?? ""
        request.body = .bytes(
            ByteBuffer(
                string:
                    #"{"lead": {"FirstName": "Bench", "LastName": "Lead", "Email": "benchlead\#(number)@example.com", "MobilePhone": "+3460\#(String(format: "%07d", number))"}\#(targets)}"#
            ))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 202 else {
            throw BenchmarkError("POST /v1/leads answered \(response.status.code): \(String(buffer: body))")
        }
    }

    /// The number of the lead a write-log entry created, from its email.
    static func leadNumber(_ entry: WriteLogEntry) -> Int? {
        let text = entry.body.jsonText
        guard let range = text.range(of: #"benchlead[0-9]+"#, options: .regularExpression) else { return nil }
        return Int(text[range].dropFirst("benchlead".count))
    }

    // MARK: - Latency

    static func latency(postgres: Bool, seconds: Int, rate: Int) async throws {
        let url =
            ProcessInfo.processInfo.environment["REALTYHUB_BENCH_DATABASE_URL"]
            ?? ProcessInfo.processInfo.environment["REALTYHUB_TEST_DATABASE_URL"]
        if postgres {
            guard let url else { throw BenchmarkError("set REALTYHUB_BENCH_DATABASE_URL to a PostgreSQL database") }
            setenv("REALTYHUB_TEST_DATABASE_URL", url, 1)
            try await PostgresTestDatabase.withSchemaURL { _, schemaURL in
                try await latencyRun(databaseURL: schemaURL, seconds: seconds, rate: rate)
            }
        } else {
            try await latencyRun(databaseURL: nil, seconds: seconds, rate: rate)
        }
    }

    static func latencyRun(databaseURL: String?, seconds: Int, rate: Int) async throws {
        let sandbox = try await startSandbox(vendors)
        let directory = benchDirectory("latency")
        defer { try? FileManager.default.removeItem(at: directory) }
        // PostgreSQL: this process serves the API only; another process delivers.
        let hub = try await serve(
            sandbox: sandbox, vendors: vendors, directory: directory, databaseURL: databaseURL, workers: databaseURL == nil)
        var worker: Process?
        if let databaseURL {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("realtyhub")
            process.arguments = ["run", "--data-dir", directory.path, "--database", databaseURL]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            worker = process
        }
        defer {
            if let worker, worker.isRunning {
                worker.terminate()
                worker.waitUntilExit()
            }
        }
        let http = VendorHTTPConfiguration.standard.makeClient()
        // Warm-up: logins, tokens and sessions of the four vendors, the HTTP connections.
        for number in 0..<3 { try await postLead(number, hub: hub, http: http, to: nil) }
        try await waitForWrites(sandbox, leads: Set(0..<3), vendors: vendors, timeout: 60)
        sandbox.writeLog.clear()

        let sent = SendTimes()
        let total = seconds * rate
        let interval = Duration.nanoseconds(1_000_000_000 / Int64(rate))
        let clock = ContinuousClock()
        var next = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                let number = 1000 + index
                try await clock.sleep(until: next)
                next = next.advanced(by: interval)
                group.addTask {
                    sent.times.withLock { $0[number] = Date() }
                    try await postLead(number, hub: hub, http: http, to: nil)
                }
            }
            try await group.waitForAll()
        }
        let numbers = Set((0..<total).map { 1000 + $0 })
        let writes = try await waitForWrites(sandbox, leads: numbers, vendors: vendors, timeout: 120)
        let times = sent.times.withLock { $0 }
        var latencies: [Double] = []
        var perVendor: [SandboxVendor: [Double]] = [:]
        for number in numbers.sorted() {
            guard let start = times[number], let arrivals = writes[number], arrivals.count == vendors.count else { continue }
            latencies.append((arrivals.values.max() ?? start).timeIntervalSince(start) * 1000)
            for (vendor, at) in arrivals { perVendor[vendor, default: []].append(at.timeIntervalSince(start) * 1000) }
        }
        let store = databaseURL == nil ? "SQLite, one process" : "PostgreSQL, two processes"
        print("| store | leads/s | leads delivered to all four | median ms | p99 ms | max ms |")
        print("| --- | --- | --- | --- | --- | --- |")
        let sorted = latencies.sorted()
        print(
            String(
                format: "| %@ | %d | %d of %d | %.1f | %.1f | %.1f |", store, rate, sorted.count, total, percentile(sorted, 0.5),
                percentile(sorted, 0.99), sorted.last ?? .nan))
        let perVendorText = vendors.map { vendor in
            let values = (perVendor[vendor] ?? []).sorted()
            return String(format: "%@ %.1f", vendor.rawValue, percentile(values, 0.5))
        }
        print("median per emulator (ms): \(perVendorText.joined(separator: ", "))")
        try await http.shutdown()
        await hub.stop()
        try await sandbox.shutdown()
    }

    /// Waits until every lead in `leads` was created at every vendor; returns the write times
    /// by lead number and vendor.
    @discardableResult
    static func waitForWrites(
        _ sandbox: RunningSandbox, leads: Set<Int>, vendors: [SandboxVendor], timeout: TimeInterval
    ) async throws -> [Int: [SandboxVendor: Date]] {
        let deadline = Date().addingTimeInterval(timeout)
        var found: [Int: [SandboxVendor: Date]] = [:]
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            found = [:]
            for vendor in vendors {
                for entry in sandbox.writeLog.entries(vendor: vendor, operation: .create) {
                    guard let number = leadNumber(entry), leads.contains(number) else { continue }
                    found[number, default: [:]][vendor] = found[number]?[vendor].map { min($0, entry.timestamp) } ?? entry.timestamp
                }
            }
        } while found.values.filter({ $0.count == vendors.count }).count < leads.count && Date() < deadline
        return found
    }

    // MARK: - Throughput

    static func throughput(seconds: Int, clients: Int, deliverLater: Bool) async throws {
        let sandbox = try await startSandbox([.bostonLogic])
        let directory = benchDirectory("throughput")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hub = try await serve(
            sandbox: sandbox, vendors: [.bostonLogic], directory: directory, databaseURL: nil, workers: !deliverLater)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        // Warm-up.
        for number in 0..<clients { try await postLead(number, hub: hub, http: http, to: ["boston-logic"]) }

        let counter = Counter()
        let clock = ContinuousClock()
        let start = clock.now
        let end = start.advanced(by: .seconds(seconds))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var index = 0
                    while clock.now < end {
                        try await postLead(100_000 + client * 1_000_000 + index, hub: hub, http: http, to: ["boston-logic"])
                        index += 1
                        counter.value.withLock { $0 += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = Self.seconds(clock.now - start)
        let accepted = counter.value.withLock { $0 }
        print("workers: \(deliverLater ? "started after the accepts" : "running during the accepts")")
        print("| clients | seconds | leads accepted (202) | leads/s committed |")
        print("| --- | --- | --- | --- |")
        print(String(format: "| %d | %.1f | %d | %.0f |", clients, elapsed, accepted, Double(accepted) / elapsed))
        fflush(nil)
        // Every accepted lead is later delivered.
        let total = accepted + clients
        let drainStart = clock.now
        let workers = Task {
            guard deliverLater else { return }
            let services = try await hub.runtime.workerServices()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                try await group.waitForAll()
            }
        }
        defer { workers.cancel() }
        let deadline = Date().addingTimeInterval(600)
        var done = 0
        while Date() < deadline {
            done = sandbox.writeLog.entries(vendor: .bostonLogic, operation: .create).count
            if done >= total { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let open = try await hub.runtime.store.listDeliveries(tenant: "bench", filter: DeliveryFilter(limit: total + 1))
            .filter { $0.state != .done }.count
        print(
            String(
                format: "delivered: %d of %d created at the emulator, %d deliveries not done, %.1f s after the last accept", done, total,
                open,
                Self.seconds(clock.now - drainStart)))
        try await http.shutdown()
        await hub.stop()
        try await sandbox.shutdown()
    }

    // MARK: - Helpers

    /// A fresh data folder on the disk (not a tmpfs), so commits pay for their fsync.
    static func benchDirectory(_ name: String) -> URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(".realtyhub-deliverybench-\(name)-\(UUID().uuidString.prefix(8))")
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
