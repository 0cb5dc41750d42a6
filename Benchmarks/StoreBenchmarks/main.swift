// Store upsert throughput: 100,000 Contacts upserted in batches into a file-backed SQLite store
// (WAL), then upserted again unchanged. Prints the median of several runs.
//
//   REALTYHUB_BENCHMARKS=1 swift run -c release realtyhub-benchmarks [records] [batch] [runs]
import Foundation
import HubStore
import HubStoreSQLite
import HubTestSupport
import RealtyModel

@main
struct StoreBenchmarks {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let count = arguments.first ?? 100_000
        let batch = arguments.dropFirst().first ?? 500
        let runs = arguments.dropFirst(2).first ?? 5
        let records = (0..<count).map { Fixtures.contact($0) }
        var insertRates: [Double] = []
        var unchangedRates: [Double] = []
        var updateRates: [Double] = []
        for run in 1...runs {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteHubStore(directory: directory, secretBox: SecretBox(keys: [SecretKey.generate().key]))
            _ = try await store.createTenant(id: "bench", name: "Bench")
            let scope = SyncScope(tenant: "bench", connectionID: "conn", sourceSystemName: "mycrm")

            let insert = try await measure(records, batch: batch, store: store, scope: scope, expect: \.inserted)
            let unchanged = try await measure(records, batch: batch, store: store, scope: scope, expect: \.unchanged)
            let changed = records.map { record -> Contact in
                var copy = record
                copy.notes = "updated"
                return copy
            }
            let update = try await measure(changed, batch: batch, store: store, scope: scope, expect: \.updated)
            insertRates.append(insert)
            unchangedRates.append(unchanged)
            updateRates.append(update)
            print(String(format: "run %d: insert %.0f/s, unchanged %.0f/s, update %.0f/s", run, insert, unchanged, update))
        }
        print(String(format: "median over %d runs of %d contacts in batches of %d:", runs, count, batch))
        print(String(format: "  insert     %.0f records/s", median(insertRates)))
        print(String(format: "  unchanged  %.0f records/s", median(unchangedRates)))
        print(String(format: "  update     %.0f records/s", median(updateRates)))
    }

    static func measure(
        _ records: [Contact], batch: Int, store: SQLiteHubStore, scope: SyncScope, expect: KeyPath<UpsertSummary, Int>
    ) async throws -> Double {
        let clock = ContinuousClock()
        var total = 0
        let elapsed = try await clock.measure {
            var start = 0
            while start < records.count {
                let end = min(start + batch, records.count)
                let summary = try await store.upsert(Array(records[start..<end]), scope: scope, cursor: "offset-\(end)")
                total += summary[keyPath: expect]
                start = end
            }
        }
        guard total == records.count else {
            throw ContractFailure(description: "expected \(records.count) outcomes, got \(total)")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(records.count) / seconds
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
