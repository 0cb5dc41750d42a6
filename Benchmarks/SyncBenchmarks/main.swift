// Full sync of 100,000 contacts (50,000 MyCRM Leads + 50,000 Contacts) from the release-built
// sandbox, running as its own process, into a file-backed SQLite store; then an incremental sync
// after 1% of them changed. Prints records/s and the hub process's peak RSS, median of runs.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub
//   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub-sync-benchmarks
//   .build-release/release/realtyhub-sync-benchmarks [records-per-module] [runs] [requests-per-second, 0 = unpaced]
import Foundation
import HubApp
import HubOperations
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel

@main
struct SyncBenchmarks {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let perModule = arguments.first ?? 50_000
        let runs = arguments.dropFirst().first ?? 3
        // The connection's request rate: the MyCRM default (10/s) unless a third argument
        // overrides it; 0 is unpaced, which measures the engine and store rather than politeness.
        let pacing: Double? = CommandLine.arguments.count > 3 ? Double(CommandLine.arguments[3]) : nil
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("realtyhub")

        var fullRates: [Double] = []
        var incrementalRates: [Double] = []
        for run in 1...runs {
            let sandbox = Process()
            sandbox.executableURL = binary
            sandbox.arguments = ["sandbox", "--vendors", "mycrm", "--records", String(perModule), "--json"]
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
                  let credentials = emulator["credentials"] as? [String: String]
            else { throw BenchmarkError("the sandbox did not start") }

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-syncbench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let runtime = try await HubRuntime.open(HubConfiguration(dataDirectory: directory.path, environment: [:]), logger: logger)
            let connection = try await runtime.addConnection(
                tenant: "bench", vendor: "mycrm", name: "crm", baseURL: baseURL, authURL: nil,
                credentials: try JSONSerialization.data(withJSONObject: credentials), syncIntervalSeconds: nil,
                requestsPerSecond: pacing)

            let clock = ContinuousClock()
            var full: [SyncRun] = []
            let fullTime = try await clock.measure {
                full = try await runtime.sync(tenant: "bench", connections: [connection], resource: .contacts, full: true)
            }
            guard let fullRun = full.first, fullRun.status == .succeeded else { throw BenchmarkError("full sync failed: \(full.first?.error ?? "")") }
            // The first incremental pull after a full pass reads from the vendor's beginning once.
            _ = try await runtime.sync(tenant: "bench", connections: [connection], resource: .contacts, full: false)

            // 1% of the contacts change at the vendor.
            for module in ["Leads", "Contacts"] {
                var request = URLRequest(url: URL(string: control + "/control")!)
                request.httpMethod = "POST"
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(#"{"op":"mutate","resource":"\#(module)","count":\#(perModule / 100)}"#.utf8)
                _ = try await URLSession.shared.data(for: request)
            }
            var incremental: [SyncRun] = []
            let incrementalTime = try await clock.measure {
                incremental = try await runtime.sync(tenant: "bench", connections: [connection], resource: .contacts, full: false)
            }
            guard let incrementalRun = incremental.first, incrementalRun.status == .succeeded else {
                throw BenchmarkError("incremental sync failed: \(incremental.first?.error ?? "")")
            }
            await runtime.shutdown()

            let fullRate = Double(fullRun.inserted) / seconds(fullTime)
            let changed = incrementalRun.updated
            fullRates.append(fullRate)
            incrementalRates.append(Double(changed) / seconds(incrementalTime))
            print(String(format: "run %d: full %d records in %.1f s (%.0f records/s); incremental %d changed in %.2f s; peak RSS %d MiB",
                         run, fullRun.inserted, seconds(fullTime), fullRate, changed, seconds(incrementalTime), peakRSSMiB()))
        }
        print(String(format: "median over %d runs: full sync %.0f records/s; incremental (1%% changed) %.0f changed records/s; peak RSS %d MiB",
                     runs, median(fullRates), median(incrementalRates), peakRSSMiB()))
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

    /// The process's peak resident set (VmHWM) in MiB.
    static func peakRSSMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
}

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
