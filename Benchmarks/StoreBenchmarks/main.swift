// Store upsert throughput: 100,000 Contacts upserted in batches into a file-backed SQLite store
// (WAL), then upserted again unchanged, then all changed in one field. Prints the median of
// several runs. Last, the list read right after a write: one record changed, then the first page
// of 100 contacts with its total, 200 times; the list's median time is printed.
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
        var listTimes: [Double] = []
        for run in 1...runs {
            let rates: (Double, Double, Double, Double)
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
            listTimes.append(rates.3)
            print(
                String(
                    format: "run %d: insert %.0f/s, unchanged %.0f/s, update %.0f/s, list after a write %.2f ms", run, rates.0,
                    rates.1, rates.2, rates.3))
        }
        let engine = postgres ? "PostgreSQL" : "SQLite"
        print("median over \(runs) runs of \(count) contacts in batches of \(batch) (\(engine)):")
        print(String(format: "  insert     %.0f records/s", median(insertRates)))
        print(String(format: "  unchanged  %.0f records/s", median(unchangedRates)))
        print(String(format: "  update     %.0f records/s", median(updateRates)))
        print(String(format: "  list of 100 after a write  %.2f ms", median(listTimes)))
    }

    /// ``phases(_:batch:store:)`` on a new PostgreSQL store in a schema of its own.
    static func postgresPhases(_ records: [Contact], batch: Int) async throws -> (Double, Double, Double, Double) {
        try await PostgresTestDatabase.withStore { store in
            try await phases(records, batch: batch, store: store)
        }
    }

    /// Inserts `records`, upserts them again unchanged, then with one field changed; then
    /// times the list read after a write (milliseconds, median).
    static func phases<S: TenantStore & RecordStore>(
        _ records: [Contact], batch: Int, store: S
    ) async throws -> (Double, Double, Double, Double) {
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
        let list = try await listAfterWrites(changed, store: store, scope: scope)
        return (insert, unchanged, update, list)
    }

    /// Changes one record, then reads the first page of 100 with its total, 200 times; the
    /// median read in milliseconds.
    static func listAfterWrites<S: RecordStore>(_ records: [Contact], store: S, scope: SyncScope) async throws -> Double {
        let clock = ContinuousClock()
        var times: [Double] = []
        for round in 0..<200 {
            var record = records[round * 7 % records.count]
            record.notes = "round \(round)"
            _ = try await store.upsert([record], scope: scope, cursor: nil)
            var total = 0
            let elapsed = try await clock.measure {
                total = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery(perPage: 100)).total
            }
            guard total == records.count else {
                throw ContractFailure(description: "the list counted \(total) contacts, not \(records.count)")
            }
            times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return median(times)
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
