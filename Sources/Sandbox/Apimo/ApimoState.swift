import Foundation
import RealtyModel

/// The state of the Apimo emulator: providers with their agency grants and quotas, agencies, and
/// per-agency users, actions, properties, contacts and leads.
///
/// Every record keeps its vendor fields as JSON, plus the bookkeeping the API derives from: the
/// id, the agency, the acting user (actions) and the creation and modification times on the
/// sandbox clock. Answers render ids and most numbers as JSON strings and dates as
/// `YYYY-MM-DD HH:MM:SS` in Paris time, as the vendor does.
actor ApimoState {
    /// The resources of the emulator (also the control API's resource names).
    enum Resource: String, CaseIterable, Sendable {
        case agencies, users, actions, properties, contacts, leads
    }

    /// A provider (an API client of Apimo) and the agencies that granted it access.
    struct Provider: Sendable {
        var id: Int
        var token: String
        var agencies: Set<Int>
    }

    /// One stored record.
    struct Record: Sendable {
        var id: Int
        var agency: Int
        /// The user an action belongs to; `nil` for other resources.
        var user: Int?
        var createdAt: Date
        var updatedAt: Date
        var fields: [String: JSONValue]
    }

    /// The demo provider (numeric provider id, as Apimo issues them).
    static let demoProviderID = 1234
    /// A second provider, granted only the agency the demo provider is not.
    static let otherProviderID = 5678
    /// Agencies of the emulator: the demo provider is granted the first two.
    static let agencyIDs = [14, 27, 38]
    static let demoAgencyIDs: Set<Int> = [14, 27]
    static let otherAgencyIDs: Set<Int> = [38]

    /// French cities with an id and a postal code, for addresses.
    static let cities: [(id: Int, name: String, zipcode: String)] = [
        (75_056, "Paris", "75008"), (69_123, "Lyon", "69002"), (6_088, "Nice", "06000"), (13_055, "Marseille", "13001"),
        (33_063, "Bordeaux", "33000"), (6_029, "Cannes", "06400"), (74_010, "Annecy", "74000"), (31_555, "Toulouse", "31000"),
    ]

    private let settings: EmulatorSettings
    private let clock: SandboxClock
    /// When the data was seeded; `reset` restores exactly that state, timestamps included.
    private let seededAt: Date
    private var providers: [Int: Provider] = [:]
    /// Records per resource and agency: seeded ones derived on demand, plus the changes.
    private var tables: [Resource: [Int: Table]] = [:]
    private var nextIDs: [Resource: Int] = [:]
    private let seeder: Seeder
    private var quotas: [Int: ApimoQuota] = [:]
    private var controlGenerator: SeededGenerator
    /// The id of the next picture added through the API.
    private var nextPictureID = ApimoState.firstAddedPictureID

    /// The first id of a picture added through the API: above every seeded picture id
    /// (property id × 10 + rank, property ids from 233,000), so the two never meet.
    static let firstAddedPictureID = 90_000_000

    init(settings: EmulatorSettings, clock: SandboxClock) {
        self.settings = settings
        self.clock = clock
        self.controlGenerator = SeededGenerator(seed: settings.seed, stream: "apimo/control")
        let start = clock.now
        self.seededAt = start
        let seeder = Seeder(seed: settings.seed, now: start, count: max(settings.records, 0))
        self.seeder = seeder
        let seeded = Self.seed(settings: settings, seeder: seeder)
        self.providers = seeded.providers
        self.tables = seeded.tables
        self.nextIDs = seeded.nextIDs
    }

    // MARK: - Providers, grants, quotas

    /// The token of a seeded provider, derived from the run seed.
    static func token(providerID: Int, seed: UInt64) -> String {
        var generator = SeededGenerator(seed: seed, stream: "apimo/token/\(providerID)")
        return generator.hexToken(bytes: 16)
    }

    /// The provider for Basic credentials, or `nil`.
    func authenticate(providerID: Int, token: String) -> Provider? {
        guard let provider = providers[providerID], provider.token.utf8.elementsEqual(token.utf8) else { return nil }
        return provider
    }

    /// Counts a request against the provider's quotas.
    func admit(providerID: Int) -> ApimoQuota.Decision {
        var quota = quotas[providerID] ?? ApimoQuota(perSecond: settings.apimoRatePerSecond, perDay: settings.apimoDailyQuota)
        let decision = quota.admit(at: clock.now)
        quotas[providerID] = quota
        return decision
    }

    // MARK: - Reading

    /// What a list request asks for.
    struct ListQuery: Sendable {
        var limit: Int
        var offset: Int
        /// Only records created or modified at or after this time.
        var since: Date?
        /// Actions only: only this `type`.
        var type: String?
    }

    /// One page of a list, the unpaginated total, and the latest modification time of the
    /// matching records.
    struct Page: Sendable {
        var items: [JSONValue]
        var total: Int
        var latest: Date?
        /// The items' JSON texts, when rendered directly (then `items` is empty).
        var texts: [String]? = nil
    }

    /// The agencies a provider may see.
    func agencies(visibleTo provider: Provider, query: ListQuery) -> Page {
        var records: [Record] = []
        for agency in Self.agencyIDs where provider.agencies.contains(agency) {
            records += tables[.agencies]?[agency]?.records.all() ?? []
        }
        var matching = records
        if let since = query.since { matching = matching.filter { $0.updatedAt >= since } }
        matching.sort { $0.id < $1.id }
        let latest = matching.map(\.updatedAt).max()
        let slice = matching.dropFirst(query.offset).prefix(query.limit)
        return Page(items: slice.map { render($0, as: .agencies) }, total: matching.count, latest: latest)
    }

    /// Whether the agency has a user with this id.
    func userExists(_ userID: Int, agency: Int) -> Bool {
        exists(.users, id: userID, agency: agency)
    }

    /// Whether the agency has a record of `resource` with this id.
    func exists(_ resource: Resource, id: Int, agency: Int) -> Bool {
        tables[resource]?[agency]?.records.contains(id) ?? false
    }

    /// A page of an agency's records (of one user, for actions), in id order.
    ///
    /// A plain page is read by position; the total is exact and the latest modification is
    /// read from each record's derived times, without producing the records. Filters scan the
    /// records one at a time and keep only the page.
    /// - Parameter indexed: `false` scans the records even where the index answers (for tests
    ///   comparing the two).
    func list(_ resource: Resource, agency: Int, user: Int? = nil, query: ListQuery, indexed: Bool = true) -> Page {
        guard var table = tables[resource]?[agency] else { return Page(items: [], total: 0, latest: nil) }
        if user == nil, query.type == nil, indexed {
            // Answered from the index of modification times: no pass over the records.
            let (facts, firstKey, count) = (table.facts, table.records.firstKey, table.records.seededCount)
            let built = table.byUpdated == nil
            let index = SeededIndex.cached(in: &table.byUpdated, firstKey: firstKey, count: count) { facts($0).updated }
            if built { tables[resource]?[agency] = table }
            return indexedList(resource, table: table, index: index, query: query)
        }
        let records = table.records
        var latest: Date?
        var total = 0
        var items: [Record] = []
        if user == nil, query.type == nil, query.since == nil {
            records.forEachKey { key, stored in
                let updated = stored?.updatedAt ?? table.facts(key).updated
                if latest.map({ updated > $0 }) ?? true { latest = updated }
                return true
            }
            total = records.count
            items = records.page(offset: query.offset, limit: query.limit)
        } else {
            records.forEachKey { key, stored in
                let facts = stored.map { Facts(created: $0.createdAt, updated: $0.updatedAt, user: $0.user) } ?? table.facts(key)
                if let since = query.since, facts.updated < since { return true }
                if let user, facts.user != user { return true }
                var record = stored
                if let type = query.type {
                    record = record ?? records.record(key)
                    guard record?.fields["type"]?.scalarText == type else { return true }
                }
                if latest.map({ facts.updated > $0 }) ?? true { latest = facts.updated }
                if total >= query.offset, total - query.offset < query.limit, let record = record ?? records.record(key) {
                    items.append(record)
                }
                total += 1
                return true
            }
        }
        return Page(items: items.map { render($0, as: resource) }, total: total, latest: latest)
    }

    /// A page of an agency's records in id order, with or without `since`, read from the
    /// index of the seeded records' modification times plus the changed and inserted records:
    /// the same answer as the scan in ``list(_:agency:user:query:)``.
    private func indexedList(_ resource: Resource, table: Table, index: SeededIndex<Date>, query: ListQuery) -> Page {
        let records = table.records
        let touched = records.touchedSeededKeys()
        var stored: [(key: Int, updated: Date)] = []
        records.forEachStored { key, record in
            if let since = query.since, record.updatedAt < since { return }
            stored.append((key, record.updatedAt))
        }
        stored.sort { $0.key < $1.key }
        var latest = stored.map(\.updated).max()
        // Seeded matches: the positions of `order` from `start` on (all of them without `since`).
        let start = query.since.map { index.lowerBound($0) } ?? 0
        var cursor = index.count - 1
        while cursor >= start {
            let position = Int(index.order[cursor])
            if !touched.contains(position) {
                let updated = index.values[position]
                if latest.map({ updated > $0 }) ?? true { latest = updated }
                break
            }
            cursor -= 1
        }
        var keys: [Int] = []
        let total: Int
        let (sum, overflow) = query.offset.addingReportingOverflow(query.limit)
        let windowEnd = overflow ? Int.max : sum
        if query.since == nil {
            total = records.count
            if query.offset < total {
                for position in query.offset..<min(total, windowEnd) {
                    if let key = records.key(at: position) { keys.append(key) }
                }
            }
        } else {
            // The seeded matches in key order: gathered and sorted when few, else a pass over
            // the index's facts by key.
            var seeded: [Int] = []
            let matching = index.count - start
            if matching * 8 < index.count {
                seeded.reserveCapacity(matching)
                for cursor in start..<index.count {
                    let position = Int(index.order[cursor])
                    if !touched.contains(position) { seeded.append(records.firstKey + position) }
                }
                seeded.sort()
            } else if let since = query.since {
                seeded.reserveCapacity(matching)
                for position in 0..<index.count where index.values[position] >= since && !touched.contains(position) {
                    seeded.append(records.firstKey + position)
                }
            }
            total = seeded.count + stored.count
            var next = 0
            var matched = 0
            func emit(_ key: Int) {
                if matched >= query.offset, matched < windowEnd { keys.append(key) }
                matched += 1
            }
            for key in seeded {
                if matched >= windowEnd { break }
                while next < stored.count, stored[next].key < key {
                    emit(stored[next].key)
                    next += 1
                }
                emit(key)
            }
            while next < stored.count, matched < windowEnd {
                emit(stored[next].key)
                next += 1
            }
        }
        // Properties embed their negotiator, who may change: only the others are kept rendered.
        let cache = resource == .properties ? nil : table.renderings
        var texts: [String] = []
        texts.reserveCapacity(keys.count)
        for key in keys {
            if let cache, records.isPristine(key) {
                texts.append(
                    cache.text(key) {
                        table.seededText?(key) ?? records.record(key).map { render($0, as: resource).jsonText } ?? "null"
                    })
            } else if let record = records.record(key) {
                texts.append(render(record, as: resource).jsonText)
            }
        }
        return Page(items: [], total: total, latest: latest, texts: texts)
    }

    // MARK: - Writing

    /// Creates a record in an agency and returns it rendered.
    func create(_ resource: Resource, agency: Int, user: Int? = nil, fields: [String: JSONValue]) -> JSONValue {
        let now = clock.now
        let id = takeID(resource)
        let record = Record(id: id, agency: agency, user: user, createdAt: now, updatedAt: now, fields: fields)
        store(record, as: resource)
        return render(record, as: resource)
    }

    /// Record `id` of an agency, or nil when it has none.
    func record(_ resource: Resource, id: Int, agency: Int) -> Record? {
        tables[resource]?[agency]?.records.record(id)
    }

    /// Stores a changed record, modified now, and returns it rendered.
    func replace(_ record: Record, as resource: Resource) -> JSONValue {
        var changed = record
        changed.updatedAt = clock.now
        store(changed, as: resource)
        return render(changed, as: resource)
    }

    /// Adds a picture (its checked `url`, `rank`, `comments`, `internet`, `print`, `panorama`) to
    /// property `propertyID` of an agency: a new id; the rank asked for (pictures at or after
    /// it move down one) or the one after the last; the property modified now, so incremental
    /// reads see it.
    ///
    /// - Returns: the picture as stored, or nil when the agency has no such property.
    func addPicture(_ fields: [String: JSONValue], property propertyID: Int, agency: Int) -> JSONValue? {
        guard var property = record(.properties, id: propertyID, agency: agency) else { return nil }
        func rank(_ picture: JSONValue) -> Int? { picture["rank"]?.scalarText.flatMap { Int($0) } }
        var pictures = property.fields["pictures"]?.arrayValue ?? []
        let wanted = fields["rank"]?.scalarText.flatMap { Int($0) } ?? ((pictures.compactMap(rank).max() ?? 0) + 1)
        pictures = pictures.map { picture in
            guard var object = picture.objectValue, let current = rank(picture), current >= wanted else { return picture }
            object["rank"] = .string(String(current + 1))
            return .object(object)
        }
        let id = nextPictureID
        nextPictureID += 1
        let picture: JSONValue = [
            "id": .string(String(id)), "rank": .string(String(wanted)), "url": fields["url"] ?? .null,
            // The sizes are Apimo's to compute from the file, which the emulator never fetches.
            "width_max": .null, "height_max": .null, "internet": fields["internet"] ?? true, "print": fields["print"] ?? false,
            "panorama": fields["panorama"] ?? false, "child": .null, "reference": .null, "comments": fields["comments"] ?? [],
        ]
        pictures.append(picture)
        property.fields["pictures"] = .array(pictures.sorted { (rank($0) ?? .max) < (rank($1) ?? .max) })
        _ = replace(property, as: .properties)
        return picture
    }

    /// Removes picture `pictureID` from property `propertyID` of an agency, the property
    /// modified now.
    ///
    /// - Returns: nil when the agency has no such property, false when the property has no
    ///   such picture.
    func removePicture(_ pictureID: String, property propertyID: Int, agency: Int) -> Bool? {
        guard var property = record(.properties, id: propertyID, agency: agency) else { return nil }
        let pictures = property.fields["pictures"]?.arrayValue ?? []
        let kept = pictures.filter { $0["id"]?.scalarText != pictureID }
        guard kept.count < pictures.count else { return false }
        property.fields["pictures"] = .array(kept)
        _ = replace(property, as: .properties)
        return true
    }

    private func store(_ record: Record, as resource: Resource) {
        if tables[resource]?[record.agency] == nil {
            tables[resource, default: [:]][record.agency] = Table.empty
        }
        if tables[resource]?[record.agency]?.records.update(record.id, to: record) != true {
            tables[resource]?[record.agency]?.records.insert(record.id, record)
        }
    }

    private func takeID(_ resource: Resource) -> Int {
        let id = nextIDs[resource] ?? 1
        nextIDs[resource] = id + 1
        return id
    }

    // MARK: - Rendering

    func render(_ record: Record, as resource: Resource) -> JSONValue {
        var fields = record.fields
        fields["id"] = .string(String(record.id))
        switch resource {
        case .agencies:
            break
        case .actions:
            // The action's own sample carries `user`, not `agency`.
            fields["user"] = record.user.map { .string(String($0)) } ?? .null
        case .properties:
            fields["agency"] = .string(String(record.agency))
            if let userID = fields["user"]?.scalarText.flatMap(Int.init),
                let user = tables[.users]?[record.agency]?.records.record(userID)
                    ?? tables[.users]?.values.lazy.compactMap({ $0.records.record(userID) }).first
            {
                // Properties embed their negotiator (apimo.js `user{…User}`).
                fields["user"] = compactUser(user)
            }
        case .users, .contacts, .leads:
            fields["agency"] = .string(String(record.agency))
        }
        fields["created_at"] = .string(ApimoFormat.dateTime(record.createdAt))
        fields["updated_at"] = .string(ApimoFormat.dateTime(record.updatedAt))
        return .object(fields)
    }

    private func compactUser(_ user: Record) -> JSONValue {
        var fields: [String: JSONValue] = ["id": .string(String(user.id)), "agency": .string(String(user.agency))]
        for key in ["firstname", "lastname", "email", "phone", "mobile", "picture"] {
            fields[key] = user.fields[key] ?? .null
        }
        return .object(fields)
    }

    // MARK: - Seeding

    /// The times and the acting user of a record: what lists filter on, readable for a seeded
    /// record without producing it.
    struct Facts: Sendable {
        var created: Date
        var updated: Date
        var user: Int?
    }

    /// The records of one resource in one agency: seeded records derived on demand (see
    /// ``DerivedCollection``) and the changes made since.
    struct Table: Sendable {
        var records: DerivedCollection<Record>
        /// The facts of seeded record `id` (equal to the derived record's).
        let facts: @Sendable (Int) -> Facts
        /// The rendering of seeded record `id` written from its seed (no record, no tree): the
        /// text its record renders to; `nil` renders the record.
        var seededText: (@Sendable (Int) -> String)? = nil
        /// Renderings of pristine seeded records.
        let renderings = SeedTextCache()
        /// The seeded records by modification time, built on the first list.
        var byUpdated: SeededIndex<Date>? = nil

        static let empty = Table(
            records: DerivedCollection(firstKey: 0, count: 0) { id in
                Record(id: id, agency: 0, user: nil, createdAt: .distantPast, updatedAt: .distantPast, fields: [:])
            },
            facts: { _ in Facts(created: .distantPast, updated: .distantPast, user: nil) })
    }

    private struct Seeded {
        var providers: [Int: Provider]
        var tables: [Resource: [Int: Table]]
        var nextIDs: [Resource: Int]
    }

    /// First ids per resource, so that ids of different resources do not look alike.
    private static let firstIDs: [Resource: Int] = [
        .agencies: 14, .users: 9, .actions: 19_344_000, .properties: 233_000, .contacts: 8_520_000, .leads: 41_000,
    ]

    private static func seed(settings: EmulatorSettings, seeder: Seeder) -> Seeded {
        let providers: [Int: Provider] = [
            demoProviderID: Provider(
                id: demoProviderID, token: token(providerID: demoProviderID, seed: settings.seed), agencies: demoAgencyIDs),
            otherProviderID: Provider(
                id: otherProviderID, token: token(providerID: otherProviderID, seed: settings.seed),
                agencies: otherAgencyIDs),
        ]
        var tables: [Resource: [Int: Table]] = [:]
        for (index, agencyID) in agencyIDs.enumerated() {
            var agency = Table.empty
            agency.records.insert(agencyID, seeder.agency(id: agencyID, index: index))
            tables[.agencies, default: [:]][agencyID] = agency
            for resource in Resource.allCases where resource != .agencies {
                let first = seeder.firstID(resource, agencyIndex: index)
                var seededText: (@Sendable (Int) -> String)?
                if resource == .contacts {
                    seededText = { id in seeder.contactText(id: id, agencyIndex: index) }
                }
                tables[resource, default: [:]][agencyID] = Table(
                    records: DerivedCollection(firstKey: first, count: seeder.count) { id in
                        seeder.record(resource, id: id, agencyIndex: index)
                    },
                    facts: { id in seeder.facts(resource, id: id, agencyIndex: index) },
                    seededText: seededText)
            }
        }
        var nextIDs: [Resource: Int] = [.agencies: (agencyIDs.max() ?? 0) + 1]
        for resource in Resource.allCases where resource != .agencies {
            nextIDs[resource] = seeder.firstID(resource, agencyIndex: agencyIDs.count)
        }
        return Seeded(providers: providers, tables: tables, nextIDs: nextIDs)
    }

    /// Builds seeded-style records. Seeded record `id` of a resource is a pure function of the
    /// seed and the id: agency `i` (of ``agencyIDs``) holds ids `first + i * count ..< first + (i + 1) * count`,
    /// and relations point at seeded records of the same agency. Also used by the control API's `insert`.
    struct Seeder: Sendable {
        let seed: UInt64
        let now: Date
        /// Seeded records per resource and agency.
        let count: Int

        /// The first seeded id of `resource` in the agency at `agencyIndex`.
        func firstID(_ resource: Resource, agencyIndex: Int) -> Int {
            (ApimoState.firstIDs[resource] ?? 1) + agencyIndex * count
        }

        /// A seeded id of `resource` in the agency at `agencyIndex`, or `nil` when there are none.
        func pickID(_ resource: Resource, agencyIndex: Int, using generator: inout SeededGenerator) -> Int? {
            count > 0 ? firstID(resource, agencyIndex: agencyIndex) + Int.random(in: 0..<count, using: &generator) : nil
        }

        /// Creation and modification times within the last year, modification after creation.
        func times(using generator: inout SeededGenerator) -> (Date, Date) {
            let created = now.addingTimeInterval(-Double(Int.random(in: 86_400...31_536_000, using: &generator)))
            let age = now.timeIntervalSince(created)
            let updated = created.addingTimeInterval(Double(Int.random(in: 0...Int(age), using: &generator)))
            return (created, updated)
        }

        /// The facts of seeded record `id`, drawn apart from its content.
        func facts(_ resource: Resource, id: Int, agencyIndex: Int) -> Facts {
            var generator = SeededGenerator(seed: seed, stream: "apimo/\(resource.rawValue)/facts", index: id)
            let (created, updated) = times(using: &generator)
            let user = resource == .actions ? pickID(.users, agencyIndex: agencyIndex, using: &generator) : nil
            return Facts(created: created, updated: updated, user: user)
        }

        /// Seeded contact `id` of the agency at `agencyIndex` as the API renders it, written
        /// from its seed: the text of `render(record(.contacts, id:agencyIndex:))`.
        func contactText(id: Int, agencyIndex: Int) -> String {
            let facts = facts(.contacts, id: id, agencyIndex: agencyIndex)
            var generator = SeededGenerator(seed: seed, stream: "apimo/\(Resource.contacts.rawValue)", index: id)
            let agency = ApimoState.agencyIDs.indices.contains(agencyIndex) ? ApimoState.agencyIDs[agencyIndex] : 0
            let userID = pickID(.users, agencyIndex: agencyIndex, using: &generator)
            return ContactSeed(userID: userID, using: &generator).text(id: id, agency: agency, facts: facts)
        }

        /// Seeded record `id` of `resource` in the agency at `agencyIndex`.
        func record(_ resource: Resource, id: Int, agencyIndex: Int) -> Record {
            let facts = facts(resource, id: id, agencyIndex: agencyIndex)
            var generator = SeededGenerator(seed: seed, stream: "apimo/\(resource.rawValue)", index: id)
            let agency = ApimoState.agencyIDs.indices.contains(agencyIndex) ? ApimoState.agencyIDs[agencyIndex] : 0
            return make(resource, id: id, agency: agency, agencyIndex: agencyIndex, facts: facts, using: &generator)
        }

        /// The `pictures[]` of seeded property `id`, drawn from a stream of their own (so the
        /// property's other fields are those of a seed without pictures): none to four, each
        /// `{id, rank, url, width_max, height_max, internet, print, panorama, child, reference,
        /// comments}` as the properties page lists them. Ids and numbers are strings, as Apimo
        /// sends ids and most numbers; `rank` counts from 1 in display order (reading: the
        /// document gives no base). Picture ids are unique: property id × 10 + rank.
        func pictures(propertyID id: Int) -> JSONValue {
            var generator = SeededGenerator(seed: seed, stream: "apimo/properties/pictures", index: id)
            let count = Int.random(in: 0...4, using: &generator)
            let rooms = ["Séjour", "Cuisine", "Chambre", "Salle de bains", "Façade", "Jardin", "Vue"]
            return .array(
                (0..<count).map { index -> JSONValue in
                    let rank = index + 1
                    let pictureID = id * 10 + rank
                    let landscape = Int.random(in: 0..<4, using: &generator) > 0
                    let room = FakeData.pick(rooms, using: &generator) ?? "Séjour"
                    return [
                        "id": .string(String(pictureID)), "rank": .string(String(rank)),
                        "url": .string("https://api.apimo.pro/uploads/property/\(id)/picture_\(pictureID).jpg"),
                        "width_max": .string(landscape ? "1600" : "1200"), "height_max": .string(landscape ? "1200" : "1600"),
                        "internet": true, "print": .bool(rank == 1), "panorama": false, "child": .null, "reference": .null,
                        "comments": [["language": "fr", "comment": .string(room)]],
                    ]
                })
        }

        /// Agency `id`, at `index` of ``agencyIDs``.
        func agency(id: Int, index: Int) -> Record {
            var generator = SeededGenerator(seed: seed, stream: "apimo/agencies", index: index)
            return agency(id: id, using: &generator)
        }

        /// A record of `resource` with relations among the agency's seeded records.
        func make(
            _ resource: Resource, id: Int, agency: Int, agencyIndex: Int, facts: Facts, using generator: inout SeededGenerator
        ) -> Record {
            let fields: [String: JSONValue]
            switch resource {
            case .agencies:
                return self.agency(id: id, using: &generator)
            case .users:
                fields = Self.userFields(id: id, using: &generator)
            case .properties:
                var property = Self.propertyFields(
                    id: id, userID: pickID(.users, agencyIndex: agencyIndex, using: &generator), using: &generator)
                property["pictures"] = pictures(propertyID: id)
                fields = property
            case .contacts:
                fields = Self.contactFields(userID: pickID(.users, agencyIndex: agencyIndex, using: &generator), using: &generator)
            case .leads:
                fields = Self.leadFields(
                    propertyID: pickID(.properties, agencyIndex: agencyIndex, using: &generator),
                    userID: pickID(.users, agencyIndex: agencyIndex, using: &generator), date: facts.created, using: &generator)
            case .actions:
                let property = pickID(.properties, agencyIndex: agencyIndex, using: &generator).map {
                    record(.properties, id: $0, agencyIndex: agencyIndex)
                }
                fields = Self.actionFields(
                    contactID: pickID(.contacts, agencyIndex: agencyIndex, using: &generator),
                    property: property, date: facts.created, using: &generator)
            }
            return Record(
                id: id, agency: agency, user: facts.user, createdAt: facts.created, updatedAt: facts.updated, fields: fields)
        }

        func agency(id: Int, using generator: inout SeededGenerator) -> Record {
            let city = FakeData.pick(ApimoState.cities, using: &generator) ?? ApimoState.cities[0]
            let brand = FakeData.pick(["Immobilière", "Patrimoine", "Habitat", "Propriétés"], using: &generator) ?? "Immobilière"
            let name = "\(brand) \(city.name) \(FakeData.lastName(using: &generator))"
            let (created, updated) = times(using: &generator)
            let slug = FakeData.asciiSlug(name)
            let fields: [String: JSONValue] = [
                "reference": .string("AG\(id)"), "active": true, "name": .string(name),
                "company": ["id": .string(String(id * 10)), "name": .string("\(name) SAS")], "brand": .null,
                "networks": [], "address": .string(FakeData.streetAddress(using: &generator)), "address_more": .null,
                "city": ["id": .string(String(city.id)), "name": .string(city.name), "zipcode": .string(city.zipcode)],
                "district": .null, "country": "FR", "region": .null, "latitude": .double(48.85), "longitude": .double(2.35),
                "email": .string("contact@\(slug).example.com"), "phone": .string(FakeData.phone(country: "FR", using: &generator)),
                "fax": .null, "url": .string("https://\(slug).example.com"), "logo": .null, "logo_svg": .null,
                "picture": .null, "currency": "EUR", "timetable": .null, "rates": [], "partners": [], "stories": [],
                "users": [], "sectors": [], "subscription": .null,
            ]
            return Record(id: id, agency: id, user: nil, createdAt: created, updatedAt: updated, fields: fields)
        }

        static func userFields(id: Int, using generator: inout SeededGenerator) -> [String: JSONValue] {
            let first = FakeData.firstName(using: &generator)
            let last = FakeData.lastName(using: &generator)
            let city = FakeData.pick(ApimoState.cities, using: &generator) ?? ApimoState.cities[0]
            let birthYear = Int.random(in: 1960...1998, using: &generator)
            return [
                "active": .bool(Int.random(in: 0..<10, using: &generator) > 0),
                "firstname": .string(first), "lastname": .string(last.uppercased()),
                "username": .string(FakeData.asciiSlug(first + last)), "password": "*********",
                "language": "fr", "spoken_languages": ["fr", "en"],
                "group": .string(String(FakeData.pick(ApimoCatalogs.ids("user_group"), using: &generator) ?? 2)),
                "email": .string(FakeData.email(first: first, last: last, number: id, using: &generator)),
                "phone": Int.random(in: 0..<3, using: &generator) == 0 ? .null : .string(FakeData.phone(country: "FR", using: &generator)),
                "mobile": .string(FakeData.phone(country: "FR", using: &generator)), "fax": .null,
                "city": ["id": .string(String(city.id)), "name": .string(city.name)],
                "birthday_at": .string(
                    String(
                        format: "%04d-%02d-%02d", birthYear, Int.random(in: 1...12, using: &generator),
                        Int.random(in: 1...28, using: &generator))),
                "timezone": "Europe/Paris",
                "picture": .string("https://api.apimo.pro/uploads/user/\(id)/picture_200.jpg"),
                "partners": [], "stories": [],
            ]
        }

        static func propertyFields(id: Int, userID: Int?, using generator: inout SeededGenerator) -> [String: JSONValue] {
            let city = FakeData.pick(ApimoState.cities, using: &generator) ?? ApimoState.cities[0]
            let type = FakeData.pick(ApimoCatalogs.ids("property_type"), using: &generator) ?? 1
            let category = FakeData.pick([1, 1, 1, 2, 3], using: &generator) ?? 1
            let area = Int.random(in: 20...320, using: &generator)
            let rooms = max(1, area / 25)
            let price =
                category == 1 ? FakeData.price(in: 90_000...3_500_000, using: &generator) : Int.random(in: 5...60, using: &generator) * 100
            let street = FakeData.streetAddress(using: &generator)
            return [
                "reference": .string(String(format: "REF%06d", id % 1_000_000)),
                "brand": .null, "sector": .null, "user": userID.map { .string(String($0)) } ?? .null,
                "step": .string(String(FakeData.pick(ApimoCatalogs.ids("property_step"), using: &generator) ?? 2)),
                "status": .string(String(FakeData.pick(ApimoCatalogs.ids("property_status"), using: &generator) ?? 1)),
                "parent": .null, "ranking": .null,
                "category": .string(String(category)), "name": .null,
                "type": .string(String(type)), "subtype": .null,
                "agreement": ["type": "1", "reference": .string("M\(id)"), "start_at": .null, "end_at": .null],
                "address": .string(street), "address_more": .null, "publish_address": false,
                "country": "FR", "region": .null,
                "city": ["id": .string(String(city.id)), "name": .string(city.name), "zipcode": .string(city.zipcode)],
                "district": .null,
                "latitude": .double(43 + Double(Int.random(in: 0...5000, using: &generator)) / 1000),
                "longitude": .double(Double(Int.random(in: 0...7000, using: &generator)) / 1000),
                "area": ["unit": "1", "value": .string(String(area)), "total": .string(String(area)), "weighted": .null],
                "rooms": .string(String(rooms)), "bedrooms": .string(String(max(0, rooms - 1))),
                "price": [
                    "value": .string(String(price)), "max": .null, "fees": .null, "unit": .null,
                    "period": category == 1 ? .null : "1", "hide": false, "currency": "EUR",
                ],
                "comments": [
                    [
                        "language": "fr", "title": .string("Bien à \(city.name)"),
                        "comment": .string("\(street), \(area) m², \(rooms) pièces."),
                    ]
                ],
                "pictures": [], "medias": [], "documents": [], "areas": [], "tags": [],
            ]
        }

        static func contactFields(userID: Int?, using generator: inout SeededGenerator) -> [String: JSONValue] {
            ContactSeed(userID: userID, using: &generator).fields
        }

        /// What a seeded contact draws, in its draw order: its fields (``fields``) or its
        /// rendering (``text(id:agency:facts:)``) follow from it.
        struct ContactSeed {
            var userID: Int?
            var first: String
            var last: String
            var city: (id: Int, name: String, zipcode: String)
            var title: String
            var email: String
            var mobile: String
            var address: String

            init(userID: Int?, using generator: inout SeededGenerator) {
                self.userID = userID
                first = FakeData.firstName(using: &generator)
                last = FakeData.lastName(using: &generator)
                city = FakeData.pick(ApimoState.cities, using: &generator) ?? ApimoState.cities[0]
                let number = Int.random(in: 1...999_999, using: &generator)
                title = String(FakeData.pick(ApimoCatalogs.ids("contact_title"), using: &generator) ?? 1)
                email = FakeData.email(first: first, last: last, number: number, using: &generator)
                mobile = FakeData.phone(country: "FR", using: &generator)
                address = FakeData.streetAddress(using: &generator)
            }

            var fields: [String: JSONValue] {
                [
                    "user": userID.map { .string(String($0)) } ?? .null, "active": true, "title": .string(title),
                    "firstname": .string(first), "lastname": .string(last), "company": .null, "email": .string(email),
                    "phone": .null, "mobile": .string(mobile), "fax": .null, "address": .string(address),
                    "zipcode": .string(city.zipcode), "city": ["id": .string(String(city.id)), "name": .string(city.name)],
                    "country": "FR", "language": "fr", "birthday_at": .null, "comment": .null,
                ]
            }

            /// The contact as the API renders it (``ApimoState/render(_:as:)`` of its record:
            /// sorted keys, compact), written without a tree.
            func text(id: Int, agency: Int, facts: Facts) -> String {
                var out = ""
                out.reserveCapacity(520)
                out.appendJSONMember(#"{"active":true,"address":"#, address)
                out.appendJSONMember(#","agency":"#, String(agency))
                out += #","birthday_at":null,"city":{"id":"#
                JSONValue.writeString(String(city.id), into: &out)
                out.appendJSONMember(#","name":"#, city.name)
                out += #"},"comment":null,"company":null,"country":"FR""#
                out.appendJSONMember(#","created_at":"#, ApimoFormat.dateTime(facts.created))
                out.appendJSONMember(#","email":"#, email)
                out.appendJSONMember(#","fax":null,"firstname":"#, first)
                out.appendJSONMember(#","id":"#, String(id))
                out.appendJSONMember(#","language":"fr","lastname":"#, last)
                out.appendJSONMember(#","mobile":"#, mobile)
                out.appendJSONMember(#","phone":null,"title":"#, title)
                out.appendJSONMember(#","updated_at":"#, ApimoFormat.dateTime(facts.updated))
                if let userID {
                    out.appendJSONMember(#","user":"#, String(userID))
                } else {
                    out += #","user":null"#
                }
                out.appendJSONMember(#","zipcode":"#, city.zipcode)
                out += "}"
                return out
            }
        }

        static func leadFields(propertyID: Int?, userID: Int?, date: Date, using generator: inout SeededGenerator)
            -> [String: JSONValue]
        {
            let first = FakeData.firstName(using: &generator)
            let last = FakeData.lastName(using: &generator)
            let number = Int.random(in: 1...999_999, using: &generator)
            return [
                "parent": .null, "provider": .null,
                "type": .string(String(FakeData.pick(ApimoCatalogs.ids("lead_type"), using: &generator) ?? 1)),
                "step": .string(String(FakeData.pick(ApimoCatalogs.ids("lead_step"), using: &generator) ?? 1)),
                "date": .string(ApimoFormat.dateTime(date)), "reference": .null,
                "firstname": .string(first), "lastname": .string(last),
                "email": .string(FakeData.email(first: first, last: last, number: number, using: &generator)),
                "phone": .string(FakeData.phone(country: "FR", using: &generator)), "fax": .null, "mobile": .null,
                "language": "fr", "property": propertyID.map { .string(String($0)) } ?? .null,
                "contact": .null, "request": .null, "user": userID.map { .string(String($0)) } ?? .null,
                "opened": .null, "assigned": .null, "closed": .null,
                "message": "Bonjour, je souhaite plus d'informations sur ce bien.", "criteria": .null,
            ]
        }

        static func actionFields(contactID: Int?, property: Record?, date: Date, using generator: inout SeededGenerator)
            -> [String: JSONValue]
        {
            let subjects = ["Plus d'informations sur un bien", "Visite programmée", "Relance", "Offre reçue", "Estimation"]
            let start = ApimoFormat.time(date)
            let end = ApimoFormat.time(date.addingTimeInterval(Double(Int.random(in: 5...90, using: &generator) * 60)))
            var linked: JSONValue = .null
            if let property {
                linked = [
                    "id": .string(String(property.id)), "report": .null,
                    "price": property.fields["price"]?["value"] ?? .null, "currency": "EUR",
                    "rating": .null, "assessment": .null,
                ]
            }
            return [
                "type": .string(String(FakeData.pick(ApimoCatalogs.ids("action_type"), using: &generator) ?? 1)),
                "contact": contactID.map { .string(String($0)) } ?? .null,
                "date": .string(ApimoFormat.date(date)), "time_start": .string(start), "time_end": .string(end),
                "subject": .string(FakeData.pick(subjects, using: &generator) ?? "Relance"),
                "content": "Bonjour, …", "properties": linked, "referral": .null, "subreferral": .null,
            ]
        }
    }

    // MARK: - Control operations

    func control(_ request: ControlRequest) throws -> ControlResponse {
        let known = Resource.allCases.map(\.rawValue)
        let now = clock.now
        switch request {
        case .list(let name):
            guard let resource = Resource(rawValue: name) else { throw ControlError.unknownResource(name, known: known) }
            let records = Self.agencyIDs.flatMap { tables[resource]?[$0]?.records.all() ?? [] }.sorted { $0.id < $1.id }
            return ControlResponse(ids: records.map { String($0.id) }, records: records.map { render($0, as: resource) })
        case .mutate(let name, let count):
            guard let resource = Resource(rawValue: name) else { throw ControlError.unknownResource(name, known: known) }
            var ids: [String] = []
            for (agency, id) in choose(count, of: resource) {
                guard var record = tables[resource]?[agency]?.records.record(id) else { continue }
                mutate(&record, resource: resource)
                record.updatedAt = now
                tables[resource]?[agency]?.records.update(id, to: record)
                ids.append(String(id))
            }
            return ControlResponse(ids: ids)
        case .insert(let name, let count):
            guard let resource = Resource(rawValue: name) else { throw ControlError.unknownResource(name, known: known) }
            guard resource != .agencies else {
                throw ControlError(.unsupportedOperation, "agencies are fixed: their grants are part of the provider set-up")
            }
            var ids: [String] = []
            for _ in 0..<max(count, 0) {
                let agencyIndex = Int.random(in: 0..<Self.agencyIDs.count, using: &controlGenerator)
                let agency = Self.agencyIDs[agencyIndex]
                let id = takeID(resource)
                // Inserted records are new: created and modified now.
                let user =
                    resource == .actions
                    ? seeder.pickID(.users, agencyIndex: agencyIndex, using: &controlGenerator) : nil
                let record = seeder.make(
                    resource, id: id, agency: agency, agencyIndex: agencyIndex,
                    facts: Facts(created: now, updated: now, user: user), using: &controlGenerator)
                store(record, as: resource)
                ids.append(String(id))
            }
            return ControlResponse(ids: ids)
        case .delete(let name, let count):
            guard let resource = Resource(rawValue: name) else { throw ControlError.unknownResource(name, known: known) }
            guard resource != .agencies else {
                throw ControlError(.unsupportedOperation, "agencies are fixed: their grants are part of the provider set-up")
            }
            let chosen = choose(count, of: resource)
            for (agency, id) in chosen { tables[resource]?[agency]?.records.remove(id) }
            return ControlResponse(ids: chosen.map { String($0.id) })
        case .reset:
            let seeded = Self.seed(settings: settings, seeder: seeder)
            providers = seeded.providers
            tables = seeded.tables
            nextIDs = seeded.nextIDs
            quotas = [:]
            controlGenerator = SeededGenerator(seed: settings.seed, stream: "apimo/control")
            nextPictureID = Self.firstAddedPictureID
            return ControlResponse()
        case .custom:
            throw ControlError.unsupported(request)
        }
    }

    /// `count` distinct live records of `resource` (all of them when `count` reaches the total),
    /// as (agency, id), in agency then id order.
    private func choose(_ count: Int, of resource: Resource) -> [(agency: Int, id: Int)] {
        let collections = Self.agencyIDs.compactMap { agency in tables[resource]?[agency].map { (agency, $0.records) } }
        let total = collections.reduce(0) { $0 + $1.1.count }
        var positions: [Int]
        if count >= total {
            positions = Array(0..<total)
        } else if count > total / 2 {
            positions = Array(0..<total)
            positions.shuffle(using: &controlGenerator)
            positions = Array(positions.prefix(max(count, 0)))
        } else {
            var picked: Set<Int> = []
            while picked.count < max(count, 0) { picked.insert(Int.random(in: 0..<total, using: &controlGenerator)) }
            positions = Array(picked)
        }
        positions.sort()
        var chosen: [(agency: Int, id: Int)] = []
        var base = 0
        var index = 0
        for (agency, records) in collections {
            while index < positions.count, positions[index] - base < records.count {
                if let id = records.key(at: positions[index] - base) { chosen.append((agency, id)) }
                index += 1
            }
            base += records.count
        }
        return chosen
    }

    /// A visible change to a record, per resource.
    private func mutate(_ record: inout Record, resource: Resource) {
        switch resource {
        case .agencies:
            record.fields["phone"] = .string(FakeData.phone(country: "FR", using: &controlGenerator))
        case .users, .contacts:
            record.fields["mobile"] = .string(FakeData.phone(country: "FR", using: &controlGenerator))
        case .properties:
            let old = Int(record.fields["price"]?["value"]?.scalarText ?? "") ?? 100_000
            let new = max(1_000, old + (Int.random(in: 0...1, using: &controlGenerator) == 0 ? -1 : 1) * max(1_000, old / 20))
            record.fields["price"]?["value"] = .string(String(new))
        case .leads:
            let steps = ApimoCatalogs.ids("lead_step")
            let current = Int(record.fields["step"]?.scalarText ?? "") ?? 1
            let next = steps.first { $0 > current } ?? steps.first ?? 1
            record.fields["step"] = .string(String(next))
        case .actions:
            let subject = record.fields["subject"]?.strictString ?? "Relance"
            record.fields["subject"] = .string(subject.hasPrefix("[Modifié] ") ? subject : "[Modifié] " + subject)
        }
    }
}

/// Date rendering of the Apimo emulator: agency local time, Paris.
enum ApimoFormat {
    private static func parts(_ date: Date) -> DateComponents {
        ApimoQuota.parisCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    /// Whether the Paris calendar has the real zone, whose rule ``parisFields(_:)`` follows.
    private static let parisRule = ApimoQuota.parisCalendar.timeZone.identifier == "Europe/Paris"

    /// The Paris wall-clock date and time of `date` by arithmetic, with the EU summer time
    /// France keeps since 1996 (UTC+2 from the last Sunday of March to the last Sunday of
    /// October, 01:00 UTC both, else UTC+1); `nil` outside 1997-2099 or without the zone,
    /// left to the calendar, which it equals over that range.
    static func parisFields(_ date: Date) -> CivilTime? {
        let interval = date.timeIntervalSince1970
        guard parisRule, interval >= 852_076_800, interval < 4_102_444_800 else { return nil }
        let seconds = Int(interval.rounded(.down))
        let year = CivilTime(date).year
        let start = lastSunday(year: year, month: 3) * 86_400 + 3_600
        let end = lastSunday(year: year, month: 10) * 86_400 + 3_600
        let offset = seconds >= start && seconds < end ? 7_200 : 3_600
        return CivilTime(Date(timeIntervalSince1970: TimeInterval(seconds + offset)))
    }

    /// The day (since 1970-01-01) of the last Sunday of a 31-day month.
    private static func lastSunday(year: Int, month: Int) -> Int {
        let last = CivilTime.days(year: year, month: month, day: 31)
        return last - (last + 4) % 7
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    static func dateTime(_ date: Date) -> String {
        if let fields = parisFields(date) { return fields.dateTimeText }
        return "\(calendarDate(date)) \(calendarTime(date))"
    }

    /// `YYYY-MM-DD`.
    static func date(_ date: Date) -> String {
        guard let fields = parisFields(date) else { return calendarDate(date) }
        var out = ""
        fields.appendDate(to: &out)
        return out
    }

    /// `HH:MM:SS`.
    static func time(_ date: Date) -> String {
        guard let fields = parisFields(date) else { return calendarTime(date) }
        var out = ""
        fields.appendTime(to: &out)
        return out
    }

    /// ``date(_:)`` by the Paris calendar (any date).
    static func calendarDate(_ date: Date) -> String {
        let p = parts(date)
        return String(format: "%04d-%02d-%02d", p.year ?? 1970, p.month ?? 1, p.day ?? 1)
    }

    /// ``time(_:)`` by the Paris calendar (any date).
    static func calendarTime(_ date: Date) -> String {
        let p = parts(date)
        return String(format: "%02d:%02d:%02d", p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }
}
