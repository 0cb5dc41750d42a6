import Foundation
public import HubStore
import ODataQuery
import RealtyModel

extension StoreContract {
    /// OData queries compiled to SQL: each filter of the OData conventions against records whose
    /// answers are known, with null semantics, navigation, lambdas, order, paging, counts,
    /// deleted records and other tenants left out.
    public static func odataQueries(_ store: any HubStorage) async throws {
        guard let odata = store as? any ODataRecordStore else { throw ContractFailure(description: "not an ODataRecordStore") }
        let data = try await ODataFixture.load(store)

        func keys<R: HubRecord>(_ type: R.Type, _ text: String?, orderBy: String? = nil, limit: Int = 100, offset: Int = 0) async throws
            -> [String]
        {
            var options: [(name: String, value: String)] = []
            if let text { options.append(("$filter", text)) }
            if let orderBy { options.append(("$orderby", orderBy)) }
            let parsed = try ODataQueryOptions.parse(options, for: R.self, navigation: ODataNavigationTable.hub)
            let query = ODataRecordQuery(filter: parsed.filter, orderBy: parsed.orderBy, limit: limit, offset: offset)
            let page = try await odata.odataRecords(R.self, tenant: data.tenant, query: query)
            return page.records.map { data.name(of: $0.metadata.key) }
        }
        func expect<R: HubRecord>(_ type: R.Type, _ text: String, _ expected: Set<String>) async throws {
            let got = try await keys(R.self, text)
            try check(got.count == Set(got).count, "\(R.resource.rawValue) $filter=\(text): a record twice in \(got)")
            try check(Set(got) == expected, "\(R.resource.rawValue) $filter=\(text): got \(got.sorted()), expected \(expected.sorted())")
        }

        // Comparisons and OData's null rules (p4 has no City, p3 no ListPrice).
        try await expect(Property.self, "City eq 'Marbella'", ["p1"])
        try await expect(Property.self, "City ne 'Marbella'", ["p2", "p3", "p4", "p5"])
        try await expect(Property.self, "ListPrice gt 600000", ["p2", "p5"])
        try await expect(Property.self, "not (ListPrice gt 600000)", ["p1", "p3", "p4"])
        try await expect(Property.self, "600000 lt ListPrice", ["p2", "p5"])
        try await expect(Property.self, "ListPrice eq null", ["p3"])
        try await expect(Property.self, "ListPrice ne null and BedroomsTotal ge 3", ["p1", "p2", "p5"])
        try await expect(Property.self, "ListPrice ge 99.99 and ListPrice lt 500000", ["p4"])
        try await expect(Property.self, "ListPrice eq 1250000.5", ["p2"])
        try await expect(Property.self, "BedroomsTotal gt 2.5", ["p1", "p2", "p5"])
        try await expect(Property.self, "BedroomsTotal eq 3 or City eq 'Dubai'", ["p1", "p2", "p5"])
        try await expect(Property.self, "City in ('Dubai','Málaga')", ["p2", "p5"])
        try await expect(Property.self, "City in ('Dubai',null)", ["p2", "p4"])
        try await expect(Property.self, "not City in ('Dubai','Málaga')", ["p1", "p3", "p4"])
        try await expect(Property.self, "NewConstructionYN", ["p1"])
        try await expect(Property.self, "NewConstructionYN eq false", ["p2"])
        try await expect(Property.self, "not NewConstructionYN", ["p2", "p3", "p4", "p5"])
        try await expect(Property.self, "true", ["p1", "p2", "p3", "p4", "p5"])
        // Text: case-sensitive, byte-wise; functions.
        try await expect(Property.self, "tolower(City) eq 'marbella'", ["p1", "p3"])
        try await expect(Property.self, "toupper(City) eq 'DUBAI'", ["p2"])
        try await expect(Property.self, "contains(City, 'arb')", ["p1", "p3"])
        try await expect(Property.self, "contains(City, '')", ["p1", "p2", "p3", "p5"])
        try await expect(Property.self, "startswith(City, 'M')", ["p1", "p5"])
        try await expect(Property.self, "endswith(City, 'ai')", ["p2"])
        try await expect(Property.self, "endswith(City, '')", ["p1", "p2", "p3", "p5"])
        try await expect(Property.self, "not contains(City, 'arb')", ["p2", "p4", "p5"])
        try await expect(Property.self, "City gt 'Marbella'", ["p3", "p5"])
        try await expect(Property.self, "City le 'Dubai'", ["p2"])
        // Date-times: milliseconds, and a literal between two of them.
        let stamp = data.p1Modified
        try await expect(Property.self, "ModificationTimestamp ge \(Timestamp.format(stamp))", ["p1", "p2", "p3", "p4", "p5"])
        try await expect(Property.self, "ModificationTimestamp gt 2100-01-01T00:00:00+01:00", [])
        try await expect(Contact.self, "SourceModificationTimestamp eq 2024-03-01T10:00:00.250Z", ["c1"])
        try await expect(Contact.self, "SourceModificationTimestamp eq 2024-03-01T11:00:00.250+01:00", ["c1"])
        try await expect(Contact.self, "SourceModificationTimestamp gt 2024-03-01T10:00:00.2499Z", ["c1"])
        try await expect(Contact.self, "SourceModificationTimestamp lt 2024-03-01T10:00:00.2501Z", ["c1", "c2"])
        try await expect(Contact.self, "SourceModificationTimestamp le 2024-03-01T10:00:00.2499Z", ["c2"])
        try await expect(Contact.self, "SourceModificationTimestamp eq 2024-03-01T10:00:00.2501Z", [])
        try await expect(Contact.self, "SourceModificationTimestamp ne 2024-03-01T10:00:00.2501Z", ["c1", "c2", "c3"])
        // Dates.
        try await expect(Contact.self, "Birthdate lt 1990-01-01", ["c2"])
        try await expect(Contact.self, "Birthdate eq 1990-05-01", ["c1"])
        try await expect(Contact.self, "Birthdate ne 1990-05-01", ["c2", "c3"])
        // Navigation: live targets by hub key, or by vendor key in the same connection where
        // the hub key is not set (p3); m3 is deleted, so p5's agent is not there.
        try await expect(Property.self, "ListAgent/MemberFirstName eq 'Ana'", ["p1", "p4"])
        try await expect(Property.self, "ListAgent/MemberFirstName eq 'Cleo'", [])
        try await expect(Property.self, "ListAgent/MemberKey eq null", ["p5"])
        try await expect(Property.self, "ListAgent/MemberFirstName eq 'Bob'", ["p2", "p3"])
        try await expect(Property.self, "ListAgent/Office/OfficeName eq 'Marbella Central'", ["p1", "p4"])
        try await expect(Property.self, "ListAgent/MemberLanguages/any(l: l eq 'Spanish')", ["p1", "p4"])
        // Lambdas over media (p5's photo is deleted) and over string lists.
        try await expect(Property.self, "Media/any(m: m/MediaCategory eq 'Floor Plan')", ["p1"])
        try await expect(Property.self, "Media/any()", ["p1", "p2"])
        try await expect(Property.self, "Media/all(m: m/MediaCategory eq 'Photo')", ["p2", "p3", "p4", "p5"])
        try await expect(Property.self, "Media/any(m: m/Order gt 1 and m/ShortDescription ne null)", ["p1"])
        try await expect(Property.self, "not Media/any()", ["p3", "p4", "p5"])
        try await expect(Member.self, "MemberLanguages/any(l: l eq 'English')", ["m1", "m2"])
        try await expect(Member.self, "MemberLanguages/all(l: l eq 'English')", ["m2", "m4"])
        try await expect(Member.self, "MemberLanguages/any(l: startswith(l, 'Span'))", ["m1"])
        try await expect(Member.self, "Media/any(m: m/ResourceName eq 'Member')", [])

        // Order: nulls first ascending and last descending, text byte-wise, ties by key.
        let byPrice = try await keys(Property.self, nil, orderBy: "ListPrice")
        try check(byPrice == ["p3", "p4", "p1", "p5", "p2"], "$orderby=ListPrice: \(byPrice)")
        let byCity = try await keys(Property.self, nil, orderBy: "City desc,ListPrice")
        try check(byCity == ["p3", "p5", "p1", "p2", "p4"], "$orderby=City desc,ListPrice: \(byCity)")
        let byBedrooms = try await keys(Property.self, "BedroomsTotal ne null", orderBy: "BedroomsTotal desc,City")
        try check(byBedrooms == ["p2", "p1", "p5", "p3"], "$orderby=BedroomsTotal desc,City: \(byBedrooms)")
        let byAgent = try await keys(Property.self, "ListAgent/MemberKey ne null", orderBy: "ListAgent/MemberLastName,ListPrice desc")
        try check(byAgent == ["p1", "p4", "p2", "p3"], "$orderby=ListAgent/MemberLastName,ListPrice desc: \(byAgent)")
        // Paging and counts.
        let second = try await keys(Property.self, nil, orderBy: "ListPrice", limit: 2, offset: 2)
        try check(second == ["p1", "p5"], "ListPrice page 2 of 2: \(second)")
        let past = try await keys(Property.self, nil, orderBy: "ListPrice", limit: 2, offset: 6)
        try check(past.isEmpty, "a page past the end: \(past)")
        let parsed = try ODataQueryOptions.parse(
            [("$filter", "City ne 'Marbella'")], for: Property.self, navigation: ODataNavigationTable.hub)
        let counted = try await odata.odataRecords(
            Property.self, tenant: data.tenant, query: ODataRecordQuery(filter: parsed.filter, limit: 1, countTotal: true))
        try check(counted.total == 4 && counted.records.count == 1, "count of City ne 'Marbella': \(String(describing: counted.total))")
        let all = try await odata.odataRecords(Property.self, tenant: data.tenant, query: ODataRecordQuery(limit: 0, countTotal: true))
        try check(all.total == 5 && all.records.isEmpty, "count of every live Property: \(String(describing: all.total))")
        // A projection reads only what it names (and the key).
        let projected = try await odata.odataRecords(
            Property.self, tenant: data.tenant, query: ODataRecordQuery(filter: parsed.filter, fields: ["City"], limit: 10))
        for record in projected.records {
            try check(record.metadata.key != nil && record.listPrice == nil, "projection to City read more: \(record)")
        }
        // Other tenants: the same filter sees none of theirs.
        let other = try await odata.odataRecords(Property.self, tenant: "t2", query: ODataRecordQuery(filter: parsed.filter, limit: 10))
        try check(other.records.map(\.metadata.sourceKey) == ["other-1"], "tenant t2 sees \(other.records.map(\.metadata.sourceKey))")
        // Bounds.
        do {
            _ = try await odata.odataRecords(
                Property.self, tenant: data.tenant, query: ODataRecordQuery(limit: ODataQueryLimits.maximumLimit + 1))
            throw ContractFailure(description: "a limit over the maximum was served")
        } catch let error as StoreError {
            try check(error.code == .invalidQuery, "limit over the maximum: \(error)")
        }
    }

    /// Queries no index serves are refused over ``ODataQueryLimits/unindexedRowLimit`` records
    /// (deleted ones count: they are scanned too), and served below it.
    public static func odataRowLimit(_ store: any HubStorage) async throws {
        guard let odata = store as? any ODataRecordStore else { throw ContractFailure(description: "not an ODataRecordStore") }
        let scope = try await setUp(store, tenant: "big")
        let limit = ODataQueryLimits.unindexedRowLimit
        func contact(_ index: Int) -> Contact {
            var contact = Contact(metadata: RecordMetadata(sourceKey: "c-\(index)", raw: .object([:])))
            contact.lastName = "Last \(index % 100)"
            contact.email = "c\(index)@example.com"
            contact.notes = index == 7 ? "needle" : nil
            return contact
        }
        func query(_ filter: String?, orderBy: String? = nil) throws -> ODataRecordQuery {
            var options: [(name: String, value: String)] = []
            if let filter { options.append(("$filter", filter)) }
            if let orderBy { options.append(("$orderby", orderBy)) }
            let parsed = try ODataQueryOptions.parse(options, for: Contact.self, navigation: ODataNavigationTable.hub)
            return ODataRecordQuery(filter: parsed.filter, orderBy: parsed.orderBy, limit: 10, countTotal: true)
        }
        var next = 0
        while next < limit {
            let batch = (next..<min(limit, next + 2_000)).map(contact)
            _ = try await store.upsert(batch, scope: scope, cursor: nil)
            next += batch.count
        }
        // At the limit: served.
        let found = try await odata.odataRecords(Contact.self, tenant: "big", query: try query("contains(Notes, 'needle')"))
        try check(
            found.records.map(\.metadata.sourceKey) == ["c-7"] && found.total == 1, "unindexed filter at the limit: \(found.total ?? -1)")
        // One deleted record more: refused, unless an index serves the filter or the order.
        _ = try await store.upsert([contact(limit)], scope: scope, cursor: nil)
        _ = try await store.markDeleted(Contact.self, sourceKeys: ["c-\(limit)"], scope: scope)
        for (filter, orderBy) in [("contains(Notes, 'needle')", nil), ("Email ne 'c1@example.com'", nil), (nil, "LastName")]
            as [(String?, String?)]
        {
            do {
                _ = try await odata.odataRecords(Contact.self, tenant: "big", query: try query(filter, orderBy: orderBy))
                throw ContractFailure(description: "over the row limit, \(filter ?? "") \(orderBy ?? "") was served")
            } catch let error as StoreError {
                try check(error.code == .queryTooLarge, "over the row limit: \(error)")
                try check(error.message.contains("Email"), "the refusal names the indexed fields: \(error.message)")
            }
        }
        let byEmail = try await odata.odataRecords(
            Contact.self, tenant: "big", query: try query("Email eq 'c7@example.com' and contains(Notes, 'needle')"))
        try check(byEmail.records.map(\.metadata.sourceKey) == ["c-7"], "indexed and unindexed: \(byEmail.records.count)")
        let newest = try await odata.odataRecords(Contact.self, tenant: "big", query: try query(nil, orderBy: "ModificationTimestamp desc"))
        try check(newest.records.count == 10 && newest.total == limit, "unfiltered, indexed order: \(newest.total ?? -1)")
    }
}

/// The records ``StoreContract/odataQueries(_:)`` asks about, named p1…, m1…, c1… by their vendor keys.
struct ODataFixture {
    let tenant = "t1"
    /// Hub key → fixture name.
    var names: [String: String] = [:]
    var p1Modified = Date()

    func name(of key: String?) -> String { key.flatMap { names[$0] } ?? "?\(key ?? "nil")" }

    static func make<R: HubRecord>(_ name: String, _ values: [String: FieldValue]) throws -> R {
        var record = R(metadata: RecordMetadata(sourceKey: name, raw: .object(["id": .string(name)])))
        for (field, value) in values {
            guard let known = R.field(named: field), known.set(value, in: &record) else {
                throw ContractFailure(description: "fixture: \(R.resource.rawValue) has no settable \(field)")
            }
        }
        return record
    }

    static func load(_ store: any HubStorage) async throws -> ODataFixture {
        let scope = try await StoreContract.setUp(store)
        var fixture = ODataFixture()
        func remember(_ summary: UpsertSummary, _ names: [String]) -> [String] {
            let keys = summary.items.map(\.key)
            for (key, name) in zip(keys, names) { fixture.names[key] = name }
            return keys
        }
        let offices = remember(
            try await store.upsert([try make("o1", ["OfficeName": .string("Marbella Central")]) as Office], scope: scope, cursor: nil),
            ["o1"])
        let members: [Member] = [
            try make(
                "m1",
                [
                    "MemberFirstName": .string("Ana"), "MemberLastName": .string("Diaz"), "OfficeKey": .string(offices[0]),
                    "MemberLanguages": .stringList(["English", "Spanish"]),
                ]),
            try make(
                "m2", ["MemberFirstName": .string("Bob"), "MemberLastName": .string("Evans"), "MemberLanguages": .stringList(["English"])]),
            try make("m3", ["MemberFirstName": .string("Cleo")]),
            try make("m4", ["MemberFirstName": .string("Dan"), "MemberLanguages": .stringList([])]),
        ]
        let memberKeys = remember(try await store.upsert(members, scope: scope, cursor: nil), ["m1", "m2", "m3", "m4"])
        _ = try await store.markDeleted(Member.self, sourceKeys: ["m3"], scope: scope)

        let properties: [Property] = [
            try make(
                "p1",
                [
                    "City": .string("Marbella"), "ListPrice": .decimal(500_000), "BedroomsTotal": .integer(3),
                    "ListAgentKey": .string(memberKeys[0]), "NewConstructionYN": .boolean(true), "StandardStatus": .string("Active"),
                ]),
            try make(
                "p2",
                [
                    "City": .string("Dubai"), "ListPrice": .decimal(1_250_000.5), "BedroomsTotal": .integer(5),
                    "ListAgentKey": .string(memberKeys[1]), "NewConstructionYN": .boolean(false), "StandardStatus": .string("Active"),
                ]),
            // Linked to m2 by vendor key only, as a sync leaves it.
            try make(
                "p3",
                [
                    "City": .string("marbella"), "BedroomsTotal": .integer(2), "StandardStatus": .string("Pending"),
                    "SourceSystemListAgentKey": .string("m2"),
                ]),
            try make("p4", ["ListPrice": .decimal(99.99), "ListAgentKey": .string(memberKeys[0]), "StandardStatus": .string("Closed")]),
            try make(
                "p5",
                [
                    "City": .string("Málaga"), "ListPrice": .decimal(750_000), "BedroomsTotal": .integer(3),
                    "ListAgentKey": .string(memberKeys[2]), "StandardStatus": .string("Active"),
                ]),
            try make("p6", ["City": .string("Marbella")]),
        ]
        var floorPlan = Fixtures.photo(2, of: 1, parent: "p1")
        floorPlan.mediaCategory = "Floor Plan"
        let media = [
            Fixtures.photo(1, of: 1, parent: "p1"), floorPlan, Fixtures.photo(1, of: 2, parent: "p2"),
            Fixtures.photo(1, of: 5, parent: "p5"),
        ]
        _ = remember(
            try await store.upsert(properties, media: media, scope: scope, cursor: nil), ["p1", "p2", "p3", "p4", "p5", "p6"])
        _ = try await store.markDeleted(Property.self, sourceKeys: ["p6"], scope: scope)
        _ = try await store.markDeleted(Media.self, sourceKeys: ["pic-5-1"], scope: scope)
        if let p1 = fixture.names.first(where: { $0.value == "p1" })?.key,
            let stored = try await store.record(Property.self, tenant: scope.tenant, key: p1),
            let modified = stored.metadata.modificationTimestamp
        {
            fixture.p1Modified = modified
        }

        var contacts: [Contact] = [
            try make("c1", ["Birthdate": .date("1990-05-01")]),
            try make("c2", ["Birthdate": .date("1985-12-31")]),
            try make("c3", [:]),
        ]
        contacts[0].metadata.sourceModificationTimestamp = Date(timeIntervalSince1970: 1_709_287_200.25)
        contacts[1].metadata.sourceModificationTimestamp = Date(timeIntervalSince1970: 1_709_287_200.249)
        _ = remember(try await store.upsert(contacts, scope: scope, cursor: nil), ["c1", "c2", "c3"])

        // Another tenant's records, which no query of t1 may see.
        let other = try await StoreContract.setUp(store, tenant: "t2")
        _ = try await store.upsert([try make("other-1", ["City": .string("Dubai")]) as Property], scope: other, cursor: nil)
        return fixture
    }
}
