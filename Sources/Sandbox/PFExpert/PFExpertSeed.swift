import Foundation
import RealtyModel

/// Generates PF Expert records from a seed. Same seed, same records.
struct PFExpertSeed {
    var rng: SeededGenerator

    init(seed: UInt64, stream: String = "pf-expert/data") {
        self.rng = SeededGenerator(seed: seed, stream: stream)
    }

    /// The generator of record `id` of `resource`: independent of every other record.
    init(seed: UInt64, resource: PFResource, id: Int) {
        self.rng = SeededGenerator(seed: seed, stream: "pf-expert/\(resource.path)", index: id)
    }

    /// Seeded record `id` of `resource` in a run of `records` records per resource: a pure
    /// function of the seed, the resource and the id. Relations point at seeded ids.
    static func derive(_ resource: PFResource, id: Int, records: Int, seed: UInt64) -> JSONValue {
        var generator = PFExpertSeed(seed: seed, resource: resource, id: id)
        let stamps = generator.timestamps()
        return generator.make(resource, id: id, records: records, stamps: stamps)
    }

    /// The creation and modification times of seeded record `id` of `resource`, in unix
    /// seconds, without producing the record (the same draws as ``derive(_:id:records:seed:)``).
    static func stampSeconds(_ resource: PFResource, id: Int, seed: UInt64) -> (created: Int, updated: Int) {
        var generator = PFExpertSeed(seed: seed, resource: resource, id: id)
        let epoch = Int(PFExpertTime.seedEpoch.timeIntervalSince1970)
        let created = epoch + Int.random(in: 0..<(300 * 86_400), using: &generator.rng)
        return (created, created + Int.random(in: 0..<(60 * 86_400), using: &generator.rng))
    }

    /// A record of `resource` with `id`, relations drawn among the seeded ids `1...records`.
    mutating func make(_ resource: PFResource, id: Int, records: Int, stamps: (created: String, updated: String)) -> JSONValue {
        switch resource {
        case .users: return user(id: id, stamps: stamps)
        case .locations: return location(id: id, stamps: stamps)
        case .properties: return property(id: id, records: records, stamps: stamps)
        case .leads: return lead(id: id, records: records, stamps: stamps)
        case .whatsappLeads: return whatsappLead(id: id, records: records, stamps: stamps)
        case .calltrackings: return callTracking(id: id, records: records, stamps: stamps)
        }
    }

    /// One of the seeded ids `1...records`, or `nil` when there are none.
    mutating func pickID(_ records: Int) -> Int? {
        records > 0 ? Int.random(in: 1...records, using: &rng) : nil
    }

    /// Two timestamps in 2024: created, then updated at or after it.
    mutating func timestamps() -> (created: String, updated: String) {
        let created = PFExpertTime.seedEpoch.addingTimeInterval(Double(Int.random(in: 0..<(300 * 86_400), using: &rng)))
        let updated = created.addingTimeInterval(Double(Int.random(in: 0..<(60 * 86_400), using: &rng)))
        return (PFExpertTime.format(created), PFExpertTime.format(updated))
    }

    mutating func user(id: Int, stamps: (created: String, updated: String)) -> JSONValue {
        UserSeed(id: id, stamps: stamps, using: &rng).json
    }

    /// Seeded user `id` as its JSON text (sorted keys, compact), written from its draws without
    /// a tree: the text of ``derive(_:id:records:seed:)``'s user.
    static func userText(id: Int, seed: UInt64) -> String {
        var generator = PFExpertSeed(seed: seed, resource: .users, id: id)
        let stamps = generator.timestamps()
        return UserSeed(id: id, stamps: stamps, using: &generator.rng).text
    }

    /// What a user draws, in its draw order; its JSON value (``json``) or text (``text``)
    /// follows from it.
    struct UserSeed {
        var id: Int
        var stamps: (created: String, updated: String)
        var first: String
        var last: String
        var role: String
        var email: String
        var mobile: String
        var phone: String
        var active: Bool
        var arabic: Bool

        init(id: Int, stamps: (created: String, updated: String), using rng: inout SeededGenerator) {
            self.id = id
            self.stamps = stamps
            first = FakeData.firstName(using: &rng)
            last = FakeData.lastName(using: &rng)
            role = FakeData.pick(["agent", "agent", "agent", "manager", "admin"], using: &rng) ?? "agent"
            email = FakeData.email(first: first, last: last, number: id, using: &rng)
            mobile = FakeData.phone(country: "AE", using: &rng)
            phone = FakeData.phone(country: "AE", using: &rng)
            active = Int.random(in: 0..<10, using: &rng) != 0
            arabic = Bool.random(using: &rng)
        }

        var position: String { role == "agent" ? "Property Consultant" : role == "manager" ? "Sales Manager" : "Administrator" }

        var json: JSONValue {
            [
                "id": .int(id),
                "first_name": .string(first),
                "last_name": .string(last),
                "email": .string(email),
                "mobile": .string(mobile),
                "phone": .string(phone),
                "status": .string(active ? "active" : "inactive"),
                "role": .string(role),
                "position": .string(position),
                "languages": arabic ? ["en", "ar"] : ["en"],
                "created_at": .string(stamps.created),
                "updated_at": .string(stamps.updated),
            ]
        }

        /// ``json``'s text (sorted keys, compact), without the tree.
        var text: String {
            var out = ""
            out.reserveCapacity(400)
            out.appendJSONMember(#"{"created_at":"#, stamps.created)
            out.appendJSONMember(#","email":"#, email)
            out.appendJSONMember(#","first_name":"#, first)
            out += #","id":"#
            out += String(id)
            out += arabic ? #","languages":["en","ar"]"# : #","languages":["en"]"#
            out.appendJSONMember(#","last_name":"#, last)
            out.appendJSONMember(#","mobile":"#, mobile)
            out.appendJSONMember(#","phone":"#, phone)
            out.appendJSONMember(#","position":"#, position)
            out.appendJSONMember(#","role":"#, role)
            out.appendJSONMember(#","status":"#, active ? "active" : "inactive")
            out.appendJSONMember(#","updated_at":"#, stamps.updated)
            out += "}"
            return out
        }
    }

    mutating func location(id: Int, stamps: (created: String, updated: String)) -> JSONValue {
        let community = FakeData.pick(FakeData.communities, using: &rng) ?? "Dubai Marina"
        return [
            "id": .int(id),
            "city": "Dubai",
            "community": .string(community),
            "sub_community": .string("\(community) \(["North", "South", "East", "West", "Central"][id % 5])"),
            "tower": .string("Tower \(Int.random(in: 1...40, using: &rng))"),
            "latitude": .double((25.0 + Double(Int.random(in: 0...3000, using: &rng)) / 10_000).rounded(toPlaces: 6)),
            "longitude": .double((55.1 + Double(Int.random(in: 0...3000, using: &rng)) / 10_000).rounded(toPlaces: 6)),
            "created_at": .string(stamps.created),
            "updated_at": .string(stamps.updated),
        ]
    }

    mutating func property(id: Int, records: Int, stamps: (created: String, updated: String)) -> JSONValue {
        let offering = Bool.random(using: &rng) ? "sale" : "rent"
        let typeName = FakeData.propertyType(using: &rng)
        let typeID = (FakeData.propertyTypes.firstIndex(of: typeName) ?? 0) + 1
        let commercial = ["office-space", "shop", "land"].contains(typeName)
        let value =
            offering == "sale" ? FakeData.price(in: 400_000...12_000_000, using: &rng) : FakeData.price(in: 40_000...600_000, using: &rng)
        let bedrooms = commercial ? 0 : Int.random(in: 0...6, using: &rng)
        var price: JSONValue = ["offering_type": .string(offering), "value": .int(value)]
        if offering == "rent" {
            price["default_period"] = "year"
            price["cheques"] = .int(FakeData.pick([1, 2, 4, 12], using: &rng) ?? 1)
            price["prices"] = [["period": "year", "value": .int(value)]]
        }
        let status =
            FakeData.pick(
                ["available", "available", "available", "reserved", "under offer", offering == "sale" ? "sold" : "rented", "draft"],
                using: &rng) ?? "available"
        var property: JSONValue = [
            "id": .int(id),
            "reference": .string(Self.reference(id)),
            "draft": .bool(status == "draft"),
            "status": .string(status),
            "state": .string(status == "draft" ? "draft" : "approved"),
            "category": .string(commercial ? "commercial" : "residential"),
            "type": ["id": .int(typeID), "name": .string(typeName)],
            "price": price,
            "bedrooms": .int(bedrooms),
            "bathrooms": .int(max(1, bedrooms + Int.random(in: -1...1, using: &rng))),
            "size": .int(Int.random(in: 400...8000, using: &rng)),
            "furnished": .string(FakeData.pick(PFResource.furnishings, using: &rng) ?? "unfurnished"),
            "unit_number": .string(String(Int.random(in: 101...4599, using: &rng))),
            "languages": [
                "en": [
                    "title": .string("\(bedrooms == 0 ? "Spacious" : "\(bedrooms) bedroom") \(typeName) for \(offering)"),
                    "description": .string("A well-kept \(typeName) close to shops, schools and the metro."),
                ]
            ],
            "user": Self.reference(pickID(records)),
            "location": Self.reference(pickID(records)),
            "images": Self.images(propertyID: id),
            "created_at": .string(stamps.created),
            "updated_at": .string(stamps.updated),
        ]
        // `project_status` (vendors/pf-expert.md, the legacy property fields: `completed`,
        // `off_plan`, ...): a few listings are off-plan. Drawn last, so the values above stay.
        property["project_status"] = .string(
            FakeData.pick(["completed", "completed", "completed", "off_plan", "off_plan_primary"], using: &rng) ?? "completed")
        return property
    }

    /// The `images[]` of property `id`: none to four, a pure function of the id (no draw, so
    /// the property's other fields are those of a seed without images).
    ///
    /// Reading: the documents show images only in a create body, `images: [{"image": {"token":
    /// .., "order": n}}]`, and name `images[]` among a property's fields. The answer is taken to
    /// mirror that body: each item wraps an `image` with its `order` (from 1) and, in place of
    /// the one-time upload token, the stored image's `id` and `url`. No size or caption is
    /// documented, so none is served. Image ids are unique: property id × 10 + order.
    static func images(propertyID id: Int) -> JSONValue {
        let count = (id * 7) % 5
        return .array(
            (0..<count).map { index -> JSONValue in
                let order = index + 1
                let imageID = id * 10 + order
                return [
                    "image": [
                        "id": .int(imageID), "order": .int(order),
                        "url": .string("https://media.mycrm.com/property/\(id)/\(imageID).jpg"),
                    ]
                ]
            })
    }

    mutating func lead(id: Int, records: Int, stamps: (created: String, updated: String)) -> JSONValue {
        let first = FakeData.firstName(using: &rng)
        let last = FakeData.lastName(using: &rng)
        let place = FakeData.city(using: &rng)
        let offering = Bool.random(using: &rng) ? "sale" : "rent"
        let owner = pickID(records)
        var lead: JSONValue = [
            "id": .int(id),
            "user": Self.reference(owner),
            "title": .string(FakeData.pick(["Mr", "Ms", "Mrs", "Dr"], using: &rng) ?? "Mr"),
            "first_name": .string(first),
            "middle_name": .null,
            "last_name": .string(last),
            "email": .string(FakeData.email(first: first, last: last, number: 1000 + id, using: &rng)),
            "mobile": .string(FakeData.phone(country: place.country, using: &rng)),
            "phone": Int.random(in: 0..<3, using: &rng) == 0 ? .string(FakeData.phone(country: place.country, using: &rng)) : .null,
            "address": .string(FakeData.streetAddress(using: &rng)),
            "city": .string(place.city),
            "country": .string(place.country),
            "status": .string(FakeData.pick(PFResource.leadStatuses, using: &rng) ?? "new"),
            "quality": .string(FakeData.pick(PFResource.leadQualities, using: &rng) ?? "warm"),
            "source": .string(FakeData.pick(["propertyfinder", "website", "walk-in", "referral", "bayut"], using: &rng) ?? "website"),
            "source_channel": .string(FakeData.pick(["email", "call", "whatsapp", "sms"], using: &rng) ?? "email"),
            "reference": .null,
            "notes": .null,
            "created_by": owner.map { .int($0) } ?? .null,
            "preferences": [
                [
                    "offering_type": .string(offering),
                    "from_price": .int(offering == "sale" ? 500_000 : 50_000),
                    "to_price": .int(
                        offering == "sale"
                            ? FakeData.price(in: 800_000...6_000_000, using: &rng) : FakeData.price(in: 60_000...400_000, using: &rng)),
                    "from_bedroom": .int(Int.random(in: 0...3, using: &rng)),
                    "to_bedroom": .int(Int.random(in: 3...6, using: &rng)),
                ]
            ],
            "created_at": .string(stamps.created),
            "updated_at": .string(stamps.updated),
        ]
        // The lead object's identity document (vendors/pf-expert.md, "Legacy lead object"):
        // some leads have a passport on file. Drawn last, so the values above stay as they were.
        let passport = Int.random(in: 0..<3, using: &rng) == 0
        lead["passport_number"] = passport ? .string("P\(Int.random(in: 1_000_000...9_999_999, using: &rng))") : .null
        lead["passport_expiry_date"] = passport ? .string("20\(Int.random(in: 27...35, using: &rng))-06-30") : .null
        return lead
    }

    mutating func whatsappLead(id: Int, records: Int, stamps: (created: String, updated: String)) -> JSONValue {
        [
            "id": .int(id),
            "phone": .string(FakeData.phone(country: "AE", using: &rng)),
            "status": .string(FakeData.pick(["new", "read", "replied"], using: &rng) ?? "new"),
            "message": .string(
                FakeData.pick(
                    ["Is this still available?", "Can I book a viewing?", "What is the final price?", "Hello, I am interested."],
                    using: &rng) ?? "Hello"),
            "property_reference": pickID(records).map { .string(Self.reference($0)) } ?? .null,
            "user": Self.reference(pickID(records)),
            "created_at": .string(stamps.created),
            "updated_at": .string(stamps.updated),
        ]
    }

    mutating func callTracking(id: Int, records: Int, stamps: (created: String, updated: String)) -> JSONValue {
        let answered = Int.random(in: 0..<4, using: &rng) != 0
        return [
            "id": .int(id),
            "phone": .string(FakeData.phone(country: "AE", using: &rng)),
            "call_time": .string(stamps.created),
            "duration": .int(answered ? Int.random(in: 15...900, using: &rng) : 0),
            "status": .string(answered ? "answered" : "missed"),
            "lead": Self.reference(pickID(records)),
            "user": Self.reference(pickID(records)),
            "created_at": .string(stamps.created),
            "updated_at": .string(stamps.updated),
        ]
    }

    /// A property reference such as `RH-00042`.
    static func reference(_ id: Int) -> String {
        let digits = String(id)
        return "RH-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    static func reference(_ id: Int?) -> JSONValue {
        id.map { ["id": .int($0)] } ?? .null
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10.0, Double(places))
        return (self * factor).rounded() / factor
    }
}
