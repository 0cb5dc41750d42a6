import Foundation
import RealtyModel
import Testing

@testable import Sandbox

/// The write-path lookups answered from lookup indexes (issue 15) answer exactly what the scans
/// they replace answer, after changes, deletions and insertions: same records, same order,
/// same counts, same matching rules (case, trimming, numbers).
@Suite struct LookupIndexTests {
    /// PF Expert: `filters[email]` on users and leads, and `filters[string]` on locations,
    /// against ``PFListQuery/apply(to:)``'s scan.
    @Test func pfExpertLookupsMatchTheScan() throws {
        var state = PFExpertState(records: 400, seed: 17)
        let now = PFExpertTime.seedEpoch.addingTimeInterval(200 * 86_400)
        func email(_ resource: PFResource, _ id: Int) -> String {
            state.record(resource, id: id)?["email"]?.strictString ?? ""
        }
        // Before any change, the seeded part alone.
        let before = try PFListQuery(QueryItems(query: "filters[email]=\(email(.users, 42))"), resource: .users, now: now)
        let plainFound = state.lookupKeys(before, resource: .users)
        let plain = try #require(plainFound)
        #expect(plain.count == 1 && plain.keys == [42])

        for resource in [PFResource.users, .leads, .locations] {
            for id in state.pickIDs(resource, count: 25) { state.mutate(resource, id: id, now: now) }
            for id in state.pickIDs(resource, count: 10) { _ = state.remove(resource, id: id) }
            for _ in 0..<5 {
                let id = state.takeID(resource)
                state.store(resource, id: id, state.generate(resource, id: id, now: now))
            }
        }
        // A user given another's email (upper-cased), one given a new one, one inserted with a
        // seeded user's email, and a seeded user deleted.
        let users = state.pickIDs(.users, count: 4)
        let shared = email(.users, users[0])
        var changed = try #require(state.record(.users, id: users[1]))
        changed["email"] = .string(shared.uppercased())
        state.store(.users, id: users[1], changed)
        changed = try #require(state.record(.users, id: users[2]))
        changed["email"] = "renamed@example.com"
        state.store(.users, id: users[2], changed)
        let gone = email(.users, users[3])
        _ = state.remove(.users, id: users[3])
        let newID = state.takeID(.users)
        var inserted = state.generate(.users, id: newID, now: now)
        inserted["email"] = .string(shared)
        state.store(.users, id: newID, inserted)
        let renamedFrom = try #require(state.tables[.users]?.original(users[2])?["email"]?.strictString)
        // A location moved to another tower.
        let location = try #require(state.pickIDs(.locations, count: 1).first)
        var moved = try #require(state.record(.locations, id: location))
        moved["tower"] = "Tower 99"
        state.store(.locations, id: location, moved)

        let lead = try #require(state.pickIDs(.leads, count: 1).first)
        let queries: [(PFResource, String)] = [
            (.users, "filters[email]=\(shared)"),
            (.users, "filters[email]=\(shared.uppercased())&sort_order=desc"),
            (.users, "filters[email]=\(shared)&per_page=1&page=2"),
            (.users, "filters[email]=\(gone)"),
            (.users, "filters[email]=\(renamedFrom)"),
            (.users, "filters[email]=RENAMED@example.com"),
            (.users, "filters[email]=%20\(email(.users, 7))%20,\(email(.users, 8)),nobody@example.com"),
            (.users, "filters[email]=nobody@example.com"),
            (.leads, "filters[email]=\(email(.leads, lead))"),
            (.locations, "filters[string]=Marina"),
            (.locations, "filters[string]=marina tower 1&per_page=7&page=2"),
            (.locations, "filters[string]=Tower 99"),
            (.locations, "filters[string]=Dubai&per_page=100&page=3"),
            (.locations, "filters[string]=Dubai&per_page=100&page=3&sort_order=desc"),
            (.locations, "filters[string]=Dubai&per_page=100&page=5"),
            (.locations, "filters[string]=north&sort_order=desc&per_page=30"),
            (.locations, "filters[string]=nowhere"),
        ]
        for (resource, text) in queries {
            let query = try PFListQuery(QueryItems(query: text), resource: resource, now: now)
            let table = try #require(state.tables[resource])
            let scanned = query.apply(to: table)
            let answer = state.lookupKeys(query, resource: resource)
            let found = try #require(answer, "\(text)")
            #expect(found.count == scanned.count, "\(resource) \(text)")
            if text == "filters[email]=\(shared)" { #expect(found.count == 3) }
            #expect(found.keys == scanned.page.compactMap { $0["id"]?.strictInt }, "\(resource) \(text)")
        }
        // Not answered by the lookups: left to the scan.
        for text in ["filters[email]=a@b.c&filters[status]=active", "filters[email]=a@b.c&sort=updated_at", "filters[email]=é@b.c"] {
            let query = try PFListQuery(QueryItems(query: text), resource: .users, now: now)
            let answer = state.lookupKeys(query, resource: .users)
            #expect(answer == nil, "\(text)")
        }
    }

    /// MyCRM: `where email = …` and the phone lookups, run over the index's candidates, against
    /// the evaluator's scan of every row.
    @Test func myCRMLookupsMatchTheScan() throws {
        let store = MyCRMRecordStore()
        let now = 1_735_689_600
        MyCRMSeedData(records: 300, seed: 13, now: now).populate(store)
        let admin = try #require(store.users().first).record.id
        let leads = try #require(store.records(of: "Leads")).all()
        let contacts = try #require(store.records(of: "Contacts")).all()
        let sharedEmail = try #require(leads[3].fields["email"])
        let mobile = try #require(contacts.first { $0.fields["mobile"]?.isEmpty == false }?.fields["mobile"])
        let phone = try #require(leads.first { $0.fields["phone"]?.isEmpty == false }?.fields["phone"])
        // Changes: another lead takes the shared email (upper-cased), one loses its email, a
        // contact takes a mobile written differently, records deleted and inserted.
        _ = store.change(
            leads[10].id, values: ["email": sharedEmail.uppercased()], replaceAll: false, module: .leads, by: admin, at: now + 1)
        _ = store.change(leads[3].id, values: ["lastname": "Changed"], replaceAll: false, module: .leads, by: admin, at: now + 1)
        _ = store.change(leads[20].id, values: ["email": ""], replaceAll: false, module: .leads, by: admin, at: now + 1)
        _ = store.change(
            contacts[5].id, values: ["homephone": " \(mobile.dropFirst()) "], replaceAll: false, module: .contacts, by: admin, at: now + 1)
        _ = store.change(contacts[6].id, values: ["mobile": "+15550100"], replaceAll: false, module: .contacts, by: admin, at: now + 1)
        #expect(store.markDeleted(leads[30].id, at: now + 2))
        #expect(store.markDeleted(contacts[40].id, at: now + 2))
        _ = store.insert(module: .leads, values: ["lastname": "New", "email": sharedEmail], by: admin, at: now + 3)
        _ = store.insert(module: .contacts, values: ["lastname": "New", "mobile": mobile], by: admin, at: now + 3)
        let deletedEmail = try #require(leads[30].fields["email"])
        let statements = [
            "select * from Leads where email = '\(sharedEmail)' limit 1;",
            "select * from Leads where email = '\(sharedEmail.uppercased())';",
            "select id, email from Leads where email = '\(sharedEmail)' order by id desc;",
            "select count(*) from Leads where email = '\(sharedEmail)';",
            "select * from Leads where email = '\(deletedEmail)';",
            "select * from Leads where email = '';",
            "select * from Leads where email = 'nobody@example.com' limit 1;",
            "select * from Leads where email in ('\(sharedEmail)', '\(leads[50].fields["email"] ?? "")');",
            "select * from Leads where phone = '\(phone)' or mobile = '\(phone)' limit 1;",
            "select * from Leads where email = '\(sharedEmail)' and lastname = 'Changed';",
            "select * from Contacts where phone = '\(mobile)' or mobile = '\(mobile)' or homephone = '\(mobile)';",
            // Numbers compare as numbers: `+15550100` equals `15550100` and ` 1.555010e7 `.
            "select * from Contacts where mobile = '15550100' or homephone = '15550100';",
            "select * from Contacts where phone = ' 1.555010e7 ' or mobile = ' 1.555010e7 ';",
            "select * from Contacts where mobile = '\(mobile.dropFirst())' or homephone = '\(mobile.dropFirst())';",
            "select * from Contacts where homephone = '\(mobile)';",
        ]
        for statement in statements {
            let query = try VTQLParser.parse(statement)
            let module = try #require(MyCRMModule.named(query.module))
            let records = try #require(store.records(of: module.name))
            let idFields = Set(module.fields.filter(\.holdsIDs).map(\.name))
            let scanTable = VTQLTable(
                module: module.name, fields: module.fieldNames, idFields: idFields, count: records.count,
                row: { position in records.key(at: position).flatMap { records.record($0)?.fields } },
                scan: { visit in records.forEach { _, record in visit(record.fields) } })
            let condition = try #require(query.condition)
            let (indexed, keys) = try #require(store.lookupCandidates(of: module, condition: condition), "\(statement)")
            let lookupTable = VTQLTable(
                module: module.name, fields: module.fieldNames, idFields: idFields, count: indexed.count,
                row: { position in indexed.key(at: position).flatMap { indexed.record($0)?.fields } },
                scan: { visit in
                    for key in keys {
                        if let record = indexed.record(key), !visit(record.fields) { return }
                    }
                })
            let scanned = try VTQLEvaluator.run(query, on: scanTable)
            #expect(try VTQLEvaluator.run(query, on: lookupTable) == scanned, "\(statement)")
            if statement.contains("15550100") { #expect(scanned.arrayValue?.count == 1, "\(statement)") }
            #expect(keys.count < records.count / 10, "\(statement)")
        }
        // Not answered by the index: left to the scan.
        for text in ["lastname = 'x'", "email = 'a' or lastname like 'x%'", "email != 'a'", "mobile = 'nan'"] {
            let condition = try #require(try VTQLParser.parse("select * from Leads where \(text);").condition)
            #expect(store.lookupCandidates(of: .leads, condition: condition) == nil, "\(text)")
        }
    }

    /// Boston Logic: `email=` filters of agents, employees and leads against the scan.
    @Test func bostonLogicLookupsMatchTheScan() async throws {
        let clock = SandboxClock.manual()
        let state = BostonLogicState(settings: EmulatorSettings(records: 300, seed: 21), clock: clock)
        clock.advance(by: .seconds(3_600))
        for resource in ["agents", "employees", "leads"] {
            _ = try await state.control(.mutate(resource: resource, count: 20))
            _ = try await state.control(.delete(resource: resource, count: 10))
            _ = try await state.control(.insert(resource: resource, count: 5))
        }
        let tenant = BostonLogicState.demoTenant
        func email(_ resource: BostonLogicResource, _ id: Int) async -> String {
            await state.get(resource, tenant: tenant, id: id)?["email"]?.strictString ?? ""
        }
        // A lead given another's email, upper-cased.
        var leadIDs: [Int] = []
        for id in 1...300 where await state.get(.leads, tenant: tenant, id: id) != nil {
            leadIDs.append(id)
            if leadIDs.count == 3 { break }
        }
        let shared = await email(.leads, leadIDs[0])
        _ = try await state.write(.leads, tenant: tenant, id: leadIDs[1], body: ["email": .string(shared.uppercased())])
        for (resource, filters, active) in [
            (BostonLogicResource.leads, ["email": shared], Bool?.none),
            (.leads, ["email": shared.uppercased(), "status": "nothing"], nil),
            (.leads, ["email": await email(.leads, leadIDs[2])], nil),
            (.leads, ["email": "nobody@example.com"], nil),
            (.agents, ["email": await email(.agents, 150)], nil),
            (.agents, ["email": await email(.agents, 151)], true),
            (.employees, ["email": await email(.employees, 7)], false),
        ] {
            let query = BostonLogicState.ListQuery(filters: filters, active: active)
            let indexed = await state.list(resource, tenant: tenant, query: query)
            let scanned = await state.list(resource, tenant: tenant, query: query, indexed: false)
            #expect(indexed == scanned, "\(resource.name) \(filters)")
            if filters == ["email": shared] { #expect(scanned.count == 2) }
        }
    }
}
