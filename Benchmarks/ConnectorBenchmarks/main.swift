// Connector pull rate: a full pass of each connector's main resource from the in-process
// sandbox over loopback (fetch + decode + map, nothing stored). The raw ceiling sync is compared
// against. Prints the median records/s of several runs per connector.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --product realtyhub-connector-benchmarks --scratch-path .build-release
//   .build-release/release/realtyhub-connector-benchmarks [records] [runs]
import AsyncHTTPClient
import ConnectorKit
import Connectors
import Foundation
import Logging
import NIOCore
import RealtyModel
import Sandbox

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let records = arguments.first ?? 5_000
let runs = max(1, arguments.dropFirst().first ?? 5)

/// One connector to measure: the vendor and the resource its pass reads.
struct Subject {
    var vendor: SandboxVendor
    var resource: String
    var pass: @Sendable (any Connector) async throws -> (records: Int, pages: Int)
}

@Sendable func fullPass<R: HubRecord>(_ type: R.Type, _ connector: any Connector) async throws -> (records: Int, pages: Int) {
    var count = 0
    var pages = 0
    for try await page in connector.read(type, mode: .full, after: nil) {
        count += page.records.count
        pages += 1
    }
    return (count, pages)
}

// PropQ is left out: it reads only the developments named in its configuration.
let subjects = [
    Subject(vendor: .pfExpert, resource: "Property") { try await fullPass(Property.self, $0) },
    Subject(vendor: .mycrm, resource: "Contacts (Leads + Contacts)") { try await fullPass(Contact.self, $0) },
    Subject(vendor: .apimo, resource: "Property (2 agencies)") { try await fullPass(Property.self, $0) },
    Subject(vendor: .bostonLogic, resource: "Contacts (leads)") { try await fullPass(Contact.self, $0) },
]

/// The connection to an emulator: its published base URL and demo credentials (Apimo's
/// `agency_ids` is published as comma-separated text; the credentials file takes an array), the
/// vendor's largest page, and no client-side rate limit or quota (this measures the ceiling).
func connection(for info: EmulatorInfo) throws -> ConnectorConfiguration {
    guard let vendor = ConnectorRegistry.vendor(named: info.vendor.rawValue), let baseURL = URL(string: info.baseURL) else {
        throw BenchmarkError("no connector for \(info.vendor.rawValue)")
    }
    var object: [String: Any] = info.credentials
    if vendor.rawValue == "apimo", let agencies = info.credentials["agency_ids"] {
        object["agency_ids"] = agencies.split(separator: ",").map(String.init)
    }
    let credentials = try ConnectorRegistry.credentials(for: vendor, json: try JSONSerialization.data(withJSONObject: object))
    var authURL: URL?
    if let full = info.authURL, var components = URLComponents(string: full) {
        components.path = ""
        components.query = nil
        authURL = components.url
    }
    return ConnectorConfiguration(
        connectionID: "bench-\(vendor.rawValue)", baseURL: baseURL, authURL: authURL, credentials: credentials,
        limits: .init(maxConcurrency: 4, requestsPerSecond: 0, dailyQuota: 0), pageSize: 10_000)
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let settings = EmulatorSettings(records: records, apimoRatePerSecond: 1_000_000, apimoDailyQuota: 100_000_000)
let seeding = ContinuousClock.now
let sandbox = try await SandboxRunner.start(
    SandboxOptions(vendors: subjects.map(\.vendor), portBase: 0, settings: settings, logLevel: .critical))
print("sandbox: \(records) records per resource, seeded and listening in \(String(format: "%.1f", seconds(ContinuousClock.now - seeding))) s; \(runs) runs each")

let client = VendorHTTPConfiguration(connectTimeout: .seconds(5), readTimeout: .seconds(60)).makeClient()
let transport = AsyncHTTPClientTransport(client: client)
var logger = Logger(label: "realtyhub.benchmarks")
logger.logLevel = .critical

print("| connector | resource | records a pass | pages a pass | median records/s | min | max |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for subject in subjects {
    do {
        guard let info = sandbox.info(subject.vendor) else { throw BenchmarkError("\(subject.vendor.rawValue) did not start") }
        let configuration = try connection(for: info)
        let connector = try ConnectorRegistry.make(
            vendor: configuration.vendor, configuration: configuration, transport: transport, logger: logger)
        // One pass first: logs in, fills caches (Apimo catalogs) and warms the connections.
        _ = try await subject.pass(connector)
        var rates: [Double] = []
        var last = (records: 0, pages: 0)
        for _ in 0..<runs {
            let started = ContinuousClock.now
            last = try await subject.pass(connector)
            rates.append(Double(last.records) / max(seconds(ContinuousClock.now - started), 1e-9))
        }
        print(
            "| \(subject.vendor.rawValue) | \(subject.resource) | \(last.records) | \(last.pages) | "
                + "\(Int(median(rates).rounded())) | \(Int((rates.min() ?? 0).rounded())) | \(Int((rates.max() ?? 0).rounded())) |")
    } catch {
        print("| \(subject.vendor.rawValue) | \(subject.resource) | failed: \(error) | | | | |")
    }
}

try await client.shutdown()
try await sandbox.shutdown()
