// Webhook sending (issue 16, item 6): a hub on an SQLite data folder with its webhook sender
// running, 10 subscriptions to one receiver on loopback (in this process), and records written
// in batches; prints the webhooks received per second in total and the latency of each from
// its change's commit (taken just after the batch's upsert returns) to its arrival. With a
// pause between batches the writes come at a steady rate (the latency figure); without, as fast
// as the store takes them (the throughput figure, where latency is the backlog's).
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-webhook-benchmarks
//   .build-release/release/realtyhub-webhook-benchmarks [records 2000] [subscriptions 10] [batch 20] [runs 3] [pause ms 0]
//   .build-release/release/realtyhub-webhook-benchmarks 2000 10 20 3        # throughput
//   .build-release/release/realtyhub-webhook-benchmarks 200 10 1 3 50       # latency: 20 changes/s, 200 webhooks/s
//
// With REALTYHUB_BENCH_DATABASE_URL (postgres://...) the hub uses that PostgreSQL database, and
// the records are written through a second handle on it, as another process would: the sender
// hears of them only through the database's notifications (or its 1 s poll). Each run uses a
// tenant of its own and removes its subscriptions at the end.
import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import Logging
import RealtyModel
import ServiceLifecycle
import Synchronization

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Counts arrivals by webhook-id, with their times.
final class Arrivals: Sendable {
    private let state = Mutex<[String: [Date]]>([:])
    func record(_ id: String) { state.withLock { $0[id, default: []].append(Date()) } }
    var total: Int { state.withLock { $0.values.reduce(0) { $0 + $1.count } } }
    var byID: [String: [Date]] { state.withLock { $0 } }
}

@main
struct WebhookBenchmarks {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let records = arguments.first ?? 2_000
        let subscriptions = arguments.dropFirst().first ?? 10
        let batch = arguments.dropFirst(2).first ?? 20
        let runs = arguments.dropFirst(3).first ?? 3
        let pause = arguments.dropFirst(4).first ?? 0
        var rates: [Double] = []
        var medians: [Double] = []
        var p99s: [Double] = []
        for run in 1...runs {
            let (rate, median, p99) = try await measure(records: records, subscriptions: subscriptions, batch: batch, pause: pause)
            rates.append(rate)
            medians.append(median)
            p99s.append(p99)
            print(String(format: "run %d: %.0f webhooks/s, commit → received median %.1f ms, p99 %.1f ms", run, rate, median, p99))
        }
        print(
            String(
                format: "median of %d runs, %d records × %d subscriptions: %.0f webhooks/s, median %.1f ms, p99 %.1f ms", runs, records,
                subscriptions, middle(rates), middle(medians), middle(p99s)))
    }

    static func measure(records: Int, subscriptions: Int, batch: Int, pause: Int) async throws -> (Double, Double, Double) {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let arrivals = Arrivals()
        guard let idHeader = HTTPField.Name("webhook-id") else { throw BenchmarkError("webhook-id is not a header name") }
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 20)
            arrivals.record(request.headers[idHeader] ?? "?")
            return .noContent
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let receiver = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-webhookbench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = ProcessInfo.processInfo.environment["REALTYHUB_BENCH_DATABASE_URL"]
        // REALTYHUB_SECRET_KEY from the environment: every run on one database needs the same key.
        var configuration = HubConfiguration(
            dataDirectory: directory.path, environment: ProcessInfo.processInfo.environment, databaseURL: database)
        configuration.allowPrivateWebhookTargets = true
        let runtime = try await HubRuntime.open(configuration, logger: logger)
        // The writer: the same runtime on SQLite; a second handle on PostgreSQL.
        let writer = database == nil ? runtime : try await HubRuntime.open(configuration, logger: logger)
        let tenant = database == nil ? HubRuntime.defaultTenant : "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let services: [any Service] = [receiver] + (try await runtime.workerServices())
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("the receiver did not start") }

        var created: [String] = []
        for index in 0..<subscriptions {
            created.append(
                try await runtime.createWebhook(
                    tenant: tenant, creator: .dataFolder, url: "http://127.0.0.1:\(port)/hook?s=\(index)",
                    events: ["contacts.created"], description: nil, allowPrivateTargets: true
                ).subscription.id)
        }
        let scope = SyncScope(tenant: tenant, connectionID: "bench", sourceSystemName: "mycrm")
        let clock = ContinuousClock()
        let started = clock.now
        var committed: [String: Date] = [:]
        var seen: Int64 = 0
        var start = 0
        while start < records {
            let contacts = (start..<min(start + batch, records)).map { Fixtures.contact($0) }
            _ = try await writer.store.upsert(contacts, scope: scope, cursor: nil)
            let now = Date()
            start += contacts.count
            // The batch's events: the tenant's newest.
            let events = try await writer.store.events(tenant: tenant, after: seen, limit: contacts.count)
            for event in events { committed["evt_\(event.sequence)"] = now }
            seen = events.last?.sequence ?? seen
            if pause > 0 { try await Task.sleep(for: .milliseconds(pause)) }
        }
        let expected = records * subscriptions
        var waited = 0
        while arrivals.total < expected, waited < 6_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        let elapsed = clock.now - started
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        for id in created { try await runtime.deleteWebhook(id: id, tenant: tenant) }
        if database != nil { await writer.shutdown() }
        await runtime.shutdown()
        guard arrivals.total == expected else { throw BenchmarkError("received \(arrivals.total) of \(expected) webhooks") }
        var latencies: [Double] = []
        for (id, times) in arrivals.byID {
            guard let commit = committed[id] else { throw BenchmarkError("an unknown webhook-id \(id) arrived") }
            latencies += times.map { $0.timeIntervalSince(commit) * 1_000 }
        }
        latencies.sort()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(expected) / seconds, latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    static func middle(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
