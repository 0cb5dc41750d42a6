// A full, unpaced sync of PF Expert leads from a `realtyhub sandbox` process into a fresh SQLite
// data folder, by `realtyhub sync` run as its own process (wall time, user + system CPU and peak
// RSS from /usr/bin/time), against the raw ceiling: the same pages fetched by the same HTTP
// client (ConnectorKit's VendorHTTPClient over AsyncHTTPClient) with no decoding and no store.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-pull-benchmarks
//   .build-release/release/realtyhub-pull-benchmarks [leads, default 20000] [runs, default 3]
import AsyncHTTPClient
import ConnectorKit
import Connectors
import Foundation
import HubApp
import HubOperations
import Logging
import PFExpertConnector
import RealtyModel

@main
struct PullBenchmarks {
    struct Sample {
        var rawSeconds: Double
        var syncSeconds: Double
        var cpuSeconds: Double
        var peakRSSMiB: Double
        var records: Int
    }

    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let leads = arguments.first ?? 20_000
        let runs = arguments.dropFirst().first ?? 3
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("realtyhub")
        var logger = Logger(label: "bench")
        logger.logLevel = .error

        var samples: [Sample] = []
        for run in 1...runs {
            let (sandbox, emulator) = try startSandbox(binary, records: leads)
            defer {
                sandbox.terminate()
                sandbox.waitUntilExit()
            }
            let raw = try await rawCeiling(emulator, leads: leads, logger: logger)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-pullbench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory.path, environment: [:]), logger: logger)
            _ = try await runtime.addConnection(
                tenant: "bench", vendor: "pf-expert", name: "pf", baseURL: emulator.baseURL, authURL: emulator.authURL,
                credentials: try JSONSerialization.data(withJSONObject: emulator.credentials), syncIntervalSeconds: nil,
                requestsPerSecond: 0)
            await runtime.shutdown()

            let (sync, stored) = try timedSync(binary, directory: directory)
            guard stored == leads else { throw BenchmarkError("the sync stored \(stored) leads, not \(leads)") }
            let sample = Sample(
                rawSeconds: raw, syncSeconds: sync.wall, cpuSeconds: sync.cpu, peakRSSMiB: sync.rssMiB, records: stored)
            samples.append(sample)
            print(
                String(
                    format: "run %d: raw %.2f s (%.0f records/s); sync %.2f s (%.0f records/s, %.0f%% of raw); CPU %.2f s (%.0f records per CPU-second); peak RSS %.0f MiB",
                    run, raw, Double(leads) / raw, sync.wall, Double(stored) / sync.wall, raw / sync.wall * 100, sync.cpu,
                    Double(stored) / sync.cpu, sync.rssMiB))
        }
        let rawMedian = median(samples.map(\.rawSeconds))
        let syncMedian = median(samples.map(\.syncSeconds))
        let cpuMedian = median(samples.map(\.cpuSeconds))
        print(
            String(
                format: "median of %d runs, %d leads: raw %.2f s (%.0f records/s); sync %.2f s (%.0f records/s, %.0f%% of raw); %.0f records per CPU-second; peak RSS %.0f MiB",
                runs, leads, rawMedian, Double(leads) / rawMedian, syncMedian, Double(leads) / syncMedian, rawMedian / syncMedian * 100,
                Double(leads) / cpuMedian, median(samples.map(\.peakRSSMiB))))
    }

    struct Emulator {
        var baseURL: String
        var authURL: String?
        var credentials: [String: String]
    }

    /// Starts `realtyhub sandbox` with PF Expert only, seeded with `records` per resource.
    static func startSandbox(_ binary: URL, records: Int) throws -> (Process, Emulator) {
        let sandbox = Process()
        sandbox.executableURL = binary
        sandbox.arguments = ["sandbox", "--vendors", "pf-expert", "--records", String(records), "--json"]
        let out = Pipe()
        sandbox.standardOutput = out
        sandbox.standardError = FileHandle.nullDevice
        try sandbox.run()
        var buffer = Data()
        var document: [String: Any]?
        while document == nil {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            document = try? JSONSerialization.jsonObject(with: buffer) as? [String: Any]
        }
        guard let emulator = (document?["emulators"] as? [[String: Any]])?.first,
            let baseURL = emulator["base_url"] as? String, let credentials = emulator["credentials"] as? [String: String]
        else {
            sandbox.terminate()
            throw BenchmarkError("the sandbox did not start")
        }
        return (sandbox, Emulator(baseURL: baseURL, authURL: emulator["auth_url"] as? String, credentials: credentials))
    }

    /// Fetches every lead page (`GET /leads?page=N&per_page=100&sort=id&sort_order=asc`, as a
    /// full pass asks) through the connector kit's HTTP client, bodies read and dropped.
    static func rawCeiling(_ emulator: Emulator, leads: Int, logger: Logger) async throws -> Double {
        guard let baseURL = URL(string: emulator.baseURL) else { throw BenchmarkError("bad base URL \(emulator.baseURL)") }
        var authURL: URL?
        if let full = emulator.authURL, var components = URLComponents(string: full) {
            components.path = ""
            components.query = nil
            authURL = components.url
        }
        let credentials = try ConnectorRegistry.credentials(
            for: .pfExpert, json: try JSONSerialization.data(withJSONObject: emulator.credentials))
        let configuration = ConnectorConfiguration(
            connectionID: "bench-raw", baseURL: baseURL, authURL: authURL, credentials: credentials,
            limits: .init(requestsPerSecond: 0, dailyQuota: 0))
        let http = VendorHTTPConfiguration(connectTimeout: .seconds(5), readTimeout: .seconds(60)).makeClient()
        let client = try VendorHTTPClient(
            standardAuth: configuration, profile: .pfExpert, transport: AsyncHTTPClientTransport(client: http),
            clock: SystemConnectorClock(), logger: logger)
        let pages = (leads + 99) / 100
        let started = ContinuousClock.now
        var bytes = 0
        for page in 1...pages {
            let url = try client.url(
                "/leads",
                query: [
                    URLQueryItem(name: "page", value: String(page)), URLQueryItem(name: "per_page", value: "100"),
                    URLQueryItem(name: "sort", value: "id"), URLQueryItem(name: "sort_order", value: "asc"),
                ])
            let response = try await client.send(TransportRequest(method: .get, url: url))
            bytes += response.body.count
        }
        let elapsed = seconds(ContinuousClock.now - started)
        try await http.shutdown()
        guard bytes > 0 else { throw BenchmarkError("the raw pass read nothing") }
        return elapsed
    }

    /// Runs `realtyhub sync --resource Contacts --full` under /usr/bin/time.
    static func timedSync(_ binary: URL, directory: URL) throws -> ((wall: Double, cpu: Double, rssMiB: Double), Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = [
            "-f", "TIME %e %U %S %M", binary.path, "sync", "--data-dir", directory.path, "--tenant", "bench",
            "--resource", "Contacts", "--full", "--json",
        ]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = errors.split(separator: "\n").last(where: { $0.hasPrefix("TIME ") })
        else { throw BenchmarkError("sync failed: \(errors)\(String(decoding: output, as: UTF8.self))") }
        let numbers = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard numbers.count == 4 else { throw BenchmarkError("unreadable time line \(line)") }
        let inserted = try insertedCount(output)
        return ((numbers[0], numbers[1] + numbers[2], numbers[3] / 1024), inserted)
    }

    /// The `inserted` count of the sync's JSON output (one run, or a list of runs).
    static func insertedCount(_ output: Data) throws -> Int {
        let value = try JSONSerialization.jsonObject(with: output)
        let runs: [[String: Any]]
        if let list = value as? [[String: Any]] {
            runs = list
        } else if let object = value as? [String: Any] {
            runs = (object["runs"] as? [[String: Any]]) ?? [object]
        } else {
            runs = []
        }
        return runs.reduce(0) { $0 + (($1["inserted"] as? Int) ?? 0) }
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
