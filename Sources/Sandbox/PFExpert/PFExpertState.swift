import Foundation

/// The mutable state of the PF Expert emulator: records per resource, issued tokens, denied
/// rights. A value type kept behind the emulator's mutex; every method runs under that lock.
struct PFExpertState {
    var tables: [PFResource: [Int: JSONValue]] = [:]
    var nextID: [PFResource: Int] = [:]
    /// Issued access tokens and their expiry.
    var tokens: [String: Date] = [:]
    /// Rights withdrawn through the control API, as `"<resource>:read"` / `"<resource>:write"`.
    var denied: Set<String> = []
    /// Die for control operations and token material.
    var rng: SeededGenerator
    var seed: PFExpertSeed
    var tokenCounter = 0

    /// The seeded state: `records` records per resource, linked to each other.
    init(records: Int, seed: UInt64) {
        let count = max(0, records)
        self.rng = SeededGenerator(seed: seed, stream: "pf-expert/control")
        var generator = PFExpertSeed(seed: seed)
        for resource in PFResource.allCases {
            tables[resource] = [:]
            nextID[resource] = 1
        }
        let ids = Array(1...max(1, count)).prefix(count)
        for id in ids { tables[.users, default: [:]][id] = generator.user(id: id, stamps: generator.timestamps()) }
        for id in ids { tables[.locations, default: [:]][id] = generator.location(id: id, stamps: generator.timestamps()) }
        let userIDs = Array(ids)
        let locationIDs = Array(ids)
        for id in ids {
            tables[.properties, default: [:]][id] = generator.property(
                id: id, userIDs: userIDs, locationIDs: locationIDs, stamps: generator.timestamps())
        }
        for id in ids { tables[.leads, default: [:]][id] = generator.lead(id: id, userIDs: userIDs, stamps: generator.timestamps()) }
        let references = ids.map { PFExpertSeed.reference($0) }
        for id in ids {
            tables[.whatsappLeads, default: [:]][id] = generator.whatsappLead(
                id: id, userIDs: userIDs, references: references, stamps: generator.timestamps())
        }
        for id in ids {
            tables[.calltrackings, default: [:]][id] = generator.callTracking(
                id: id, userIDs: userIDs, leadIDs: Array(ids), stamps: generator.timestamps())
        }
        for resource in PFResource.allCases { nextID[resource] = count + 1 }
        self.seed = generator
    }

    /// The records of a resource in id order.
    func records(_ resource: PFResource) -> [JSONValue] {
        (tables[resource] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    func record(_ resource: PFResource, id: Int) -> JSONValue? {
        tables[resource]?[id]
    }

    mutating func takeID(_ resource: PFResource) -> Int {
        let id = nextID[resource] ?? 1
        nextID[resource] = id + 1
        return id
    }

    /// A fresh record of a resource in the seeded style, stamped `now`.
    mutating func generate(_ resource: PFResource, id: Int, now: Date) -> JSONValue {
        let stamp = PFExpertTime.format(now)
        let stamps = (created: stamp, updated: stamp)
        let users = (tables[.users] ?? [:]).keys.sorted()
        let leads = (tables[.leads] ?? [:]).keys.sorted()
        switch resource {
        case .users: return seed.user(id: id, stamps: stamps)
        case .locations: return seed.location(id: id, stamps: stamps)
        case .properties:
            return seed.property(id: id, userIDs: users, locationIDs: (tables[.locations] ?? [:]).keys.sorted(), stamps: stamps)
        case .leads: return seed.lead(id: id, userIDs: users, stamps: stamps)
        case .whatsappLeads:
            let references = records(.properties).compactMap { $0["reference"]?.stringValue }
            return seed.whatsappLead(id: id, userIDs: users, references: references, stamps: stamps)
        case .calltrackings: return seed.callTracking(id: id, userIDs: users, leadIDs: leads, stamps: stamps)
        }
    }

    /// Picks up to `count` distinct existing ids of a resource, deterministically.
    mutating func pickIDs(_ resource: PFResource, count: Int) -> [Int] {
        var pool = (tables[resource] ?? [:]).keys.sorted()
        var picked: [Int] = []
        while picked.count < count, !pool.isEmpty {
            picked.append(pool.remove(at: Int.random(in: 0..<pool.count, using: &rng)))
        }
        return picked.sorted()
    }

    /// Changes one business field of a record (as a user of the CRM would) and stamps it.
    mutating func mutate(_ resource: PFResource, id: Int, now: Date) {
        guard var record = tables[resource]?[id] else { return }
        switch resource {
        case .users:
            record["mobile"] = .string(FakeData.phone(country: "AE", using: &rng))
        case .properties:
            let value = record["price"]?["value"]?.intValue ?? 1_000_000
            record["price"]?["value"] = .int(value + 1000 * Int.random(in: 1...50, using: &rng))
        case .leads:
            let statuses = PFResource.leadStatuses.filter { $0 != record["status"]?.stringValue }
            record["status"] = .string(FakeData.pick(statuses, using: &rng) ?? "contacted")
        case .locations:
            record["tower"] = .string("Tower \(Int.random(in: 41...80, using: &rng))")
        case .whatsappLeads:
            record["status"] = .string(record["status"]?.stringValue == "replied" ? "read" : "replied")
        case .calltrackings:
            record["duration"] = .int((record["duration"]?.intValue ?? 0) + Int.random(in: 1...60, using: &rng))
        }
        record["updated_at"] = .string(PFExpertTime.format(now))
        tables[resource]?[id] = record
    }

    /// Issues a token valid until `expiry`. The token looks like a JWT (three base64url parts);
    /// clients must treat it as opaque.
    mutating func issueToken(apiKey: String, now: Date, expiry: Date) -> String {
        tokenCounter += 1
        let header = Self.base64URL(#"{"alg":"RS256","typ":"JWT"}"#)
        let payload = Self.base64URL(
            #"{"sub":"\#(apiKey)","scope":"openid","iat":\#(Int(now.timeIntervalSince1970)),"exp":\#(Int(expiry.timeIntervalSince1970)),"jti":"\#(tokenCounter)"}"#
        )
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

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
