import Foundation
import HubStore
import HubTestSupport
import ODataQuery
import RealtyModel
import Testing

@testable import HubStorePostgres
@testable import HubStoreSQLite

/// OData filters on indexed fields are served by those indexes: the engines' own plans.
@Suite struct ODataPlanTests {
    /// A filter on Property or Contacts and the index that must serve it.
    /// (The filters are selective: for a filter most records match, walking the key order and
    /// testing each row is the better plan, and the engines rightly take it.)
    static let cases: [(resource: ResourceName, filter: String, indexes: [String])] = [
        (.property, "City eq 'City 7'", ["Property_City"]),
        (.property, "StandardStatus in ('Pending','Closed') and ListPrice gt 100000", ["Property_StandardStatus"]),
        (.property, "ModificationTimestamp gt 2100-01-01T00:00:00Z", ["Property_modified", "Property_list"]),
        (.contacts, "Email eq 'person12@example.com'", ["Contacts_search_Email"]),
        (.contacts, "MobilePhone eq '+34 600 000012'", ["Contacts_search_MobilePhone"]),
    ]

    /// An `or` of indexed fields: PostgreSQL combines the two indexes. SQLite, without
    /// statistics, reads the tenant's rows through another index and tests each (a known cost,
    /// see docs/reso-web-api.md); the test holds PostgreSQL to it.
    static let postgresCases: [(resource: ResourceName, filter: String, indexes: [String])] =
        cases + [(.contacts, "ContactType eq 'Seller' or OwnerMemberKey eq 'm1'", ["Contacts_ContactType", "Contacts_OwnerMemberKey"])]

    static func query(_ resource: ResourceName, _ filter: String) throws -> ODataRecordQuery {
        func parse<R: HubRecord>(_: R.Type) throws -> ODataQueryOptions {
            try ODataQueryOptions.parse([("$filter", filter), ("$top", "100")], for: R.self, navigation: ODataNavigationTable.hub)
        }
        let options = resource == .property ? try parse(Property.self) : try parse(Contact.self)
        return ODataRecordQuery(filter: options.filter, limit: 100)
    }

    static func load(_ store: any HubStorage) async throws {
        _ = try await store.createTenant(id: "t1", name: "T1")
        let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        for start in stride(from: 0, to: 2000, by: 500) {
            let contacts = (start..<start + 500).map { index -> Contact in
                var contact = Fixtures.contact(index)
                contact.contactType = index % 100 == 0 ? "Seller" : "Buyer"
                return contact
            }
            _ = try await store.upsert(contacts, scope: scope, cursor: nil)
            let listings = (start..<start + 500).map { index -> Property in
                var listing = Fixtures.property(index)
                listing.city = "City \(index % 100)"
                listing.standardStatus = index % 50 == 0 ? "Pending" : "Active"
                return listing
            }
            _ = try await store.upsert(listings, scope: scope, cursor: nil)
        }
    }

    @Test func sqliteServesIndexedFiltersFromTheirIndexes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odata-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteHubStore(directory: directory, secretBox: SecretBox(keys: [SecretKey.generate().key]))
        try await Self.load(store)
        for (resource, filter, indexes) in Self.cases {
            let query = try Self.query(resource, filter)
            let plan =
                resource == .property
                ? try await store.explainOData(Property.self, tenant: "t1", query: query)
                : try await store.explainOData(Contact.self, tenant: "t1", query: query)
            let text = plan.joined(separator: "\n")
            #expect(indexes.contains(where: text.contains), "\(filter):\n\(text)")
            #expect(!text.contains("SCAN t0"), "\(filter) scans the table:\n\(text)")
        }
    }

    /// After `ANALYZE`, with the planner free to choose.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func postgresServesIndexedFiltersFromTheirIndexes() async throws {
        try await PostgresTestDatabase.withStore { store in
            try await Self.load(store)
            for (resource, filter, indexes) in Self.postgresCases {
                let query = try Self.query(resource, filter)
                let plan =
                    resource == .property
                    ? try await store.explainOData(Property.self, tenant: "t1", query: query)
                    : try await store.explainOData(Contact.self, tenant: "t1", query: query)
                let text = plan.joined(separator: "\n")
                #expect(indexes.contains(where: text.contains), "\(filter):\n\(text)")
                #expect(!text.contains("Seq Scan on \"\(resource.rawValue)\""), "\(filter) scans the table:\n\(text)")
            }
        }
    }
}
