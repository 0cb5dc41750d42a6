// Accept → written at the vendor, for record updates through the API: `PATCH /v1/contacts/{key}`
// sent at a steady rate to a hub serving HTTP with its delivery workers, against the in-process
// Boston Logic emulator (each update reads the lead for the modification check, then patches
// it), the connection unpaced. The latency of one update is from just before its request is sent
// to the emulator's write-log time of the PATCH carrying its value. Prints median and p99 per rate.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-write-benchmarks
//   .build-release/release/realtyhub-write-benchmarks [seconds per rate] [rates...]
import AsyncHTTPClient
import Foundation
import HubApp
import HubOperations
import HubServer
import HubStore
import Logging
import NIOCore
import NIOHTTP1
import RealtyModel
import Sandbox
import Synchronization

import struct ConnectorKit.VendorHTTPConfiguration

/// When each update's request was sent, by the value it writes.
final class SendTimes: Sendable {
    let times = Mutex<[String: Date]>([:])
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@main
struct WriteBenchmarks {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let seconds = arguments.first ?? 20
        let rates = arguments.count > 1 ? Array(arguments.dropFirst()) : [10, 100]
        let records = max(200, rates.max() ?? 100) * 2

        let sandbox = try await SandboxRunner.start(SandboxOptions(vendors: [.bostonLogic], settings: EmulatorSettings(records: records)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-writebench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory.path, environment: [:]), logger: logger)
        guard let info = sandbox.info(.bostonLogic) else { throw BenchmarkError("no emulator") }
        let connection = try await runtime.addConnection(
            tenant: "bench", vendor: "boston-logic", name: "bl", baseURL: info.baseURL, authURL: nil,
            credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: nil,
            requestsPerSecond: 1_000_000, maxConcurrency: 64)
        let runs = try await runtime.sync(tenant: "bench", connections: [connection], resource: .contacts, full: true)
        guard runs.allSatisfy({ $0.status == .succeeded }) else { throw BenchmarkError("the first sync failed: \(runs.compactMap(\.error))") }
        let keys = try await runtime.store.list(Contact.self, tenant: "bench", query: ListQuery(perPage: ListQuery.maximumPerPage)).records
            .compactMap { record in record.metadata.key.map { ($0, record.metadata.sourceKey ?? "") } }
        let (client, secret) = try await runtime.createAPIClient(tenant: "bench", name: "bench", scopes: "*:*")

        let port = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await HubApp.serve(runtime: runtime, options: HubServerOptions(port: 0, runWorkers: true), signals: false) { bound in
                port.continuation.yield(bound)
            }
        }
        var iterator = port.stream.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw BenchmarkError("the server did not start") }
        let base = "http://127.0.0.1:\(bound)"
        let http = VendorHTTPConfiguration.standard.makeClient()
        let token = try await HubServer.issueToken(runtime: runtime, clientID: client.id, secret: secret)

        print("| updates/s | updates | median ms | p99 ms | max ms |")
        print("| --- | --- | --- | --- | --- |")
        var serial = 0
        for rate in rates {
            sandbox.writeLog.clear()
            let sent = SendTimes()
            let interval = Duration.nanoseconds(1_000_000_000 / rate)
            let total = rate * seconds
            let clock = ContinuousClock()
            var next = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<total {
                    serial += 1
                    let value = "Bench-\(serial)"
                    let (key, _) = keys[index % keys.count]
                    try await clock.sleep(until: next)
                    next = next.advanced(by: interval)
                    group.addTask { [base, token, http, sent] in
                        var request = HTTPClientRequest(url: "\(base)/v1/contacts/\(key)")
                        request.method = .PATCH
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"LastName": "\#(value)"}"#))
                        sent.times.withLock { $0[value] = Date() }
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        guard response.status.code == 202 else { throw BenchmarkError("PATCH answered \(response.status.code)") }
                    }
                }
                try await group.waitForAll()
            }
            // Wait until every update has reached the emulator.
            let deadline = Date().addingTimeInterval(120)
            var latencies: [Double] = []
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                let times = sent.times.withLock { $0 }
                latencies = sandbox.writeLog.entries(vendor: .bostonLogic, operation: .update).compactMap { entry in
                    // The value is wherever the vendor body carries the last name.
                    let text = entry.body.jsonText
                    guard let range = text.range(of: #"Bench-[0-9]+"#, options: .regularExpression), let start = times[String(text[range])]
                    else { return nil }
                    return entry.timestamp.timeIntervalSince(start) * 1000
                }
            } while latencies.count < total && Date() < deadline
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            print(
                String(
                    format: "| %d | %d of %d | %.0f | %.0f | %.0f |", rate, sorted.count, total, percentile(0.5), percentile(0.99),
                    sorted.last ?? .nan))
        }
        server.cancel()
        _ = await server.result
        try await http.shutdown()
        await runtime.shutdown()
        try await sandbox.shutdown()
    }
}
