import Foundation
import HubStore
import HubTestSupport
import RealtyModel
import Testing

@testable import HubStorePostgres
@testable import HubStoreSQLite

/// Every record search kind, and the change list, is served by an index: the engines' own plans.
@Suite struct RecordSearchPlanTests {
    /// One search of each kind per resource that has the kind, Property's references included.
    static let searches: [(resource: ResourceName, search: RecordSearch)] = [
        (.contacts, .email("Ada@Example.com")), (.contacts, .phone("+44 (20) 7946-0958")), (.contacts, .namePrefix("lov")),
        (.contacts, .referencePrefix("c-1")), (.member, .email("a@b.c")), (.member, .phone("0034 952")),
        (.member, .namePrefix("ag")), (.office, .namePrefix("of")), (.property, .referencePrefix("L1")),
        (.property, .namePrefix("calle")), (.activity, .referencePrefix("a-")),
    ]

    static func explainSQLite(_ store: SQLiteHubStore, _ resource: ResourceName, _ search: RecordSearch) async throws -> [String] {
        let query = RecordSearchQuery(search)
        switch resource {
        case .contacts: return try await store.explainSearch(Contact.self, tenant: "t1", query: query)
        case .member: return try await store.explainSearch(Member.self, tenant: "t1", query: query)
        case .office: return try await store.explainSearch(Office.self, tenant: "t1", query: query)
        case .property: return try await store.explainSearch(Property.self, tenant: "t1", query: query)
        case .activity: return try await store.explainSearch(Activity.self, tenant: "t1", query: query)
        default: return []
        }
    }

    @Test func sqliteSearchesUseIndexesAndNeverScanTheTable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("search-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteHubStore(directory: directory, secretBox: SecretBox(keys: [SecretKey.generate().key]))
        _ = try await store.createTenant(id: "t1", name: "T1")
        let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        _ = try await store.upsert((0..<200).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        for (resource, search) in Self.searches {
            let plan = try await Self.explainSQLite(store, resource, search)
            let table = resource.rawValue
            // Every access to the table is a SEARCH through an index (or the row id), never a SCAN.
            #expect(!plan.contains { $0.hasPrefix("SCAN \(table)") || $0 == "SCAN \(table)" }, "\(search) on \(table): \(plan)")
            let searches = plan.filter { $0.hasPrefix("SEARCH \(table) USING") }
            #expect(!searches.isEmpty, "\(search) on \(table): \(plan)")
            switch search {
            case .email, .phone, .namePrefix:
                for field in Self.fields(resource, search) {
                    #expect(plan.contains { $0.contains("USING INDEX \(table)_search_\(field) ") }, "\(field): \(plan)")
                }
            case .referencePrefix:
                #expect(plan.contains { $0.contains("sqlite_autoindex_\(table)_1") && $0.contains("\(resource.keyField)>?") }, "\(plan)")
                #expect(
                    plan.contains { $0.contains("sqlite_autoindex_\(table)_2") && $0.contains("\(resource.sourceKeyField)>?") }, "\(plan)")
                if resource == .property { #expect(plan.contains { $0.contains("INDEX Property_ListingId (") }, "\(plan)") }
            }
        }
        // A change list: the record by its key, then its events one by one by primary key.
        let events = try await store.explainRecordEvents()
        #expect(events.contains { $0.contains("SEARCH Contacts USING INDEX sqlite_autoindex_Contacts_1 (ContactKey=?)") }, "\(events)")
        #expect(events.contains { $0.contains("SEARCH e USING INTEGER PRIMARY KEY (rowid=?)") }, "\(events)")
        #expect(
            !events.contains { $0.hasPrefix("SCAN e") || $0.hasPrefix("SCAN entity_events") || $0.hasPrefix("SCAN Contacts") }, "\(events)")
    }

    static func fields(_ resource: ResourceName, _ search: RecordSearch) -> [String] {
        switch search {
        case .email: return RecordSearchFields.emails(resource)
        case .phone: return RecordSearchFields.phones(resource)
        case .namePrefix: return RecordSearchFields.names(resource)
        case .referencePrefix: return RecordSearchFields.references(resource)
        }
    }

    /// PostgreSQL, on 3,000 contacts, members and listings per tenant after ANALYZE: the
    /// planner's own choice uses the search indexes and no sequential scan of the table.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func postgresSearchesUseIndexes() async throws {
        try await PostgresTestDatabase.withStore { store in
            _ = try await store.createTenant(id: "t1", name: "T1")
            _ = try await store.createTenant(id: "t2", name: "T2")
            for tenant in ["t1", "t2"] {
                let scope = SyncScope(tenant: tenant, connectionID: "conn-1", sourceSystemName: "mycrm")
                for start in stride(from: 0, to: 3000, by: 500) {
                    _ = try await store.upsert((start..<start + 500).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
                    _ = try await store.upsert((start..<start + 500).map { Fixtures.member($0) }, scope: scope, cursor: nil)
                    let listings = (start..<start + 500).map { index -> Property in
                        var listing = Fixtures.property(index)
                        listing.buildingName = "Torre \(index)"
                        listing.unparsedAddress = "Avenida \(index)"
                        return listing
                    }
                    _ = try await store.upsert(listings, scope: scope, cursor: nil)
                }
            }
            // Selective searches (a prefix matching a third of the table is rightly read whole).
            let searches: [(resource: ResourceName, search: RecordSearch)] = [
                (.contacts, .email("Person12@Example.com")), (.contacts, .phone("+34 600 000 123")), (.contacts, .namePrefix("first123")),
                (.contacts, .referencePrefix("c-123")), (.member, .email("agent12@agency.example")), (.member, .phone("0034 952")),
                (.member, .namePrefix("agent123")), (.property, .referencePrefix("L123")), (.property, .namePrefix("calle")),
            ]
            for (resource, search) in searches {
                let query = RecordSearchQuery(search)
                let plan: [String]
                switch resource {
                case .contacts: plan = try await store.explainSearch(Contact.self, tenant: "t1", query: query, noSeqScan: false)
                case .member: plan = try await store.explainSearch(Member.self, tenant: "t1", query: query, noSeqScan: false)
                case .property: plan = try await store.explainSearch(Property.self, tenant: "t1", query: query, noSeqScan: false)
                default: plan = []
                }
                let table = resource.rawValue
                let text = plan.joined(separator: "\n")
                #expect(
                    !text.contains("Seq Scan on \"\(table)\"") && !text.contains("Seq Scan on \(table)"), "\(search) on \(table):\n\(text)")
                let indexes: [String]
                switch search {
                case .email, .phone, .namePrefix: indexes = Self.fields(resource, search)
                case .referencePrefix: indexes = [resource.keyField, resource.sourceKeyField] + Self.fields(resource, search)
                }
                for field in indexes {
                    #expect(text.contains("\(table)_search_\(field)"), "\(search) on \(table) uses \(field)'s index:\n\(text)")
                }
            }
            let events = try await store.explainRecordEvents(tenant: "t1", noSeqScan: false)
            #expect(events.joined().contains(#"Index Scan using "Contacts_pkey" on "Contacts""#), "\(events)")
            #expect(events.joined().contains("Index Scan using entity_events_pkey on entity_events"), "\(events)")
            #expect(!events.joined().contains("Seq Scan"), "\(events)")
        }
    }
}
