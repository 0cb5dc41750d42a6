// Store upsert throughput: 100,000 Contacts upserted in batches into a file-backed SQLite store
// (WAL), then upserted again unchanged, then all changed in one field. Prints the median of
// several runs.
//
//   REALTYHUB_BENCHMARKS=1 swift run -c release realtyhub-benchmarks [records] [batch] [runs]
//
// With `postgres` as the first argument the same phases run against PostgreSQL, each run in a
// fresh schema of the database named by REALTYHUB_BENCH_DATABASE_URL (or
// REALTYHUB_TEST_DATABASE_URL):
//
//   REALTYHUB_BENCH_DATABASE_URL=postgres://... realtyhub-benchmarks postgres [records] [batch] [runs]
import Foundation
import HubStore
import HubStorePostgres
import HubStoreSQLite
import HubTestSupport
import RealtyModel

@main
struct StoreBenchmarks {
    static func main() async throws {
        let postgres = CommandLine.arguments.dropFirst().first == "postgres"
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let count = arguments.first ?? 100_000
        let batch = arguments.dropFirst().first ?? 500
        let runs = arguments.dropFirst(2).first ?? 5
        if postgres {
            let environment = ProcessInfo.processInfo.environment
            guard let url = environment["REALTYHUB_BENCH_DATABASE_URL"] ?? environment["REALTYHUB_TEST_DATABASE_URL"] else {
                throw ContractFailure(description: "set REALTYHUB_BENCH_DATABASE_URL to a PostgreSQL database")
            }
            // PostgresTestDatabase reads this variable once, on first use.
            setenv("REALTYHUB_TEST_DATABASE_URL", url, 1)
        }
        let records = (0..<count).map { Fixtures.contact($0) }
        var insertRates: [Double] = []
        var unchangedRates: [Double] = []
        var updateRates: [Double] = []
        for run in 1...runs {
            let rates: (Double, Double, Double)
            if postgres {
                rates = try await postgresPhases(records, batch: batch)
            } else {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-bench-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: directory) }
                let store = try SQLiteHubStore(directory: directory, secretBox: SecretBox(keys: [SecretKey.generate().key]))
                rates = try await phases(records, batch: batch, store: store)
            }
            insertRates.append(rates.0)
            unchangedRates.append(rates.1)
            updateRates.append(rates.2)
            print(String(format: "run %d: insert %.0f/s, unchanged %.0f/s, update %.0f/s", run, rates.0, rates.1, rates.2))
        }
        let engine = postgres ? "PostgreSQL" : "SQLite"
        print("median over \(runs) runs of \(count) contacts in batches of \(batch) (\(engine)):")
        print(String(format: "  insert     %.0f records/s", median(insertRates)))
        print(String(format: "  unchanged  %.0f records/s", median(unchangedRates)))
        print(String(format: "  update     %.0f records/s", median(updateRates)))
    }

    /// ``phases(_:batch:store:)`` on a new PostgreSQL store in a schema of its own.
    static func postgresPhases(_ records: [Contact], batch: Int) async throws -> (Double, Double, Double) {
        try await PostgresTestDatabase.withStore { store in
            try await phases(records, batch: batch, store: store)
        }
    }

    /// Inserts `records`, upserts them again unchanged, then with one field changed.
    static func phases<S: TenantStore & RecordStore>(
        _ records: [Contact], batch: Int, store: S
    ) async throws -> (Double, Double, Double) {
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
        return (insert, unchanged, update)
    }

    static func measure<S: RecordStore>(
        _ records: [Contact], batch: Int, store: S, scope: SyncScope, expect: KeyPath<UpsertSummary, Int>
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
