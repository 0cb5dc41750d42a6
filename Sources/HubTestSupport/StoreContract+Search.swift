import Foundation
public import HubStore
import RealtyModel

extension StoreContract {
    static func searchContact(
        _ sourceKey: String, first: String? = nil, last: String? = nil, full: String? = nil, email: String? = nil,
        mobile: String? = nil, home: String? = nil
    ) -> Contact {
        var contact = Contact(metadata: RecordMetadata(sourceSystemName: "mycrm", sourceKey: sourceKey))
        contact.firstName = first
        contact.lastName = last
        contact.fullName = full
        contact.email = email
        contact.mobilePhone = mobile
        contact.homePhone = home
        return contact
    }

    /// The vendor keys a search finds, in the order found.
    static func found<R: HubRecord>(
        _ store: any HubStorage, _ type: R.Type, _ search: RecordSearch, tenant: String = "t1", includeDeleted: Bool = false
    ) async throws -> [String] {
        let page = try await store.search(R.self, tenant: tenant, query: RecordSearchQuery(search, includeDeleted: includeDeleted))
        try check(page.total == page.records.count, "\(search): total \(page.total) for \(page.records.count) records on one page")
        return page.records.compactMap(\.metadata.sourceKey)
    }

    static func expectFound<R: HubRecord>(
        _ store: any HubStorage, _ type: R.Type, _ search: RecordSearch, _ expected: Set<String>, includeDeleted: Bool = false
    ) async throws {
        let keys = try await found(store, R.self, search, includeDeleted: includeDeleted)
        try check(keys.count == Set(keys).count, "\(search) found a record twice: \(keys)")
        try check(Set(keys) == expected, "\(search) found \(keys.sorted()), expected \(expected.sorted())")
    }

    static func expectRefused(_ store: any HubStorage, _ search: RecordSearch, _ fragment: String) async throws {
        do {
            _ = try await store.search(Contact.self, tenant: "t1", query: RecordSearchQuery(search))
            throw ContractFailure(description: "\(search) must be refused")
        } catch let error as StoreError where error.code == .invalidQuery {
            try check(error.message.contains(fragment), "\(search) refused with \"\(error.message)\", expected \"\(fragment)\"")
        }
    }

    /// Search by exact email (case-insensitive), exact phone (on its digits, `00` as `+`), name
    /// prefix (case-insensitive; `%` and `_` literal) and reference prefix (vendor key, hub key,
    /// ListingId): exactly the expected records, not another tenant's, not a deleted one unless
    /// asked, not near misses; names changed by an update are found by their new value only;
    /// exact list filters stay exact; bad input refused.
    public static func recordSearch(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let other = try await setUp(store, tenant: "t2")
        let contacts = [
            searchContact("c-ada", first: "Ada", last: "Lovelace", email: "ada@example.com", mobile: "+442079460958"),
            searchContact("c-adaup", first: "ADA", last: "King", email: "ADA@example.com", mobile: "+44 20 7946 0958"),
            searchContact("c-adam", first: "Adam", last: "Smith", email: "ada@example.co", mobile: "+44 (20) 7946-0959"),
            searchContact("c-grace", full: "Grace Hopper", email: "GRACE@Example.org", home: "0044 20 7946 0958"),
            searchContact("c-pct", last: "100%_Sure", email: "pct@example.com"),
            searchContact("c-pct2", last: "100ab", email: "pct2@example.com"),
            searchContact("c-adele", first: "Adele", email: "adele@example.com", mobile: "+442079460958"),
            searchContact("grace-ext", full: "Ext", mobile: "+44 20 7946 0958 ext 12"),
        ]
        let written = try await store.upsert(contacts, scope: scope, cursor: nil)
        _ = try await store.upsert(
            [searchContact("c-ada", first: "Ada", last: "Lovelace", email: "ada@example.com", mobile: "+442079460958")],
            scope: other, cursor: nil)
        _ = try await store.markDeleted(Contact.self, sourceKeys: ["c-adele"], scope: scope)

        // Email: case-folded, exact.
        try await expectFound(store, Contact.self, .email("Ada@Example.com"), ["c-ada", "c-adaup"])
        try await expectFound(store, Contact.self, .email(" grace@example.org "), ["c-grace"])
        try await expectFound(store, Contact.self, .email("ada@example.co"), ["c-adam"])
        try await expectFound(store, Contact.self, .email("ada@example"), [])
        try await expectFound(store, Contact.self, .email("adele@example.com"), [])
        try await expectFound(store, Contact.self, .email("adele@example.com"), ["c-adele"], includeDeleted: true)
        // Phone: on digits, across the phone fields, `00` the same as `+`; not a different number,
        // not one with an extension.
        let london = Set(["c-ada", "c-adaup", "c-grace"])
        try await expectFound(store, Contact.self, .phone("+44 (20) 7946-0958"), london)
        try await expectFound(store, Contact.self, .phone("0044 20 7946 0958"), london)
        try await expectFound(store, Contact.self, .phone("442079460958"), london)
        try await expectFound(store, Contact.self, .phone("+44 20 7946 0959"), ["c-adam"])
        try await expectFound(store, Contact.self, .phone("2079460958"), [])
        try await expectFound(store, Contact.self, .phone("+442079460958"), london.union(["c-adele"]), includeDeleted: true)
        // Names: prefix of the first, last or full name, case-folded; `%` and `_` are literal.
        try await expectFound(store, Contact.self, .namePrefix("lov"), ["c-ada"])
        try await expectFound(store, Contact.self, .namePrefix("ADA"), ["c-ada", "c-adaup", "c-adam"])
        try await expectFound(store, Contact.self, .namePrefix("ad"), ["c-ada", "c-adaup", "c-adam"])
        try await expectFound(store, Contact.self, .namePrefix("ad"), ["c-ada", "c-adaup", "c-adam", "c-adele"], includeDeleted: true)
        try await expectFound(store, Contact.self, .namePrefix("grace h"), ["c-grace"])
        try await expectFound(store, Contact.self, .namePrefix("Lovelacey"), [])
        try await expectFound(store, Contact.self, .namePrefix("100%"), ["c-pct"])
        try await expectFound(store, Contact.self, .namePrefix("100%_"), ["c-pct"])
        try await expectFound(store, Contact.self, .namePrefix("100_"), [])
        try await expectFound(store, Contact.self, .namePrefix("%"), [])
        try await expectFound(store, Contact.self, .namePrefix("100"), ["c-pct", "c-pct2"])
        // References: the vendor key (as stored: case-sensitive), the hub key (any case).
        try await expectFound(store, Contact.self, .referencePrefix("c-gr"), ["c-grace"])
        try await expectFound(store, Contact.self, .referencePrefix("C-GR"), [])
        try await expectFound(store, Contact.self, .referencePrefix("c-ada"), ["c-ada", "c-adaup", "c-adam"])
        try await expectFound(store, Contact.self, .referencePrefix("c_"), [])
        let adaKey = written.items[0].key
        try await expectFound(store, Contact.self, .referencePrefix(adaKey), ["c-ada"])
        try await expectFound(store, Contact.self, .referencePrefix(adaKey.uppercased()), ["c-ada"])
        try await expectFound(store, Contact.self, .referencePrefix(String(adaKey.dropLast())), ["c-ada"])
        // Another tenant's twin is found in its tenant only.
        try check(try await found(store, Contact.self, .email("ada@example.com"), tenant: "t2") == ["c-ada"], "t2's own contact")

        // An update of a name: found by the new value only; an update of another field keeps it.
        var renamed = contacts[0]
        renamed.lastName = "Byron"
        renamed.notes = "married"
        _ = try await store.upsert([renamed], scope: scope, cursor: nil)
        try await expectFound(store, Contact.self, .namePrefix("lov"), [])
        try await expectFound(store, Contact.self, .namePrefix("byr"), ["c-ada"])
        renamed.notes = "again"
        renamed.email = "ada@lovelace.example"
        _ = try await store.upsert([renamed], scope: scope, cursor: nil)
        try await expectFound(store, Contact.self, .namePrefix("byr"), ["c-ada"])
        try await expectFound(store, Contact.self, .email("ada@example.com"), ["c-adaup"])
        try await expectFound(store, Contact.self, .email("ADA@LOVELACE.example"), ["c-ada"])
        // Exact list filters on the fields whose index the search folded stay exact.
        let byEmail = try await store.list(Contact.self, tenant: "t1", query: ListQuery(filters: ["Email": "ADA@example.com"]))
        try check(
            byEmail.records.compactMap(\.metadata.sourceKey) == ["c-adaup"] && byEmail.total == 1, "exact Email filter: \(byEmail.total)")
        let byPhone = try await store.list(Contact.self, tenant: "t1", query: ListQuery(filters: ["MobilePhone": "+44 20 7946 0958"]))
        try check(byPhone.records.compactMap(\.metadata.sourceKey) == ["c-adaup"] && byPhone.total == 1, "exact MobilePhone filter")

        // Other resources, from the table of fields.
        var member = Fixtures.member(1)
        member.email = "Agent1@Agency.example"
        member.directPhone = "+34 952 000 111"
        member.fullName = "Agent One"
        _ = try await store.upsert([member, Fixtures.member(2)], scope: scope, cursor: nil)
        try await expectFound(store, Member.self, .email("agent1@agency.EXAMPLE"), ["m-1"])
        try await expectFound(store, Member.self, .phone("0034952000111"), ["m-1"])
        try await expectFound(store, Member.self, .namePrefix("agent"), ["m-1", "m-2"])
        try await expectFound(store, Member.self, .namePrefix("agent o"), ["m-1"])
        var listing = Fixtures.property(123)
        listing.unparsedAddress = "Calle Mayor 1, Marbella"
        _ = try await store.upsert([listing, Fixtures.property(124), Fixtures.property(23)], scope: scope, cursor: nil)
        try await expectFound(store, Property.self, .referencePrefix("L12"), ["p-123", "p-124"])
        try await expectFound(store, Property.self, .referencePrefix("p-2"), ["p-23"])
        try await expectFound(store, Property.self, .namePrefix("calle m"), ["p-123"])

        // Bad input: refused with a clear message.
        try await expectRefused(store, .namePrefix(""), "empty")
        try await expectRefused(store, .namePrefix("  \n"), "empty")
        try await expectRefused(store, .referencePrefix(String(repeating: "x", count: 201)), "longer than 200")
        try await expectRefused(store, .phone("call me"), "no digits")
        try await expectRefused(store, .phone("+"), "no digits")
        try await expectRefused(store, .email("ada"), "@")
        try await expectRefused(store, .namePrefix("a\u{10FFFF}"), "U+10FFFF")
        do {
            _ = try await store.search(Property.self, tenant: "t1", query: RecordSearchQuery(.email("a@b.c")))
            throw ContractFailure(description: "Property has no email to search")
        } catch let error as StoreError where error.code == .invalidQuery {
            try check(error.message == "Property has no email field to search", "message: \(error.message)")
        }
        for (page, perPage) in [(0, 10), (1, 0), (1, ListQuery.maximumPerPage + 1), (Int.max, 100)] {
            do {
                _ = try await store.search(
                    Contact.self, tenant: "t1", query: RecordSearchQuery(.namePrefix("a"), page: page, perPage: perPage))
                throw ContractFailure(description: "page \(page) of \(perPage) must be refused")
            } catch let error as StoreError where error.code == .invalidQuery {}
        }
    }

    /// Search pages: newest ModificationTimestamp first, then the hub key descending; the total
    /// over all pages; a page past the end empty with the total.
    public static func recordSearchPaging(_ store: any HubStorage) async throws {
        var scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<5 {
            scope.now = t0.addingTimeInterval(Double(index))
            _ = try await store.upsert([searchContact("z-\(index)", first: "Zed\(index)")], scope: scope, cursor: nil)
        }
        // Two written at the same instant: the greater hub key first.
        scope.now = t0.addingTimeInterval(10)
        let same = try await store.upsert(
            [searchContact("z-5", first: "Zed5"), searchContact("z-6", first: "Zed6")], scope: scope, cursor: nil)
        let tied = same.items.sorted { $0.key > $1.key }.map { $0.key == same.items[0].key ? "z-5" : "z-6" }
        let expected = tied + ["z-4", "z-3", "z-2", "z-1", "z-0"]
        var seen: [String] = []
        for page in 1...4 {
            let result = try await store.search(
                Contact.self, tenant: "t1", query: RecordSearchQuery(.namePrefix("zed"), page: page, perPage: 2))
            try check(result.total == 7 && result.page == page && result.perPage == 2, "page \(page): total \(result.total)")
            seen += result.records.compactMap(\.metadata.sourceKey)
            try check(
                result.records.allSatisfy { $0.firstName?.hasPrefix("Zed") == true && $0.metadata.modificationTimestamp != nil },
                "page \(page): records read whole")
        }
        try check(seen == expected, "pages in order: \(seen), expected \(expected)")
        let past = try await store.search(Contact.self, tenant: "t1", query: RecordSearchQuery(.namePrefix("zed"), page: 9, perPage: 2))
        try check(past.records.isEmpty && past.total == 7, "a page past the end: \(past.records.count) records, total \(past.total)")
    }

    /// A record's change list: its own created, updated and deleted events, newest first, with
    /// their connection and time; not another record's, not the hub's own events; a limit.
    public static func recordChangeList(_ store: any HubStorage) async throws {
        var scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        scope.now = t0
        let created = try await store.upsert([Fixtures.contact(1), Fixtures.contact(2)], scope: scope, cursor: nil)
        let key = created.items[0].key
        scope.now = t0.addingTimeInterval(5)
        var changed = Fixtures.contact(1)
        changed.notes = "called back"
        _ = try await store.upsert([changed, Fixtures.contact(2)], scope: scope, cursor: nil)
        var second = scope
        second.connectionID = "conn-2"
        second.now = t0.addingTimeInterval(6)
        _ = try await store.upsert([Fixtures.contact(1)], scope: second, cursor: nil)
        scope.now = t0.addingTimeInterval(9)
        _ = try await store.markDeleted(Contact.self, sourceKeys: ["c-1"], scope: scope)

        let events = try await store.recordEvents(tenant: "t1", resource: .contacts, key: key, limit: 10)
        let summary = events.map { "\($0.change.rawValue) \($0.connectionID ?? "-") \(Int($0.timestamp.timeIntervalSince(t0)))" }
        try check(summary == ["deleted conn-1 9", "updated conn-1 5", "created conn-1 0"], "change list: \(summary)")
        try check(events.allSatisfy { $0.resourceName == .contacts && $0.resourceRecordKey == key }, "only the record's events")
        try check(zip(events, events.dropFirst()).allSatisfy { $0.sequence > $1.sequence }, "newest first")
        let latest = try await store.recordEvents(tenant: "t1", resource: .contacts, key: key, limit: 2)
        try check(latest.map(\.change) == [.deleted, .updated], "limited to the newest 2: \(latest.map(\.change))")
        try check(try await store.recordEvents(tenant: "t2", resource: .contacts, key: key, limit: 10).isEmpty, "another tenant's")
        try check(try await store.recordEvents(tenant: "t1", resource: .member, key: key, limit: 10).isEmpty, "another resource's")
        // Read again after its deletion: live again, one more event.
        scope.now = t0.addingTimeInterval(12)
        _ = try await store.upsert([Fixtures.contact(1, note: "back")], scope: scope, cursor: nil)
        let back = try await store.recordEvents(tenant: "t1", resource: .contacts, key: key, limit: 10)
        try check(back.map(\.change) == [.updated, .deleted, .updated, .created], "after coming back: \(back.map(\.change))")

        // A long history: 60 changes of c-2, one batch each, beside other records' changes.
        let otherKey = created.items[1].key
        for round in 0..<60 {
            scope.now = t0.addingTimeInterval(20 + Double(round))
            _ = try await store.upsert(
                [Fixtures.contact(2, note: "round \(round)"), Fixtures.contact(3 + round % 5, note: "\(round)")], scope: scope, cursor: nil)
        }
        let recent = try await store.recordEvents(tenant: "t1", resource: .contacts, key: otherKey, limit: 50)
        try check(recent.count == 50 && recent.allSatisfy { $0.change == .updated && $0.resourceRecordKey == otherKey }, "c-2's 50 newest")
        try check(zip(recent, recent.dropFirst()).allSatisfy { $0.sequence > $1.sequence }, "c-2's newest first")
        let whole = try await store.recordEvents(tenant: "t1", resource: .contacts, key: otherKey, limit: ListQuery.maximumPerPage)
        try check(whole.count == 61 && whole.last?.change == .created, "c-2's whole history: \(whole.count) events")
        let feed = try await store.events(tenant: "t1", after: 0, limit: 1_000).filter { $0.resourceRecordKey == otherKey }
        try check(whole.map(\.sequence) == feed.map(\.sequence).reversed(), "the change list is the feed's events of c-2, newest first")

        for limit in [0, ListQuery.maximumPerPage + 1] {
            do {
                _ = try await store.recordEvents(tenant: "t1", resource: .contacts, key: key, limit: limit)
                throw ContractFailure(description: "limit \(limit) must be refused")
            } catch let error as StoreError where error.code == .invalidQuery {}
        }
    }
}

extension StoreContract {
    /// A search matching more records than ``RecordSearchQuery/exactTotalLimit`` answers that
    /// limit + 1 as a lower bound, and its pages are exactly those the exact search would give
    /// (the matches newest first, ties by key descending), walked instead of sorted; at the limit
    /// it counts exactly again, deleted matches left out unless asked for.
    public static func broadRecordSearch(_ store: any HubStorage) async throws {
        var scope = try await setUp(store)
        let limit = RecordSearchQuery.exactTotalLimit
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // 1,001 matching contacts ("Broad…", by first or by full name) among 83 others, written
        // in batches a minute apart (a batch shares its modification time).
        var matching: [String] = []
        for batch in 0..<11 {
            scope.now = start.addingTimeInterval(Double(batch) * 60)
            var contacts: [Contact] = []
            for index in (batch * 100)..<min(batch * 100 + 100, 1_084) {
                let key = "b-\(index)"
                if index % 13 == 5 {
                    contacts.append(searchContact(key, first: "Other\(index)"))
                } else {
                    contacts.append(
                        index % 2 == 0 ? searchContact(key, first: "Broad\(index)") : searchContact(key, full: "broad \(index)"))
                    matching.append(key)
                }
            }
            _ = try await store.upsert(contacts, scope: scope, cursor: nil)
        }
        try check(matching.count == limit + 1, "the fixture has \(matching.count) matches")

        // The order an exact search gives: every live contact newest first, ties by key
        // descending (the list's order), keeping the matches.
        var everyone: [Contact] = []
        for page in 1...2 {
            everyone += try await store.list(
                Contact.self, tenant: scope.tenant,
                query: ListQuery(sort: "ModificationTimestamp", sortOrder: .descending, page: page, perPage: 1_000)
            ).records
        }
        let matchingSet = Set(matching)
        let expected = everyone.compactMap(\.metadata.sourceKey).filter { matchingSet.contains($0) }
        try check(expected.count == limit + 1, "the list has every match: \(expected.count)")

        for page in [1, 2, 20] {
            let found = try await store.search(
                Contact.self, tenant: scope.tenant, query: RecordSearchQuery(.namePrefix("BROAD"), page: page))
            try check(
                found.totalIsLowerBound && found.total == limit + 1, "page \(page): total \(found.total), bound \(found.totalIsLowerBound)")
            let keys = found.records.compactMap(\.metadata.sourceKey)
            let slice = Array(expected.dropFirst((page - 1) * 50).prefix(50))
            try check(keys == slice, "page \(page) of the broad search: \(keys.prefix(3))…, expected \(slice.prefix(3))…")
        }
        let last = try await store.search(Contact.self, tenant: scope.tenant, query: RecordSearchQuery(.namePrefix("broad"), page: 21))
        try check(
            last.records.compactMap(\.metadata.sourceKey) == [expected[1_000]], "page 21 holds the last match: \(last.records.count)")

        // One match deleted: 1,000 live matches are counted exactly again; with the deleted one,
        // the search is broad again.
        let gone = matching[0]
        _ = try await store.markDeleted(Contact.self, sourceKeys: [gone], scope: scope)
        let exact = try await store.search(Contact.self, tenant: scope.tenant, query: RecordSearchQuery(.namePrefix("broad"), page: 1))
        try check(!exact.totalIsLowerBound && exact.total == limit, "1,000 live matches: total \(exact.total)")
        try check(
            exact.records.compactMap(\.metadata.sourceKey) == Array(expected.filter { $0 != gone }.prefix(50)),
            "the exact search's first page")
        let withDeleted = try await store.search(
            Contact.self, tenant: scope.tenant, query: RecordSearchQuery(.namePrefix("broad"), page: 1, includeDeleted: true))
        try check(withDeleted.totalIsLowerBound && withDeleted.total == limit + 1, "with the deleted match: \(withDeleted.total)")
        try check(withDeleted.records.count == 50, "a full page with the deleted match: \(withDeleted.records.count)")

        // A narrow search among them is exact.
        let one = try await store.search(Contact.self, tenant: scope.tenant, query: RecordSearchQuery(.namePrefix("Broad1000")))
        try check(!one.totalIsLowerBound && one.total == 1 && one.records.first?.metadata.sourceKey == "b-1000", "Broad1000: \(one.total)")
    }
}
