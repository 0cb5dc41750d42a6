import Foundation
import RealtyModel

/// The mutable state of the PF Expert emulator: records per resource, issued tokens, denied
/// rights. A value type kept behind the emulator's mutex; every method runs under that lock.
///
/// Seeded records are derived from the seed and their id when read (see ``DerivedCollection``);
/// only created, changed and deleted records are stored.
struct PFExpertState {
    var tables: [PFResource: DerivedCollection<JSONValue>] = [:]
    var nextID: [PFResource: Int] = [:]
    /// Issued access tokens and their expiry.
    var tokens: [String: Date] = [:]
    /// Rights withdrawn through the control API, as `"<resource>:read"` / `"<resource>:write"`.
    var denied: Set<String> = []
    /// Die for control operations and token material.
    var rng: SeededGenerator
    var seed: PFExpertSeed
    /// Seeded records per resource (ids `1...records`).
    let records: Int
    var tokenCounter = 0
    /// Renderings of pristine seeded records (no expansion, no projection), per resource.
    let renderings: [PFResource: SeedTextCache] = Dictionary(
        uniqueKeysWithValues: PFResource.allCases.map { ($0, SeedTextCache()) })
    /// Indexes over the seeded records' times, by `"<resource>/<field>"`, built on first use.
    var indexes: [String: SeededIndex<Int>] = [:]
    /// Lookup indexes over seeded values (`filters[email]`), by `"<resource>/<field>"`, built on first use.
    var lookups: [String: SeededLookup] = [:]
    /// Seeded records grouped by searched fields (`filters[string]`), built on first use.
    var groupings: [String: SeededGroups<[JSONValue?]>] = [:]
    let seedValue: UInt64

    /// The seeded state: `records` records per resource, linked to each other.
    init(records: Int, seed: UInt64) {
        let count = max(0, records)
        self.records = count
        self.rng = SeededGenerator(seed: seed, stream: "pf-expert/control")
        self.seed = PFExpertSeed(seed: seed)
        self.seedValue = seed
        for resource in PFResource.allCases {
            tables[resource] = DerivedCollection(firstKey: 1, count: count) { id in
                PFExpertSeed.derive(resource, id: id, records: count, seed: seed)
            }
            nextID[resource] = count + 1
        }
    }

    /// The JSON text of pristine seeded record `id` of `resource` written from its seed, without
    /// a tree (users, the list a full pass reads); `nil` where the record's tree renders it.
    func seededText(_ resource: PFResource, id: Int) -> String? {
        resource == .users ? PFExpertSeed.userText(id: id, seed: seedValue) : nil
    }

    /// The records of a resource in id order (materialised: for control reads).
    func records(_ resource: PFResource) -> [JSONValue] {
        tables[resource]?.all() ?? []
    }

    /// Visits the records of a resource in id order, one at a time; stops when `body` is `false`.
    func forEach(_ resource: PFResource, _ body: (JSONValue) -> Bool) {
        tables[resource]?.forEach { _, record in body(record) }
    }

    func record(_ resource: PFResource, id: Int) -> JSONValue? {
        tables[resource]?.record(id)
    }

    /// Stores `value` as record `id`: a change of an existing record or a new one.
    mutating func store(_ resource: PFResource, id: Int, _ value: JSONValue) {
        if tables[resource]?.update(id, to: value) != true {
            tables[resource]?.insert(id, value)
        }
    }

    /// Deletes record `id`; returns it, `nil` when there was none.
    mutating func remove(_ resource: PFResource, id: Int) -> JSONValue? {
        tables[resource]?.remove(id)
    }

    mutating func takeID(_ resource: PFResource) -> Int {
        let id = nextID[resource] ?? 1
        nextID[resource] = id + 1
        return id
    }

    /// A fresh record of a resource in the seeded style, stamped `now`.
    mutating func generate(_ resource: PFResource, id: Int, now: Date) -> JSONValue {
        let stamp = PFExpertTime.format(now)
        return seed.make(resource, id: id, records: records, stamps: (created: stamp, updated: stamp))
    }

    /// Picks up to `count` distinct existing ids of a resource, deterministically.
    mutating func pickIDs(_ resource: PFResource, count: Int) -> [Int] {
        tables[resource]?.pickKeys(count, using: &rng) ?? []
    }

    /// Changes one business field of a record (as a user of the CRM would) and stamps it.
    mutating func mutate(_ resource: PFResource, id: Int, now: Date) {
        guard var record = tables[resource]?.record(id) else { return }
        switch resource {
        case .users:
            record["mobile"] = .string(FakeData.phone(country: "AE", using: &rng))
        case .properties:
            let value = record["price"]?["value"]?.strictInt ?? 1_000_000
            record["price"]?["value"] = .int(value + 1000 * Int.random(in: 1...50, using: &rng))
            // The agent also takes the last photo down.
            if var images = record["images"]?.arrayValue, !images.isEmpty {
                images.removeLast()
                record["images"] = .array(images)
            }
        case .leads:
            let statuses = PFResource.leadStatuses.filter { $0 != record["status"]?.strictString }
            record["status"] = .string(FakeData.pick(statuses, using: &rng) ?? "contacted")
        case .locations:
            record["tower"] = .string("Tower \(Int.random(in: 41...80, using: &rng))")
        case .whatsappLeads:
            record["status"] = .string(record["status"]?.strictString == "replied" ? "read" : "replied")
        case .calltrackings:
            record["duration"] = .int((record["duration"]?.strictInt ?? 0) + Int.random(in: 1...60, using: &rng))
        }
        record["updated_at"] = .string(PFExpertTime.format(now))
        tables[resource]?.update(id, to: record)
    }

    /// Issues a token valid until `expiry`. The token looks like a JWT (three base64url parts);
    /// clients must treat it as opaque.
    mutating func issueToken(apiKey: String, now: Date, expiry: Date) -> String {
        tokenCounter += 1
        let header = ByteEncoding.base64URL(Data(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        let payload = ByteEncoding.base64URL(
            Data(
                #"{"sub":"\#(apiKey)","scope":"openid","iat":\#(Int(now.timeIntervalSince1970)),"exp":\#(Int(expiry.timeIntervalSince1970)),"jti":"\#(tokenCounter)"}"#
                    .utf8
            ))
        let signature = (0..<4).map { _ in String(rng.next(), radix: 16) }.joined()
        let token = "\(header).\(payload).\(signature)"
        tokens[token] = expiry
        return token
    }

    /// Forgets every issued token (revoked before expiry); returns how many were live.
    mutating func revokeAllTokens() -> Int {
        defer { tokens.removeAll() }
        return tokens.count
    }
}

extension PFExpertState {
    /// Whether a record of `resource` satisfies `predicate` (a scan, one record at a time).
    func contains(_ resource: PFResource, where predicate: (JSONValue) -> Bool) -> Bool {
        var found = false
        forEach(resource) { record in
            found = predicate(record)
            return !found
        }
        return found
    }
}

extension PFExpertState {
    /// The seeded time fields an index serves: `created_at`, `updated_at`, and a call's
    /// `call_time` (its creation time).
    static func indexedTimeField(_ resource: PFResource, _ field: String) -> Bool {
        field == "created_at" || field == "updated_at" || (resource == .calltrackings && field == "call_time")
    }

    /// The index of a seeded time field (see ``indexedTimeField(_:_:)``), built on first use.
    mutating func timeIndex(_ resource: PFResource, _ field: String) -> SeededIndex<Int>? {
        guard Self.indexedTimeField(resource, field), let table = tables[resource] else { return nil }
        let name = "\(resource.path)/\(field)"
        if let index = indexes[name] { return index }
        let seed = seedValue
        let updated = field == "updated_at"
        let index = SeededIndex(firstKey: table.firstKey, count: table.seededCount) { id in
            let stamps = PFExpertSeed.stampSeconds(resource, id: id, seed: seed)
            return updated ? stamps.updated : stamps.created
        }
        indexes[name] = index
        return index
    }
}
