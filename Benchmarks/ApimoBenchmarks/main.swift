// Requests and wall time of a full sync of one Apimo agency (20,000 contacts, 20,000 leads,
// about 2,000 properties and 100 users), then of an incremental pull after 1% of every resource
// changed, with Apimo's 10 requests/s enforced by the emulator and by the connection. Each run
// starts its own `realtyhub sandbox` process, so the emulator's 1,000 requests/day quota starts
// fresh.
//
// Two page-size settings are compared: "largest" (what the connector asks for: 10,000 users and
// leads, 1,000 properties, actions and contacts) and "100 a page" (the size every Apimo read
// asked for before the connector asked for the largest, replayed through the provider's page-size
// cap). The "100 a page" runs are an emulation of the old page size only: the old connector also
// read every user's actions on each incremental pull, which the current code does not do in
// either setting.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-apimo-benchmarks
//   .build-release/release/realtyhub-apimo-benchmarks [runs] [records-per-resource]
import AsyncHTTPClient
import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import Logging
import RealtyModel
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Counts the requests the connector sends, by path shape (ids replaced by `{id}`).
final class CountingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let counts = Mutex<[String: Int]>([:])

    init(_ inner: any HTTPTransport) { self.inner = inner }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let shape = request.url.path.split(separator: "/").map { $0.allSatisfy(\.isNumber) ? "{id}" : String($0) }.joined(separator: "/")
        counts.withLock { $0["\(request.method) /\(shape)", default: 0] += 1 }
        return try await inner.send(request)
    }

    /// The counts so far, and resets them.
    func take() -> [String: Int] { counts.withLock { current in defer { current = [:] }; return current } }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct Phase {
    var requests: [String: Int]
    var seconds: Double
    var runs: [SyncRun]
    var total: Int { requests.values.reduce(0, +) }
}

@main
struct ApimoBenchmarks {
    static let tenant = "bench"

    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let runs = max(1, arguments.first ?? 3)
        let records = arguments.dropFirst().first ?? 20_000
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("realtyhub")

        var rows: [String] = []
        for (label, pageSize) in [("largest", nil), ("100 a page", 100)] as [(String, Int?)] {
            var fulls: [Phase] = []
            var incrementals: [Phase] = []
            for run in 1...runs {
                let (full, incremental) = try await measure(binary: binary, records: records, pageSize: pageSize)
                fulls.append(full)
                incrementals.append(incremental)
                print("\(label), run \(run): full \(full.total) requests in \(format(full.seconds)) s; incremental \(incremental.total) requests in \(format(incremental.seconds)) s")
                for (name, phase) in [("full", full), ("incremental", incremental)] {
                    print("  \(name) requests: " + phase.requests.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
                    print("  \(name) runs: " + phase.runs.map { "\($0.resource.rawValue) \($0.status.rawValue) +\($0.inserted) ~\($0.updated) -\($0.deleted)" }.joined(separator: ", "))
                }
            }
            rows.append("| \(label) | full | \(median(fulls.map { Double($0.total) }).formatted()) | \(format(median(fulls.map(\.seconds)))) |")
            rows.append("| \(label) | incremental (1% changed) | \(median(incrementals.map { Double($0.total) }).formatted()) | \(format(median(incrementals.map(\.seconds)))) |")
        }
        print("\n| pages | sync | requests (median) | wall s (median) |\n| --- | --- | --- | --- |")
        rows.forEach { print($0) }
    }

    /// One run: a fresh sandbox trimmed to the benchmark's shape, a fresh data folder, a full sync
    /// of every resource, 1% of every resource changed, then an incremental pull.
    static func measure(binary: URL, records: Int, pageSize: Int?) async throws -> (Phase, Phase) {
        let sandbox = Process()
        sandbox.executableURL = binary
        sandbox.arguments = ["sandbox", "--vendors", "apimo", "--records", String(records), "--json"]
        let out = Pipe()
        sandbox.standardOutput = out
        sandbox.standardError = FileHandle.nullDevice
        try sandbox.run()
        defer { sandbox.terminate(); sandbox.waitUntilExit() }
        var buffer = Data()
        var document: [String: Any]?
        while document == nil {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            document = try? JSONSerialization.jsonObject(with: buffer) as? [String: Any]
        }
        guard let emulator = (document?["emulators"] as? [[String: Any]])?.first,
            let baseURL = emulator["base_url"] as? String, let control = emulator["control_url"] as? String,
            var credentials = emulator["credentials"] as? [String: Any],
            let agencies = (credentials["agency_ids"] as? String)?.split(separator: ",").map(String.init), let agency = agencies.first
        else { throw BenchmarkError("the sandbox did not start") }
        // One agency is read; the emulator seeds three, so the deletions below (spread at random
        // over the three) leave about 2,000 properties and 100 users in each.
        credentials["agency_ids"] = [agency]
        try await controlOp(control, #"{"op":"delete","resource":"properties","count":\#(3 * (records - 2_000))}"#)
        try await controlOp(control, #"{"op":"delete","resource":"users","count":\#(3 * (records - 100))}"#)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-apimobench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let configuration = HubConfiguration(dataDirectory: directory.path, environment: [:])
        let store = try await HubApp.openStore(configuration, createKey: true, logger: logger)
        let secretBox = try SecretKeyLoader.load(configuration, create: false).0
        let http = VendorHTTPConfiguration.standard.makeClient()
        let counting = CountingTransport(AsyncHTTPClientTransport(client: http))
        // As HubRuntime.open builds it for a data folder, with the counting transport and the
        // page-size cap; the connection's rate and daily budget are counted in memory (one process).
        let connectors = RegistryConnectorProvider(transport: counting, logger: logger, pageSize: pageSize)
        let runtime = HubRuntime(store: store, secretBox: secretBox, connectors: connectors, logger: logger, closeResources: { try? await http.shutdown() })
        do {
            let connection = try await runtime.addConnection(
                tenant: tenant, vendor: "apimo", name: "agency", baseURL: baseURL, authURL: nil,
                credentials: try JSONSerialization.data(withJSONObject: credentials), syncIntervalSeconds: nil)
            _ = counting.take()
            let full = try await phase(runtime, connection, counting, full: true)
            for (resource, total) in [("contacts", 3 * records), ("leads", 3 * records), ("properties", 3 * 2_000), ("users", 3 * 100)] {
                try await controlOp(control, #"{"op":"mutate","resource":"\#(resource)","count":\#(max(1, total / 100))}"#)
            }
            let incremental = try await phase(runtime, connection, counting, full: false)
            await runtime.shutdown()
            return (full, incremental)
        } catch {
            await runtime.shutdown()
            throw error
        }
    }

    static func phase(_ runtime: HubRuntime, _ connection: Connection, _ counting: CountingTransport, full: Bool) async throws -> Phase {
        let clock = ContinuousClock()
        var runs: [SyncRun] = []
        let elapsed = try await clock.measure {
            runs = try await runtime.sync(tenant: tenant, connections: [connection], resource: nil, full: full)
        }
        if let failed = runs.first(where: { $0.status != .succeeded && $0.status != .unavailable }) {
            throw BenchmarkError("\(failed.resource.rawValue) \(failed.status.rawValue): \(failed.error ?? "")")
        }
        return Phase(requests: counting.take(), seconds: seconds(elapsed), runs: runs)
    }

    static func controlOp(_ control: String, _ body: String) async throws {
        guard let url = URL(string: control + "/control") else { throw BenchmarkError("bad control URL \(control)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw BenchmarkError("control \(body) failed: \(response)") }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
