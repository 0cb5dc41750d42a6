// Dashboard page times with 100,000 records: a hub on SQLite (or PostgreSQL) holding the five
// sandbox connections, each synced once, then 100,000 more records written into them through
// the store (contacts, listings and agents), 1,500 sync runs, 5,000 lead deliveries (200 of them
// dead), 20 API clients and 10 webhooks. Each dashboard page (the records page with searches of
// each kind, from one match to every contact) is then requested over loopback by a
// signed-in session, one request at a time; the median, p95 and largest time per page are
// printed, against the issue's bound of 50 ms per page, with the page's size and its table rows
// (header rows included).
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-dashboard-benchmarks
//   .build-release/release/realtyhub-dashboard-benchmarks [records] [requests per page]
//   REALTYHUB_BENCH_DATABASE_URL=postgres://… .build-release/release/realtyhub-dashboard-benchmarks postgres [records] [requests]
//
// The time is the client's, from sending the request to the last byte of the page: the
// server's rendering plus a loopback round trip (well under a millisecond).
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

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@main
struct DashboardBenchmarks {
    static let tenant = "bench"

    static func main() async throws {
        let postgres = CommandLine.arguments.dropFirst().first == "postgres"
        let numbers = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let records = numbers.first ?? 100_000
        let requests = numbers.dropFirst().first ?? 50

        let sandbox = try await SandboxRunner.start(
            SandboxOptions(vendors: SandboxVendor.allCases, host: "127.0.0.1", settings: EmulatorSettings(records: 20)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-dashbench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var environment: [String: String] = [:]
        if postgres {
            let variables = ProcessInfo.processInfo.environment
            guard let url = variables["REALTYHUB_BENCH_DATABASE_URL"] ?? variables["REALTYHUB_TEST_DATABASE_URL"] else {
                throw BenchmarkError("set REALTYHUB_BENCH_DATABASE_URL to an empty PostgreSQL database")
            }
            environment["REALTYHUB_DATABASE_URL"] = url
        }
        let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory.path, environment: environment), logger: logger)
        let clock = ContinuousClock()

        // The five sandbox connections, each synced once (as `realtyhub demo` does).
        let (client, _) = try await runtime.createAPIClient(tenant: tenant, name: "bench", scopes: "*:*")
        var connections: [String: Connection] = [:]
        for info in sandbox.emulators {
            var fields = info.credentials
            if info.vendor == .apimo, let agencies = fields["agency_ids"], let first = agencies.split(separator: ",").first {
                fields["agency_ids"] = String(first)
            }
            let connection = try await runtime.addConnection(
                tenant: tenant, vendor: info.vendor.rawValue, name: info.vendor.rawValue, baseURL: info.baseURL,
                authURL: info.authURL, credentials: try JSONSerialization.data(withJSONObject: fields), syncIntervalSeconds: 300)
            _ = try await runtime.sync(tenant: tenant, connections: [connection], resource: nil, full: true)
            connections[info.vendor.rawValue] = connection
        }
        guard let mycrm = connections["mycrm"], let boston = connections["boston-logic"], let apimo = connections["apimo"],
            let pf = connections["pf-expert"], let propq = connections["propq"]
        else { throw BenchmarkError("the sandbox did not start all five emulators") }

        // The records: 40% MyCRM contacts, 20% Boston Logic contacts, 25% Apimo listings, 10% PF
        // agents, 5% PropQ listings.
        let setup = try await clock.measure {
            let store = runtime.store
            try await write(store, mycrm, count: records * 40 / 100) { Fixtures.contact($0, source: "mycrm") }
            try await write(store, boston, count: records * 20 / 100) { Fixtures.contact($0, source: "boston-logic") }
            try await write(store, apimo, count: records * 25 / 100) { Fixtures.property($0, source: "apimo") }
            try await write(store, pf, count: records * 10 / 100) { Fixtures.member($0, source: "pf-expert") }
            try await write(store, propq, count: records * 5 / 100) { Fixtures.property($0, source: "propq") }
            try await syncRuns(store, Array(connections.values), perConnection: 300)
            try await deliveries(store, mycrm, count: 5_000, dead: 200)
            for index in 0..<20 { _ = try await runtime.createAPIClient(tenant: tenant, name: "client \(index)", scopes: "contacts:read") }
            for index in 0..<10 {
                _ = try await runtime.createWebhook(
                    tenant: tenant, creator: .dataFolder, url: "https://hooks.example.com/\(index)", events: ["contacts.*"],
                    description: "hook \(index)", allowPrivateTargets: false)
            }
        }
        print("setup: \(records) records and the rest written in \(setup)")

        let port = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await HubApp.serve(runtime: runtime, options: HubServerOptions(port: 0, runWorkers: false), signals: false) { bound in
                port.continuation.yield(bound)
            }
        }
        var iterator = port.stream.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw BenchmarkError("the server did not start") }
        let base = "http://127.0.0.1:\(bound)"
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

        do {
            let link = try await HubServer.dashboardSignInToken(runtime: runtime, clientID: client.id)
            let cookie = try await signIn(http, base: base, token: link)
            let dead = try await runtime.store.listDeliveries(tenant: tenant, filter: DeliveryFilter(state: .dead, limit: 1))
            guard let deadID = dead.first?.id else { throw BenchmarkError("no dead delivery") }
            let contacts = try await runtime.store.list(
                Contact.self, tenant: tenant, query: ListQuery(filters: [MetadataFieldNames.connectionID: mycrm.id], perPage: 1))
            guard let contactKey = contacts.records.first?.metadata.key else { throw BenchmarkError("no MyCRM contact") }
            let pages = [
                ("overview", "/dashboard"),
                ("connection (MyCRM)", "/dashboard/connections/\(mycrm.id)"),
                ("deliveries", "/dashboard/deliveries"),
                ("deliveries, dead", "/dashboard/deliveries?state=dead"),
                ("deliveries of MyCRM", "/dashboard/deliveries?connection=\(mycrm.id)"),
                ("a dead delivery", "/dashboard/deliveries/\(deadID)"),
                ("API clients", "/dashboard/clients"),
                ("webhooks", "/dashboard/webhooks"),
                ("records: contacts, newest", "/dashboard/records?resource=contacts"),
                ("records: contacts, page 100", "/dashboard/records?resource=contacts&page=100"),
                ("records: contacts with deleted", "/dashboard/records?resource=contacts&deleted=1"),
                ("records: listings, newest", "/dashboard/records?resource=properties"),
                ("search: email", "/dashboard/records?resource=contacts&kind=email&q=Person1234%40example.com"),
                ("search: phone", "/dashboard/records?resource=contacts&kind=phone&q=%2B34+600+001+234"),
                ("search: name, 2 matches", "/dashboard/records?resource=contacts&kind=name&q=first12345"),
                ("search: name, ~6,800 matches", "/dashboard/records?resource=contacts&kind=name&q=Last1"),
                ("search: name, 60,000 matches", "/dashboard/records?resource=contacts&kind=name&q=Fir"),
                ("search: reference", "/dashboard/records?resource=properties&kind=reference&q=L1234"),
                ("a contact", "/dashboard/records/contacts/\(contactKey)"),
            ]
            print("| page | median ms | p95 ms | max ms | bytes | rows |")
            print("| --- | --- | --- | --- | --- | --- |")
            for (name, path) in pages {
                var times: [Double] = []
                var page = ""
                for round in 0..<(requests + 5) {
                    let start = clock.now
                    page = try await get(http, base + path, cookie: cookie)
                    if round >= 5 { times.append(milliseconds(clock.now - start)) }
                }
                times.sort()
                print(
                    String(
                        format: "| %@ | %.2f | %.2f | %.2f | %d | %d |", name, times[times.count / 2],
                        times[min(times.count - 1, times.count * 95 / 100)],
                        times[times.count - 1], page.utf8.count, page.components(separatedBy: "<tr").count - 1))
            }
        } catch {
            print("failed: \(error)")
        }
        server.cancel()
        _ = await server.result
        try await http.shutdown()
        await runtime.shutdown()
        try await sandbox.shutdown()
    }

    /// Writes `count` records made by `make` into `connection`, 500 at a time.
    static func write<R: HubRecord>(_ store: any HubStorage, _ connection: Connection, count: Int, make: @Sendable (Int) -> R) async throws
    {
        let scope = SyncScope(tenant: tenant, connectionID: connection.id, sourceSystemName: connection.vendor)
        var start = 0
        while start < count {
            let end = min(start + 500, count)
            _ = try await store.upsert((start..<end).map(make), scope: scope, cursor: nil)
            start = end
        }
    }

    /// `perConnection` finished sync runs per connection over the last days, a tenth failed.
    static func syncRuns(_ store: any HubStorage, _ connections: [Connection], perConnection: Int) async throws {
        let now = Date()
        for connection in connections {
            for index in 0..<perConnection {
                let started = now.addingTimeInterval(-Double(perConnection - index) * 600)
                var run = SyncRun(
                    tenantID: tenant, connectionID: connection.id, resource: .contacts, mode: index % 50 == 0 ? .full : .incremental,
                    startedAt: started)
                try await store.startSyncRun(run)
                run.finishedAt = started.addingTimeInterval(Double(1 + index % 7))
                run.inserted = index % 13
                run.updated = index % 29
                run.unchanged = 400
                run.pages = 1 + index % 4
                if index % 10 == 9 {
                    run.status = .failed
                    run.error = "the vendor answered 503 Service Unavailable"
                } else {
                    run.status = .succeeded
                }
                try await store.finishSyncRun(run)
            }
        }
    }

    /// `count` lead deliveries to `connection`, the first `dead` of them failed for good.
    static func deliveries(_ store: any HubStorage, _ connection: Connection, count: Int, dead: Int) async throws {
        let now = Date()
        var start = 0
        while start < count {
            let end = min(start + 500, count)
            let batch = (start..<end).map { index in
                NewDelivery(
                    tenantID: tenant, connectionID: connection.id, kind: .leadCreate,
                    payload: Data(#"{"FirstName":"Lead","LastName":"\#(index)","Email":"lead\#(index)@example.com"}"#.utf8))
            }
            _ = try await store.enqueue(batch, now: now)
            start = end
        }
        var failed = 0
        while failed < dead {
            let claimed = try await store.claimDeliveries(
                owner: "bench", now: now, leaseDuration: 60, limit: min(100, dead - failed), connectionID: connection.id,
                connectionLimits: [:])
            guard !claimed.isEmpty else { break }
            for delivery in claimed {
                _ = try await store.failDelivery(
                    id: delivery.id, owner: "bench", error: "MyCRM refused the lead: 422 EMAIL_INVALID", errorCode: "EMAIL_INVALID",
                    retryAt: nil, now: now)
            }
            failed += claimed.count
        }
    }

    /// Follows the one-time link; the session cookie's `name=value`.
    static func signIn(_ http: HTTPClient, base: String, token: String) async throws -> String {
        let response = try await http.execute(HTTPClientRequest(url: "\(base)/dashboard/link?token=\(token)"), timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        for value in response.headers["Set-Cookie"] where value.hasPrefix("realtyhub_session=") {
            return String(value.prefix { $0 != ";" })
        }
        throw BenchmarkError("the sign-in link set no session cookie (answered \(response.status.code))")
    }

    /// GETs `url` with the session; the page. Anything but 200 stops the benchmark.
    static func get(_ http: HTTPClient, _ url: String, cookie: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw BenchmarkError("\(url) answered \(response.status.code)") }
        return String(buffer: body)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }
}
