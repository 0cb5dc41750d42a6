import Foundation
import RealtyModel
import Testing

@testable import Sandbox

/// The indexed list paths (issue 15) answer exactly what the scans they replace answer, after
/// changes, deletions and insertions: same records, same order, same counts.
@Suite struct IndexedListTests {
    /// PF Expert: sorts by a time and date filters, read from the seeded time indexes, against
    /// ``PFListQuery/apply(to:)``'s scan.
    @Test func pfExpertIndexedListsMatchTheScan() throws {
        var state = PFExpertState(records: 400, seed: 11)
        let now = PFExpertTime.seedEpoch.addingTimeInterval(200 * 86_400)
        for resource in [PFResource.leads, .properties, .calltrackings, .users] {
            for id in state.pickIDs(resource, count: 25) { state.mutate(resource, id: id, now: now) }
            for id in state.pickIDs(resource, count: 10) { _ = state.remove(resource, id: id) }
            for _ in 0..<5 {
                let id = state.takeID(resource)
                state.store(resource, id: id, state.generate(resource, id: id, now: now.addingTimeInterval(-3_600)))
            }
        }
        let queries: [(PFResource, String)] = [
            (.leads, "sort=updated_at&sort_order=desc&per_page=50&page=1"),
            (.leads, "sort=updated_at&sort_order=desc&per_page=50&page=3"),
            (.leads, "sort=updated_at&sort_order=asc&per_page=100&page=4"),
            (.properties, "sort=updated_at&sort_order=desc&per_page=100&page=1"),
            (.properties, "sort=created_at&sort_order=asc&per_page=30&page=2"),
            (.properties, "sort=id&sort_order=asc&filters[updated_at][from]=2024-06-01&per_page=40&page=2"),
            (.calltrackings, "sort=id&sort_order=asc&filters[date][from]=2024-09-01&per_page=100&page=1"),
            (.calltrackings, "sort=id&sort_order=desc&filters[date][from]=2024-03-01&filters[date][to]=2024-08-15&per_page=20&page=3"),
            (.calltrackings, "sort=call_time&sort_order=desc&filters[created][from]=2024-05-01&per_page=50&page=2"),
            (.users, "sort=updated_at&sort_order=desc&filters[updated_at][from]=2024-07-01T12:00:00Z&per_page=25&page=1"),
            (.users, "sort=updated_at&sort_order=asc&page=9&per_page=100"),
        ]
        for (resource, text) in queries {
            let query = try PFListQuery(QueryItems(query: text), resource: resource, now: now)
            let table = try #require(state.tables[resource])
            let scanned = query.apply(to: table)
            let indexed = try #require(
                query.indexedKeys(in: table, resource: resource) { field in state.timeIndex(resource, field) }, "\(text)")
            #expect(indexed.count == scanned.count, "\(resource) \(text)")
            #expect(indexed.keys == scanned.page.compactMap { $0["id"]?.strictInt }, "\(resource) \(text)")
        }
        // A property looked up by reference: the ids the references name, plus changed ones.
        let changed = try #require(state.pickIDs(.properties, count: 1).first)
        var property = try #require(state.record(.properties, id: changed))
        property["reference"] = "CUSTOM-1"
        state.store(.properties, id: changed, property)
        for text in [
            "filters[reference]=RH-00042", "filters[reference]=rh-00007,RH-00300,RH-99999,RH-42", "filters[reference]=custom-1",
            "filters[reference]=RH-\(String(changed + 100_000).dropFirst())&sort_order=desc",
        ] {
            let query = try PFListQuery(QueryItems(query: text), resource: .properties, now: now)
            let table = try #require(state.tables[.properties])
            let scanned = query.apply(to: table)
            let found = try #require(query.referenceKeys(in: table, resource: .properties))
            #expect(found.count == scanned.count, "\(text)")
            #expect(found.keys == scanned.page.compactMap { $0["id"]?.strictInt }, "\(text)")
        }
        // Not answerable from the indexes: left to the scan.
        let other = try PFListQuery(QueryItems(query: "filters[status]=new"), resource: .leads, now: now)
        #expect(other.indexedKeys(in: try #require(state.tables[.leads]), resource: .leads) { state.timeIndex(.leads, $0) } == nil)
    }

    /// MyCRM: `sync` from the index of modification times against a reference computed from
    /// every record, page after page.
    @Test func myCRMSyncFromTheIndexMatchesEveryRecord() throws {
        let store = MyCRMRecordStore()
        let now = 1_735_689_600
        MyCRMSeedData(records: 300, seed: 5, now: now).populate(store)
        let admin = try #require(store.users().first).record.id
        var deleted: [(id: String, number: Int, at: Int)] = []
        for (step, record) in (store.records(of: "Leads")?.all() ?? []).enumerated() where step % 7 == 0 {
            _ = store.change(
                record.id, values: ["lastname": "Changed \(step)"], replaceAll: false, module: .leads, by: admin, at: now + step % 3)
        }
        for (step, record) in (store.records(of: "Contacts")?.all() ?? []).enumerated() where step % 11 == 0 {
            #expect(store.markDeleted(record.id, at: now + 1))
            deleted.append((record.id, record.number, now + 1))
        }
        _ = store.insert(module: .contacts, values: ["lastname": "New"], by: admin, at: now + 2)

        var after = 0
        var seen: [String] = []
        for _ in 0..<100 {
            let page = store.sync(after: after, modules: ["Leads", "Contacts"], owner: nil)
            // The reference: every change after `after`, by (time, number).
            var changes: [(at: Int, number: Int, id: String)] = []
            for module in ["Leads", "Contacts"] {
                for record in store.records(of: module)?.all() ?? [] { changes.append((record.modifiedAt, record.number, record.id)) }
            }
            changes += deleted.map { ($0.at, $0.number, $0.id) }
            changes = changes.filter { $0.at > after }.sorted { ($0.at, $0.number) < ($1.at, $1.number) }
            guard let last = changes.prefix(100).last else {
                #expect(page.updated.isEmpty && page.deleted.isEmpty && !page.more)
                break
            }
            let expected = changes.filter { $0.at <= last.at }
            let deletedIDs = Set(deleted.map(\.id))
            #expect(page.updated.map(\.id) == expected.map(\.id).filter { !deletedIDs.contains($0) })
            #expect(page.deleted == expected.map(\.id).filter { deletedIDs.contains($0) })
            #expect(page.lastModifiedTime == last.at)
            #expect(page.more == (changes.count > expected.count))
            seen += page.updated.map(\.id) + page.deleted
            guard page.more else { break }
            after = page.lastModifiedTime
        }
        #expect(Set(seen).count == 600 + 1)
        // A user sync keeps only that user's records.
        let owner = try #require(store.records(of: "Leads")?.all().first?.fields["assigned_user_id"])
        let own = store.sync(after: 0, modules: ["Leads"], owner: owner)
        #expect(!own.updated.isEmpty && own.updated.allSatisfy { $0.fields["assigned_user_id"] == owner })
    }

    /// MyCRM: `select *` pages rendered row by row are the evaluator's rows, byte for byte.
    @Test func myCRMRowTextsMatchTheEvaluator() throws {
        let store = MyCRMRecordStore()
        MyCRMSeedData(records: 120, seed: 9, now: 1_735_689_600).populate(store)
        let admin = try #require(store.users().first).record.id
        let first = try #require(store.records(of: "Leads")?.all().first)
        _ = store.change(first.id, values: ["lastname": "O\"Neil"], replaceAll: false, module: .leads, by: admin, at: 1_735_689_700)
        let records = try #require(store.records(of: "Leads"))
        let table = VTQLTable(
            module: "Leads", fields: MyCRMModule.leads.fieldNames, idFields: [], count: records.count,
            row: { position in records.key(at: position).flatMap { records.record($0)?.fields } },
            scan: { visit in records.forEach { _, record in visit(record.fields) } })
        for (offset, descending) in [(0, false), (50, false), (100, false), (0, true), (90, true)] {
            let query = try VTQLParser.parse("select * from Leads order by id \(descending ? "desc" : "asc") limit \(offset), 100;")
            let rows = try VTQLEvaluator.run(query, on: table).arrayValue ?? []
            let texts = try #require(store.rowTexts(of: .leads, offset: offset, count: 100, descending: descending))
            #expect(texts == rows.map { MyCRMWire.text($0, columns: MyCRMModule.leads.fieldNames) }, "\(offset) \(descending)")
        }
    }

    /// Apimo: plain and `timestamp` lists from the index against the scan, after changes,
    /// deletions and insertions.
    @Test func apimoIndexedListsMatchTheScan() async throws {
        let clock = SandboxClock.manual()
        let state = ApimoState(settings: EmulatorSettings(records: 500, seed: 3), clock: clock)
        clock.advance(by: .seconds(3_600))
        _ = try await state.control(.mutate(resource: "contacts", count: 40))
        _ = try await state.control(.delete(resource: "contacts", count: 30))
        _ = try await state.control(.insert(resource: "contacts", count: 12))
        let now = clock.now
        for since in [nil, now.addingTimeInterval(-10), now.addingTimeInterval(-30 * 86_400), Date(timeIntervalSince1970: 0)] {
            for (offset, limit) in [(0, 1000), (0, 50), (120, 100), (480, 100)] {
                let query = ApimoState.ListQuery(limit: limit, offset: offset, since: since, type: nil)
                let indexed = await state.list(.contacts, agency: 14, query: query)
                let scanned = await state.list(.contacts, agency: 14, query: query, indexed: false)
                #expect(indexed.total == scanned.total)
                #expect(indexed.latest == scanned.latest)
                #expect(indexed.texts == scanned.items.map(\.jsonText), "\(String(describing: since)) \(offset)")
            }
        }
    }
}
