import Foundation
import RealtyModel

/// The state of the Boston Logic emulator: tenants (one per site domain), API keys with their
/// per-resource permissions, and each tenant's records.
///
/// Authentication is the pair (API key, Host the request was sent to): a key is valid only on
/// its tenant's domains. The demo tenant answers on the loopback names the sandbox is reached at
/// (`127.0.0.1`, `localhost`, `[::1]`), so a client pointed at the emulator authenticates with
/// the host it naturally sends; a second tenant answers on `www.second-brokerage.test`, which a
/// client reaches by sending that `Host` header. Ports are ignored (the sandbox's port varies).
actor BostonLogicState {
    enum Permission: String, Sendable, CaseIterable {
        case read, write, delete
    }

    struct APIKey: Sendable {
        var key: String
        var tenant: String
        var permissions: [String: Set<Permission>]

        func allows(_ permission: Permission, on resource: String) -> Bool {
            permissions[resource]?.contains(permission) ?? false
        }
    }

    struct Record: Sendable {
        var id: Int
        var createdAt: Date
        var updatedAt: Date
        var fields: [String: JSONValue]
    }

    /// A tenant and its records: per resource, seeded records derived on demand from the seed
    /// and their id (see ``DerivedCollection``) plus the changes made since.
    struct Tenant: Sendable {
        var name: String
        var hosts: Set<String>
        var tables: [String: DerivedCollection<Record>] = [:]
        var nextIDs: [String: Int] = [:]
        /// Renderings of pristine seeded records (no includes), per resource.
        var renderings: [String: SeedTextCache] = [:]
        /// The rendering of a seeded record written from its seed (leads), per resource: the
        /// text its record renders to.
        var seededTexts: [String: @Sendable (Int) -> String] = [:]

        /// Every live record of a resource in id order, one at a time; stops when `body` is `false`.
        func forEach(_ resource: String, _ body: (Record) -> Bool) {
            tables[resource]?.forEach { _, record in body(record) }
        }

        /// The first live record of a resource satisfying `predicate` (a scan).
        func first(_ resource: String, where predicate: (Record) -> Bool) -> Record? {
            var found: Record?
            forEach(resource) { record in
                if predicate(record) { found = record }
                return found == nil
            }
            return found
        }

        /// Stores `record` over the live one with its id, or as a new one.
        mutating func store(_ record: Record, in resource: String) {
            if tables[resource] == nil { tables[resource] = BostonLogicState.emptyTable }
            if tables[resource]?.update(record.id, to: record) != true {
                tables[resource]?.insert(record.id, record)
            }
        }
    }

    static let emptyTable = DerivedCollection<Record>(count: 0) { id in
        Record(id: id, createdAt: .distantPast, updatedAt: .distantPast, fields: [:])
    }

    /// Why a request could not be authenticated.
    enum AuthFailure: Error, Equatable {
        case missingKey
        case invalidKey
    }

    static let demoTenant = "demo"
    static let secondTenant = "second"
    static let demoHosts: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
    static let secondHost = "www.second-brokerage.test"

    /// A seeded key, derived from the run seed.
    static func key(_ label: String, seed: UInt64) -> String {
        var generator = SeededGenerator(seed: seed, stream: "boston-logic/key/\(label)")
        return generator.hexToken(bytes: 20)
    }

    static func demoKey(seed: UInt64) -> String { key("demo", seed: seed) }
    /// A key of the demo tenant with Read permission only, on every resource.
    static func readOnlyKey(seed: UInt64) -> String { key("read-only", seed: seed) }
    /// The key of the second tenant (all permissions there).
    static func secondKey(seed: UInt64) -> String { key("second", seed: seed) }

    private let settings: EmulatorSettings
    private let clock: SandboxClock
    /// When the data was seeded; `reset` restores exactly that state, timestamps included.
    private let seededAt: Date
    private var keys: [String: APIKey] = [:]
    private var tenants: [String: Tenant] = [:]
    /// Lookup indexes over seeded values, by `"<tenant>/<resource>/<field>"`, built on first use.
    private var lookups: [String: SeededLookup] = [:]
    private var controlGenerator: SeededGenerator

    init(settings: EmulatorSettings, clock: SandboxClock) {
        self.settings = settings
        self.clock = clock
        self.controlGenerator = SeededGenerator(seed: settings.seed, stream: "boston-logic/control")
        let start = clock.now
        self.seededAt = start
        (self.keys, self.tenants) = Self.seed(settings: settings, now: start)
    }

    // MARK: - Authentication

    /// The host part of a `Host` header, lower-cased, without port or trailing dot.
    static func normalizedHost(_ host: String) -> String {
        var text = host.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = String(text[...close])
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            text = String(text[..<colon])
        } else if text.contains(":") {
            // A bare IPv6 literal.
            text = "[\(text)]"
        }
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    func authenticate(key: String?, host: String?) -> Result<APIKey, AuthFailure> {
        guard let key, !key.isEmpty else { return .failure(.missingKey) }
        guard let stored = keys[key], let tenant = tenants[stored.tenant], let host,
            tenant.hosts.contains(Self.normalizedHost(host))
        else { return .failure(.invalidKey) }
        return .success(stored)
    }

    // MARK: - Reading

    /// What an index request asks for.
    struct ListQuery: Sendable {
        var filters: [String: String] = [:]
        /// `true` active only, `false` inactive only, `nil` all.
        var active: Bool?
        var includes: Set<String> = []
    }

    /// The records of an index request, in id order; `indexed` false scans every record even
    /// for a lookup the index answers (for tests).
    func list(_ resource: BostonLogicResource, tenant: String, query: ListQuery, indexed: Bool = true) -> [JSONValue] {
        var out: [JSONValue] = []
        func visit(_ record: Record) -> Bool {
            if let active = query.active, (record.fields["active"]?.strictBool ?? true) != active { return true }
            for (field, wanted) in query.filters {
                guard let value = record.fields[field]?.scalarText, value.lowercased() == wanted.lowercased() else {
                    return true
                }
            }
            out.append(render(record, resource, includes: query.includes))
            return true
        }
        if indexed, let (records, keys) = lookupCandidates(resource, tenant: tenant, query: query) {
            // An `email=` lookup: only the records the index names can match.
            for key in keys {
                if let record = records.record(key) { _ = visit(record) }
            }
        } else {
            tenants[tenant]?.forEach(resource.name, visit)
        }
        return out
    }

    /// The fields whose `=` filter a lookup index answers (the connector's lookup before a create).
    static let lookupFields = ["email"]

    /// The records of `resource` and the keys an index request's filter on a
    /// ``lookupFields`` field can match (a superset, ascending), from the lookup index of that
    /// field, built on first use by deriving every seeded record once; `nil` when no such filter
    /// is asked.
    private func lookupCandidates(
        _ resource: BostonLogicResource, tenant: String, query: ListQuery
    ) -> (records: DerivedCollection<Record>, keys: [Int])? {
        guard let field = Self.lookupFields.first(where: { query.filters[$0] != nil }), let wanted = query.filters[field],
            let records = tenants[tenant]?.tables[resource.name]
        else { return nil }
        let name = "\(tenant)/\(resource.name)/\(field)"
        let lookup = SeededLookup.cached(in: &lookups[name], firstKey: records.firstKey, count: records.seededCount) { key, hashes in
            if let value = records.original(key)?.fields[field]?.scalarText {
                hashes.append(SeededLookup.hash(field, value.lowercased()))
            }
            return true
        }
        return (records, records.candidateKeys(seeded: lookup.seededCandidates([SeededLookup.hash(field, wanted.lowercased())])))
    }

    /// The JSON texts of every record of an unfiltered index request without includes (what
    /// ``list(_:tenant:query:)`` renders), pristine seeded records rendered once and kept;
    /// `nil` for any other request.
    func listTexts(_ resource: BostonLogicResource, tenant: String, query: ListQuery) -> [String]? {
        guard query.filters.isEmpty, query.active == nil, query.includes.isEmpty else { return nil }
        guard let records = tenants[tenant]?.tables[resource.name] else { return [] }
        let cache = tenants[tenant]?.renderings[resource.name]
        let seededText = tenants[tenant]?.seededTexts[resource.name]
        var texts: [String] = []
        texts.reserveCapacity(records.count)
        records.forEachKey { key, stored in
            if let stored {
                texts.append(render(stored, resource).jsonText)
            } else if let cache {
                texts.append(
                    cache.text(key) { seededText?(key) ?? records.record(key).map { render($0, resource).jsonText } ?? "null" })
            } else if let record = records.record(key) {
                texts.append(render(record, resource).jsonText)
            }
            return true
        }
        return texts
    }

    func get(_ resource: BostonLogicResource, tenant: String, id: Int, includes: Set<String> = []) -> JSONValue? {
        tenants[tenant]?.tables[resource.name]?.record(id).map { render($0, resource, includes: includes) }
    }

    /// A time as the API writes it, `date.formatted(.iso8601)` (`YYYY-MM-DDTHH:MM:SSZ`):
    /// by arithmetic (``CivilTime``) for years 1970-9999, which equals the formatter there.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 253_402_300_800 else { return date.formatted(.iso8601) }
        let time = CivilTime(date)
        var out = ""
        out.reserveCapacity(20)
        time.appendDate(to: &out)
        out += "T"
        time.appendTime(to: &out)
        out += "Z"
        return out
    }

    func render(_ record: Record, _ resource: BostonLogicResource, includes: Set<String> = []) -> JSONValue {
        var fields = record.fields
        for (include, field) in resource.includes where !includes.contains(include) {
            fields[field] = nil
        }
        fields["id"] = .int(record.id)
        fields["created_at"] = .string(Self.timestamp(record.createdAt))
        fields["updated_at"] = .string(Self.timestamp(record.updatedAt))
        fields["path"] = .string("/api/v2/\(resource.name)/\(record.id)")
        return .object(fields)
    }

    // MARK: - Writing

    enum WriteFailure: Error, Equatable {
        case notFound
        case invalid([String])
    }

    /// Creates (`id == nil`) or updates a record from a request body; returns it rendered.
    func write(_ resource: BostonLogicResource, tenant tenantName: String, id: Int?, body: [String: JSONValue])
        throws(WriteFailure) -> JSONValue
    {
        // The tenant is taken out of the dictionary while it changes, so its tables are uniquely
        // held and a write changes them in place (a copy held there made every write copy the
        // whole table: measured, the emulator slowed as leads accumulated).
        guard var tenant = tenants.removeValue(forKey: tenantName) else { throw .notFound }
        defer { tenants[tenantName] = tenant }
        var current: Record?
        if let id {
            guard let found = tenant.tables[resource.name]?.record(id) else { throw .notFound }
            current = found
        }
        let existing = current?.fields
        var changes: [String: JSONValue]
        switch resource.validate(body, creating: id == nil, existing: existing) {
        case .failure(let invalid): throw .invalid(invalid.errors)
        case .success(let valid): changes = valid
        }
        var errors: [String] = []
        if resource.name == BostonLogicResource.leads.name {
            // `agent_email` is accepted as a fallback for `agent_id` (2019 change log).
            if changes["agent_id"] == nil, let email = body["agent_email"]?.strictString, !email.isEmpty {
                if let agent = tenant.first(
                    "agents",
                    where: {
                        $0.fields["email"]?.strictString?.lowercased() == email.lowercased()
                    })
                {
                    changes["agent_id"] = .int(agent.id)
                } else {
                    errors.append("Agent email does not match an agent")
                }
            }
        }
        // References must name records of the same tenant.
        for (field, kind) in resource.fields {
            guard case .reference(let target) = kind, let value = changes[field]?.strictInt else { continue }
            if !(tenant.tables[target]?.contains(value) ?? false) {
                errors.append("\(BostonLogicResource.sentenceCase(field.replacingOccurrences(of: "_", with: " "))) does not exist")
            }
        }
        for field in resource.unique {
            guard let value = changes[field]?.strictString?.lowercased() else { continue }
            let clash = tenant.first(resource.name) { record in
                record.id != id && record.fields[field]?.strictString?.lowercased() == value
            }
            if clash != nil {
                errors.append("\(resource.title) \(field.replacingOccurrences(of: "_", with: " ")) must be unique")
            }
        }
        guard errors.isEmpty else { throw .invalid(errors) }

        let now = clock.now
        var fields = existing ?? Self.defaults(for: resource)
        fields.merge(changes) { _, new in new }
        if resource.name == BostonLogicResource.leads.name {
            Self.assignOwner(&fields)
        }
        let record: Record
        if var updated = current {
            updated.fields = fields
            updated.updatedAt = now
            record = updated
        } else {
            let newID = tenant.nextIDs[resource.name] ?? 1
            tenant.nextIDs[resource.name] = newID + 1
            record = Record(id: newID, createdAt: now, updatedAt: now, fields: fields)
        }
        tenant.store(record, in: resource.name)
        return render(record, resource, includes: Set(resource.includes.keys))
    }

    /// Deletes a record; returns it as it was.
    func delete(_ resource: BostonLogicResource, tenant tenantName: String, id: Int) throws(WriteFailure) -> JSONValue {
        guard tenants[tenantName]?.tables[resource.name]?.contains(id) == true, var tenant = tenants.removeValue(forKey: tenantName) else {
            throw .notFound
        }
        defer { tenants[tenantName] = tenant }
        if resource.name == BostonLogicResource.offices.name {
            // Reading: an office with people is kept, as Rails' `restrict_with_error` would.
            for dependent in ["agents", "employees"]
            where tenant.first(dependent, where: { $0.fields["office_id"]?.strictInt == id }) != nil {
                throw .invalid(["Cannot delete record because dependent \(dependent) exist"])
            }
        }
        guard let removed = tenant.tables[resource.name]?.remove(id) else { throw .notFound }
        if resource.name == BostonLogicResource.agents.name {
            // Leads of a deleted agent lose their agent (`dependent: :nullify`).
            var orphans: [Record] = []
            tenant.forEach("leads") { lead in
                if lead.fields["agent_id"]?.strictInt == id { orphans.append(lead) }
                return true
            }
            for var lead in orphans {
                lead.fields["agent_id"] = .null
                Self.assignOwner(&lead.fields)
                tenant.store(lead, in: "leads")
            }
        }
        return render(removed, resource, includes: Set(resource.includes.keys))
    }

    /// Every writable field present (as `null` when unset), plus resource defaults.
    private static func defaults(for resource: BostonLogicResource) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for key in resource.fields.keys { fields[key] = .null }
        switch resource.name {
        case "offices", "agents", "employees", "teams": fields["active"] = true
        case "leads":
            fields["status"] = "new"
            fields["owner_id"] = .null
            fields["owner_type"] = .null
        default: break
        }
        if resource.name == "agents" { fields["accreditations"] = [] }
        return fields
    }

    /// A lead is owned by its agent, or else by its team.
    private static func assignOwner(_ fields: inout [String: JSONValue]) {
        if let agent = fields["agent_id"]?.strictInt {
            fields["owner_id"] = .int(agent)
            fields["owner_type"] = "Agent"
        } else if let team = fields["team_id"]?.strictInt {
            fields["owner_id"] = .int(team)
            fields["owner_type"] = "Team"
        } else {
            fields["owner_id"] = .null
            fields["owner_type"] = .null
        }
    }

    // MARK: - Seeding

    private static func seed(settings: EmulatorSettings, now: Date) -> ([String: APIKey], [String: Tenant]) {
        let names = BostonLogicResource.all.map(\.name)
        let everything = Dictionary(uniqueKeysWithValues: names.map { ($0, Set(Permission.allCases)) })
        let readOnly = Dictionary(uniqueKeysWithValues: names.map { ($0, Set([Permission.read])) })
        let keyList = [
            APIKey(key: demoKey(seed: settings.seed), tenant: demoTenant, permissions: everything),
            APIKey(key: readOnlyKey(seed: settings.seed), tenant: demoTenant, permissions: readOnly),
            APIKey(key: secondKey(seed: settings.seed), tenant: secondTenant, permissions: everything),
        ]
        var tenants: [String: Tenant] = [:]
        let count = max(settings.records, 0)
        let seed = settings.seed
        for (name, hosts) in [(demoTenant, demoHosts), (secondTenant, Set([secondHost]))] {
            var tenant = Tenant(name: name, hosts: hosts)
            for resource in BostonLogicResource.all {
                let resourceName = resource.name
                tenant.tables[resourceName] = DerivedCollection(firstKey: 1, count: count) { id in
                    var generator = SeededGenerator(seed: seed, stream: "boston-logic/\(name)/\(resourceName)", index: id)
                    return makeRecord(
                        resourceName, id: id, tenant: name, now: now, fresh: false, using: &generator,
                        pick: { _, generator in count > 0 ? Int.random(in: 1...count, using: &generator) : nil })
                }
                tenant.nextIDs[resourceName] = count + 1
                tenant.renderings[resourceName] = SeedTextCache()
                if resourceName == BostonLogicResource.leads.name {
                    tenant.seededTexts[resourceName] = { id in
                        seededLeadText(id: id, tenant: name, now: now, count: count, seed: seed)
                    }
                }
            }
            tenants[name] = tenant
        }
        return (Dictionary(uniqueKeysWithValues: keyList.map { ($0.key, $0) }), tenants)
    }

    /// Appends one seeded-style record created now, related to live records; returns its id.
    @discardableResult
    private static func insertFresh(
        _ resource: String, into tenant: inout Tenant, now: Date, using generator: inout SeededGenerator
    ) -> Int {
        let id = tenant.nextIDs[resource] ?? 1
        tenant.nextIDs[resource] = id + 1
        let snapshot = tenant
        let record = makeRecord(
            resource, id: id, tenant: tenant.name, now: now, fresh: true, using: &generator,
            pick: { name, generator in
                guard let table = snapshot.tables[name], table.count > 0 else { return nil }
                return table.key(at: Int.random(in: 0..<table.count, using: &generator))
            })
        tenant.store(record, in: resource)
        return id
    }

    /// A seeded-style record of `resource`: created and modified `now` when `fresh`, else at
    /// times drawn within the two years before `now`. `pick` chooses the id of a related record.
    private static func makeRecord(
        _ resource: String, id: Int, tenant tenantName: String, now: Date, fresh: Bool,
        using generator: inout SeededGenerator, pick: (String, inout SeededGenerator) -> Int?
    ) -> Record {
        let (created, updated, city, first, last) = commonDraws(now: now, fresh: fresh, using: &generator)
        let fields: [String: JSONValue]
        switch resource {
        case "offices":
            let name =
                "\(city.city) \(FakeData.pick(["Downtown", "Harbor", "Back Bay", "North", "South End", "Waterfront"], using: &generator) ?? "Central") Office \(id)"
            fields = [
                "name": .string(name), "email": .string("office\(id)@\(tenantName)-brokerage.example.com"),
                "phone": .string(FakeData.phone(country: "US", using: &generator)), "fax": .null,
                "address": .string(FakeData.streetAddress(using: &generator)), "city": .string(city.city),
                "state": .string(city.region), "zip": .string(String(format: "%05d", Int.random(in: 1_000...2_999, using: &generator))),
                "country": "US", "active": .bool(Int.random(in: 0..<8, using: &generator) > 0),
                "office_mls_ids": [.string(String(Int.random(in: 10_000...99_999, using: &generator)))],
            ]
        case "agents", "employees":
            var agent: [String: JSONValue] = [
                "first_name": .string(first), "last_name": .string(last),
                "email": .string(FakeData.email(first: first, last: last, number: id, using: &generator)),
                "phone": .string(FakeData.phone(country: "US", using: &generator)),
                "office_id": pick("offices", &generator).map(JSONValue.int) ?? .null,
                "active": .bool(Int.random(in: 0..<10, using: &generator) > 0),
                "user_id": .string(String(1_000 + id)), "propertybase_user_id": .string(String(format: "005%012d", id)),
            ]
            if resource == "agents" {
                agent["mobile_phone"] = .string(FakeData.phone(country: "US", using: &generator))
                agent["title"] = .string(
                    FakeData.pick(["Sales Associate", "Broker", "Team Lead", "Buyer's Agent"], using: &generator) ?? "Broker")
                agent["accreditations"] = .array(
                    ["ABR", "CRS", "GRI", "SRES"].filter { _ in Int.random(in: 0...2, using: &generator) == 0 }.map(JSONValue.string))
                agent["agent_mls_ids"] = [.string("CN\(Int.random(in: 200_000...299_999, using: &generator))")]
                agent["bio"] = .null
            } else {
                agent["title"] = .string(
                    FakeData.pick(["Office Manager", "Marketing Coordinator", "Transaction Coordinator"], using: &generator)
                        ?? "Office Manager")
            }
            fields = agent
        case "teams":
            var members: [JSONValue] = []
            for _ in 0..<Int.random(in: 2...4, using: &generator) {
                if let member = pick("agents", &generator), !members.contains(.int(member)) { members.append(.int(member)) }
            }
            fields = [
                "name": .string("The \(last) Team"), "email": .string("team\(id)@\(tenantName)-brokerage.example.com"),
                "phone": .string(FakeData.phone(country: "US", using: &generator)),
                "team_office_id": pick("offices", &generator).map(JSONValue.int) ?? .null,
                "leader_id": members.first ?? .null, "agent_ids": .array(members),
                "active": .bool(Int.random(in: 0..<10, using: &generator) > 0),
                "user_id": .string(String(5_000 + id)), "propertybase_user_id": .null,
            ]
        case "leads":
            fields = LeadDraws(id: id, first: first, last: last, city: city, using: &generator, pick: pick).fields
        case "property_views", "property_notes":
            let address = "\(FakeData.streetAddress(using: &generator)), \(city.city), \(city.region)"
            var item: [String: JSONValue] = [
                "lead_id": pick("leads", &generator).map(JSONValue.int) ?? .null,
                "mls_id": .string(String(Int.random(in: 72_000_000...73_999_999, using: &generator))),
                "mls_name": "MLS PIN", "address": .string(address),
            ]
            if resource == "property_views" {
                item["price"] = .int(FakeData.price(in: 300_000...4_000_000, using: &generator))
                item["viewed_at"] = .string(updated.formatted(.iso8601))
            } else {
                item["note"] = .string(
                    FakeData.pick(
                        ["Loves the kitchen.", "Too far from the T.", "Wants a second showing.", "Price too high."], using: &generator)
                        ?? "Follow up.")
            }
            fields = item
        default:
            fields = [:]
        }
        return Record(id: id, createdAt: created, updatedAt: updated, fields: fields)
    }

    /// The draws every record makes first: its times (unless `fresh`: now), a US city, names.
    private static func commonDraws(now: Date, fresh: Bool, using generator: inout SeededGenerator) -> (
        created: Date, updated: Date, city: (city: String, region: String, country: String), first: String, last: String
    ) {
        var created = now
        var updated = now
        if !fresh {
            created = now.addingTimeInterval(-Double(Int.random(in: 86_400...63_072_000, using: &generator)))
            updated = created.addingTimeInterval(Double(Int.random(in: 0...Int(now.timeIntervalSince(created)), using: &generator)))
        }
        let us = FakeData.cities.filter { $0.country == "US" }
        let city = FakeData.pick(us, using: &generator) ?? (city: "Boston", region: "MA", country: "US")
        return (created, updated, city, FakeData.firstName(using: &generator), FakeData.lastName(using: &generator))
    }

    /// Seeded lead `id` of a tenant as the index renders it (``render(_:_:includes:)`` of its
    /// record: sorted keys, compact), written from its draws without a record or a tree.
    static func seededLeadText(id: Int, tenant: String, now: Date, count: Int, seed: UInt64) -> String {
        var generator = SeededGenerator(seed: seed, stream: "boston-logic/\(tenant)/leads", index: id)
        let (created, updated, city, first, last) = commonDraws(now: now, fresh: false, using: &generator)
        let lead = LeadDraws(
            id: id, first: first, last: last, city: city, using: &generator,
            pick: { _, generator in count > 0 ? Int.random(in: 1...count, using: &generator) : nil })
        return lead.text(id: id, created: created, updated: updated)
    }

    /// What a lead draws after ``commonDraws(now:fresh:using:)``, in order; its fields
    /// (``fields``) or its rendering (``text(id:created:updated:)``) follow from them.
    private struct LeadDraws {
        var first: String
        var last: String
        var city: (city: String, region: String, country: String)
        var agent: Int?
        var team: Int?
        var email: String
        var phone: String
        var phoneType: String
        var leadType: String
        var status: String
        var source: String

        init(
            id: Int, first: String, last: String, city: (city: String, region: String, country: String),
            using generator: inout SeededGenerator, pick: (String, inout SeededGenerator) -> Int?
        ) {
            self.first = first
            self.last = last
            self.city = city
            agent = Int.random(in: 0..<4, using: &generator) == 0 ? nil : pick("agents", &generator)
            team = agent == nil ? pick("teams", &generator) : nil
            email = FakeData.email(first: first, last: last, number: id, using: &generator)
            phone = FakeData.phone(country: "US", using: &generator)
            phoneType = FakeData.pick(BostonLogicResource.phoneTypes, using: &generator) ?? "mobile"
            leadType = FakeData.pick(BostonLogicResource.leadTypes, using: &generator) ?? "buyer"
            status = FakeData.pick(BostonLogicResource.leadStatuses, using: &generator) ?? "new"
            source = FakeData.pick(BostonLogicResource.leadSources, using: &generator) ?? "website"
        }

        var fields: [String: JSONValue] {
            var lead: [String: JSONValue] = [
                "first_name": .string(first), "last_name": .string(last), "email": .string(email), "phone": .string(phone),
                "phone_type": .string(phoneType), "lead_type": .string(leadType), "status": .string(status),
                "source": .string(source), "referral_source_domain": .null,
                "agent_id": agent.map(JSONValue.int) ?? .null, "team_id": team.map(JSONValue.int) ?? .null,
                "message": .null, "utm_source": .null, "utm_medium": .null, "utm_campaign": .null,
                "utm_content": .null, "utm_term": .null, "address": .null, "city": .string(city.city),
                "state": .string(city.region), "zip": .null,
            ]
            assignOwner(&lead)
            return lead
        }

        func text(id: Int, created: Date, updated: Date) -> String {
            var out = ""
            out.reserveCapacity(560)
            func number(_ key: StaticString, _ value: Int?) {
                out += key.description
                out += value.map { String($0) } ?? "null"
            }
            number(#"{"address":null,"agent_id":"#, agent)
            out.appendJSONMember(#","city":"#, city.city)
            out.appendJSONMember(#","created_at":"#, BostonLogicState.timestamp(created))
            out.appendJSONMember(#","email":"#, email)
            out.appendJSONMember(#","first_name":"#, first)
            number(#","id":"#, id)
            out.appendJSONMember(#","last_name":"#, last)
            out.appendJSONMember(#","lead_type":"#, leadType)
            number(#","message":null,"owner_id":"#, agent ?? team)
            out += agent != nil ? #","owner_type":"Agent""# : team != nil ? #","owner_type":"Team""# : #","owner_type":null"#
            out.appendJSONMember(#","path":"#, "/api/v2/leads/\(id)")
            out.appendJSONMember(#","phone":"#, phone)
            out.appendJSONMember(#","phone_type":"#, phoneType)
            out.appendJSONMember(#","referral_source_domain":null,"source":"#, source)
            out.appendJSONMember(#","state":"#, city.region)
            out.appendJSONMember(#","status":"#, status)
            number(#","team_id":"#, team)
            out.appendJSONMember(#","updated_at":"#, BostonLogicState.timestamp(updated))
            out += #","utm_campaign":null,"utm_content":null,"utm_medium":null,"utm_source":null,"utm_term":null,"zip":null}"#
            return out
        }
    }

    // MARK: - Control operations (on the demo tenant)

    func control(_ request: ControlRequest) throws -> ControlResponse {
        let known = BostonLogicResource.all.map(\.name)
        let now = clock.now
        func resource(_ name: String) throws -> BostonLogicResource {
            guard let resource = BostonLogicResource.named(name) else { throw ControlError.unknownResource(name, known: known) }
            return resource
        }
        guard var tenant = tenants[Self.demoTenant] else { return ControlResponse() }
        switch request {
        case .list(let name):
            let resource = try resource(name)
            let records = tenant.tables[resource.name]?.all() ?? []
            return ControlResponse(
                ids: records.map { String($0.id) },
                records: records.map { render($0, resource, includes: Set(resource.includes.keys)) })
        case .mutate(let name, let count):
            let resource = try resource(name)
            var ids: [String] = []
            let chosen = tenant.tables[resource.name]?.pickKeys(count, using: &controlGenerator) ?? []
            for id in chosen {
                guard var record = tenant.tables[resource.name]?.record(id) else { continue }
                mutate(&record.fields, resource: resource.name)
                record.updatedAt = now
                tenant.store(record, in: resource.name)
                ids.append(String(id))
            }
            tenants[Self.demoTenant] = tenant
            return ControlResponse(ids: ids)
        case .insert(let name, let count):
            let resource = try resource(name)
            var ids: [String] = []
            for _ in 0..<count {
                ids.append(String(Self.insertFresh(resource.name, into: &tenant, now: now, using: &controlGenerator)))
            }
            tenants[Self.demoTenant] = tenant
            return ControlResponse(ids: ids)
        case .delete(let name, let count):
            let resource = try resource(name)
            let chosen = tenant.tables[resource.name]?.pickKeys(count, using: &controlGenerator) ?? []
            for id in chosen { tenant.tables[resource.name]?.remove(id) }
            tenants[Self.demoTenant] = tenant
            return ControlResponse(ids: chosen.map(String.init))
        case .reset:
            (keys, tenants) = Self.seed(settings: settings, now: seededAt)
            lookups = [:]
            controlGenerator = SeededGenerator(seed: settings.seed, stream: "boston-logic/control")
            return ControlResponse()
        case .custom:
            throw ControlError.unsupported(request)
        }
    }

    private func mutate(_ fields: inout [String: JSONValue], resource: String) {
        switch resource {
        case "offices", "teams":
            fields["phone"] = .string(FakeData.phone(country: "US", using: &controlGenerator))
        case "agents":
            fields["mobile_phone"] = .string(FakeData.phone(country: "US", using: &controlGenerator))
        case "employees":
            fields["phone"] = .string(FakeData.phone(country: "US", using: &controlGenerator))
        case "leads":
            let statuses = BostonLogicResource.leadStatuses
            let current = statuses.firstIndex(of: fields["status"]?.strictString ?? "") ?? -1
            fields["status"] = .string(statuses[(current + 1) % statuses.count])
        case "property_views":
            let price = fields["price"]?.strictInt ?? 500_000
            fields["price"] = .int(price - max(1_000, price / 50) / 1_000 * 1_000)
        default:
            let note = fields["note"]?.strictString ?? ""
            fields["note"] = .string(note.hasSuffix(" (updated)") ? note : note + " (updated)")
        }
    }
}
