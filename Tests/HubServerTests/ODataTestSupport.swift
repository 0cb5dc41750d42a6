import Foundation
import HTTPTypes
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// A small RESO fixture in tenant A of an ``APIHarness``, all from one `apimo` connection:
/// two offices; three members (with languages, in offices); three listings (two with an agent,
/// an office and photos, one bare); two contacts with birthdates owned by a member; one photo
/// taken down (deleted).
struct ODataFixture {
    let harness: APIHarness
    /// Office keys: O1 (Marbella), O2 (Paris).
    let offices: [String]
    /// Member keys: Ana (English, Spanish; O1), Bob (French; O2), Cy (no languages, no office).
    let members: [String]
    /// Listing keys: L1 (Marbella, agent Ana, 2 live photos), L2 (Paris, agent Bob, 1 photo), L3 (Dubai, bare).
    let listings: [String]
    /// Contact keys: Dora (1985-06-15, owner Ana), Eli (1995-02-01, owner Bob).
    let contacts: [String]
    /// The key of L1's photo taken down.
    let deletedMedia: String
    let token: String

    static func make() async throws -> ODataFixture {
        let harness = try await APIHarness.make()
        let store = harness.runtime.store
        let scope = SyncScope(tenant: "tenant-a", connectionID: harness.connectionID, sourceSystemName: "apimo")

        func office(_ index: Int, _ name: String, _ city: String) -> Office {
            var office = Office(metadata: RecordMetadata(sourceSystemName: "apimo", sourceKey: "o-\(index)"))
            office.name = name
            office.city = city
            return office
        }
        let offices = try await store.upsert(
            [office(1, "Costa Office", "Marbella"), office(2, "Paris Office", "Paris")], scope: scope, cursor: nil
        ).items.map(\.key)

        func member(_ index: Int, _ first: String, _ languages: [String]?, office: String?) -> Member {
            var member = Member(metadata: RecordMetadata(sourceSystemName: "apimo", sourceKey: "am-\(index)"))
            member.firstName = first
            member.lastName = "Agent"
            member.email = "\(first.lowercased())@agency.example"
            member.languages = languages
            member.officeKey = office
            member.status = "Active"
            return member
        }
        let members = try await store.upsert(
            [
                member(1, "Ana", ["English", "Spanish"], office: offices[0]), member(2, "Bob", ["French"], office: offices[1]),
                member(3, "Cy", nil, office: nil),
            ],
            scope: scope, cursor: nil
        ).items.map(\.key)

        func listing(_ index: Int, city: String, price: Double, beds: Int, agent: String?, office: String?) -> Property {
            var property = Property(metadata: RecordMetadata(sourceSystemName: "apimo", sourceKey: "p-\(index)"))
            property.listingID = "L\(index)"
            property.standardStatus = index == 2 ? "Pending" : "Active"
            property.city = city
            property.listPrice = price
            property.bedroomsTotal = beds
            property.listAgentKey = agent
            property.listOfficeKey = office
            property.newConstructionYN = index == 3
            property.publicRemarks = index == 1 ? "Sea view, O'Neill's favourite" : nil
            return property
        }
        let properties = [
            listing(1, city: "Marbella", price: 250_000.5, beds: 3, agent: members[0], office: offices[0]),
            listing(2, city: "Paris", price: 1_200_000, beds: 5, agent: members[1], office: offices[1]),
            listing(3, city: "Dubai", price: 99_000, beds: 0, agent: nil, office: nil),
        ]
        var floorPlan = Fixtures.photo(3, of: 1)
        floorPlan.mediaCategory = "Floor Plan"
        let listings = try await store.upsert(
            properties, media: [Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 1), floorPlan, Fixtures.photo(1, of: 2)], scope: scope,
            cursor: nil
        ).items.map(\.key)
        // L1 again without its floor plan: the plan is taken down (deleted).
        _ = try await store.upsert([properties[0]], media: [Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 1)], scope: scope, cursor: nil)
        let gone = try await store.list(
            Media.self, tenant: "tenant-a", query: ListQuery(filters: ["SourceSystemMediaKey": "pic-1-3"], includeDeleted: true))
        let deletedMedia = try #require(gone.records.first?.metadata.key)

        func contact(_ index: Int, _ first: String, _ birthdate: String, owner: String) -> Contact {
            var contact = Contact(metadata: RecordMetadata(sourceSystemName: "apimo", sourceKey: "ac-\(index)"))
            contact.firstName = first
            contact.lastName = "Client"
            contact.email = "\(first.lowercased())@mail.example"
            contact.birthdate = birthdate
            contact.ownerMemberKey = owner
            return contact
        }
        let contacts = try await store.upsert(
            [contact(1, "Dora", "1985-06-15", owner: members[0]), contact(2, "Eli", "1995-02-01", owner: members[1])], scope: scope,
            cursor: nil
        ).items.map(\.key)
        let token = try await harness.token(harness.full)
        return ODataFixture(
            harness: harness, offices: offices, members: members, listings: listings, contacts: contacts, deletedMedia: deletedMedia,
            token: token)
    }

    /// A token of a new tenant-A client with `scopes`.
    func token(scopes: String) async throws -> String {
        let client = try await harness.runtime.createAPIClient(
            tenant: "tenant-a", name: "odata-\(UUID().uuidString.prefix(8))", scopes: scopes)
        return try await harness.token((client.client.id, client.secret))
    }
}

/// Requests against `/odata` and what tests read from the answers.
enum OData {
    static let root = "http://localhost/odata/"

    static func get(
        _ client: any TestClientProtocol, _ uri: String, token: String?, headers extra: [(HTTPField.Name, String)] = []
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { headers.append(HTTPField(name: name, value: value)) }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    /// The `value` array of a collection answer.
    static func values(_ response: TestResponse) -> [RealtyModel.JSONValue] { response.json["value"]?.array ?? [] }

    /// One string property of each entity of a collection answer.
    static func strings(_ response: TestResponse, _ name: String) -> [String] { values(response).compactMap { $0[name]?.string } }

    /// A next link made relative to the test server (the router test client takes a path).
    static func relative(_ link: String) -> String {
        link.hasPrefix("http://localhost") ? String(link.dropFirst("http://localhost".count)) : link
    }

    /// Every entity of a collection, following next links (at most `pages` pages).
    static func all(
        _ client: any TestClientProtocol, _ uri: String, token: String, headers: [(HTTPField.Name, String)] = [], pages: Int = 100
    ) async throws -> (values: [RealtyModel.JSONValue], pages: Int) {
        var values: [RealtyModel.JSONValue] = []
        var next: String? = uri
        var count = 0
        while let uri = next, count < pages {
            let page = try await get(client, uri, token: token, headers: headers)
            #expect(page.status == .ok, "\(uri): \(page.text)")
            values += Self.values(page)
            next = page.json["@odata.nextLink"]?.string.map(relative)
            count += 1
        }
        return (values, count)
    }

    /// The OData error's code and target.
    static func error(_ response: TestResponse) -> (code: String?, target: String?, message: String?) {
        let error = response.json["error"]
        return (error?["code"]?.string, error?["target"]?.string, error?["message"]?.string)
    }

    /// Percent-encodes a query value (spaces as %20, as python-odata does).
    static func encode(_ text: String) -> String { ODataQueryString.percentEncode(text) }
}
