/// Deterministic seeded content of the MyCRM emulator: five users (the first is the
/// administrator the demo credentials log in as; the last is inactive), then `records` Leads and
/// `records` Contacts spread over the 120 days before the clock's time.
///
/// Leads and Contacts are derived from the seed and their index when read (record numbers
/// `1...records` for Leads, `records + 1...2 * records` for Contacts); only changes are stored.
///
/// MyCRM serves US businesses (its Contacts carry SSN and driver-licence fields and its address
/// service is the FCC broadband map), so addresses are American. SSNs use the never-issued 9xx
/// area numbers and phone numbers the reserved 555-01xx range.
struct MyCRMSeedData: Sendable {
    struct Place {
        var city: String
        var state: String
        var zip: String
    }

    static let places: [Place] = [
        .init(city: "Boston", state: "MA", zip: "02116"), .init(city: "Cambridge", state: "MA", zip: "02139"),
        .init(city: "Miami", state: "FL", zip: "33131"), .init(city: "Orlando", state: "FL", zip: "32801"),
        .init(city: "Austin", state: "TX", zip: "78701"), .init(city: "Dallas", state: "TX", zip: "75201"),
        .init(city: "Denver", state: "CO", zip: "80202"), .init(city: "Phoenix", state: "AZ", zip: "85004"),
        .init(city: "Atlanta", state: "GA", zip: "30303"), .init(city: "Seattle", state: "WA", zip: "98101"),
        .init(city: "Chicago", state: "IL", zip: "60601"), .init(city: "Nashville", state: "TN", zip: "37203"),
    ]

    static let streets = [
        "Main Street", "Oak Avenue", "Maple Drive", "Beacon Street", "Harbor Drive", "Elm Street",
        "Commonwealth Avenue", "Sunset Boulevard", "Pine Street", "Lakeview Road",
    ]

    static let campaigns = ["spring-open-house", "first-time-buyers", "luxury-condos", "relocation-2025"]

    let records: Int
    let seed: UInt64
    let now: Int

    /// Fills `store` (which must be empty).
    /// - Returns: the demo user's name and access key.
    @discardableResult
    func populate(_ store: MyCRMRecordStore) -> (userName: String, accessKey: String) {
        var rng = SeededGenerator(seed: seed, stream: "mycrm/users")
        let start = now - 400 * 86_400
        var demo = (userName: "admin", accessKey: "")
        var activeUserIDs: [String] = []
        let roles = [
            ("Administrator", "Management"), ("Sales Agent", "Sales"), ("Sales Agent", "Sales"),
            ("Listing Coordinator", "Operations"), ("Sales Agent", "Sales"),
        ]
        for index in 0..<roles.count {
            let first = FakeData.firstName(using: &rng)
            let last = FakeData.lastName(using: &rng)
            let userName = index == 0 ? "admin" : "\(FakeData.asciiSlug(first)).\(FakeData.asciiSlug(last))"
            let accessKey = Self.accessKey(using: &rng)
            let active = index < roles.count - 1
            let id = store.addUser(
                fields: [
                    "user_name": userName,
                    "first_name": first,
                    "last_name": last,
                    "email1": "\(FakeData.asciiSlug(first)).\(FakeData.asciiSlug(last))@example.com",
                    "phone_mobile": Self.phone(using: &rng),
                    "phone_work": Self.phone(using: &rng),
                    "title": roles[index].0,
                    "department": roles[index].1,
                    "status": active ? "Active" : "Inactive",
                    "is_admin": index == 0 ? "on" : "off",
                    "language": "en_us",
                    "time_zone": "America/New_York",
                ],
                accessKey: accessKey,
                createdAt: start + index * 86_400
            )
            if active { activeUserIDs.append(id) }
            if index == 0 { demo = (userName, accessKey) }
        }

        let count = max(records, 0)
        let seeder = self
        let owners = activeUserIDs
        store.seed(
            module: MyCRMModule.leads, firstNumber: 1, count: count,
            derive: { number in seeder.seededLead(index: number - 1, owners: owners) },
            row: { number in seeder.seededLeadValues(index: number - 1, owners: owners).rowText() },
            facts: { number in
                (seeder.times(stream: "mycrm/leads", index: number - 1).modified, Self.owner(index: number - 1, owners: owners))
            })
        store.seed(
            module: MyCRMModule.contacts, firstNumber: count + 1, count: count,
            derive: { number in seeder.seededContact(index: number - count - 1, owners: owners) },
            row: { number in seeder.seededContactValues(index: number - count - 1, owners: owners).rowText() },
            facts: { number in
                (
                    seeder.times(stream: "mycrm/contacts", index: number - count - 1).modified,
                    Self.owner(index: number - count - 1, owners: owners)
                )
            })
        return demo
    }

    /// Seeded lead `index` (record number `index + 1`): a pure function of the seed and the index.
    func seededLead(index: Int, owners: [String]) -> MyCRMRecord {
        seededLeadValues(index: index, owners: owners).record(number: index + 1)
    }

    /// The field values of seeded lead `index` (what ``seededLead(index:owners:)`` holds).
    func seededLeadValues(index: Int, owners: [String]) -> MyCRMFieldValues {
        var rng = SeededGenerator(seed: seed, stream: "mycrm/leads", index: index)
        return leadValues(number: index + 1, index: index, owners: owners, times: times(stream: "mycrm/leads", index: index), using: &rng)
    }

    /// Seeded contact `index` (record number `records + index + 1`).
    func seededContact(index: Int, owners: [String]) -> MyCRMRecord {
        seededContactValues(index: index, owners: owners).record(number: max(records, 0) + index + 1)
    }

    /// The field values of seeded contact `index` (what ``seededContact(index:owners:)`` holds).
    func seededContactValues(index: Int, owners: [String]) -> MyCRMFieldValues {
        var rng = SeededGenerator(seed: seed, stream: "mycrm/contacts", index: index)
        let number = max(records, 0) + index + 1
        return contactValues(
            number: number, index: index, owners: owners, times: times(stream: "mycrm/contacts", index: index), using: &rng)
    }

    /// Creation and modification times of seeded record `index` of a stream, drawn apart from
    /// its content so that `sync` can order untouched records without producing them.
    func times(stream: String, index: Int) -> (created: Int, modified: Int) {
        var rng = SeededGenerator(seed: seed, stream: stream + "/times", index: index)
        let created = now - Int.random(in: 86_400...(120 * 86_400), using: &rng)
        let modified = created + Int.random(in: 0...(now - created), using: &rng)
        return (created, modified)
    }

    /// The owner of seeded record `index`: the active users in turn.
    static func owner(index: Int, owners: [String]) -> String {
        owners.isEmpty ? "" : owners[index % owners.count]
    }

    /// A lead as a client would have created it, with record number `number`.
    func lead(
        number: Int, index: Int, owners: [String], times: (created: Int, modified: Int)? = nil, using rng: inout SeededGenerator
    ) -> MyCRMRecord {
        leadValues(number: number, index: index, owners: owners, times: times, using: &rng).record(number: number)
    }

    /// A contact with record number `number`.
    func contact(
        number: Int, index: Int, owners: [String], times: (created: Int, modified: Int)? = nil, using rng: inout SeededGenerator
    ) -> MyCRMRecord {
        contactValues(number: number, index: index, owners: owners, times: times, using: &rng).record(number: number)
    }

    /// The fields of a lead as a client would have created it, with record number `number`.
    func leadValues(
        number: Int, index: Int, owners: [String], times: (created: Int, modified: Int)? = nil, using rng: inout SeededGenerator
    ) -> MyCRMFieldValues {
        let first = FakeData.firstName(using: &rng)
        let last = FakeData.lastName(using: &rng)
        let place = FakeData.pick(Self.places, using: &rng) ?? Self.places[0]
        let fromWeb = Bool.random(using: &rng)
        var values = MyCRMFieldValues(
            MyCRMModule.leads,
            [
                ("firstname", first),
                ("lastname", last),
                ("phone", Bool.random(using: &rng) ? Self.phone(using: &rng) : ""),
                ("mobile", Self.phone(using: &rng)),
                ("leadsource", fromWeb ? "Web Site" : (FakeData.pick(MyCRMModule.leadSources, using: &rng) ?? "Other")),
                ("email", FakeData.email(first: first, last: last, number: number, using: &rng)),
                ("business_name", Int.random(in: 0..<4, using: &rng) == 0 ? "\(last) Holdings LLC" : ""),
                ("assigned_user_id", Self.owner(index: index, owners: owners)),
                ("lane", "\(Int.random(in: 1...999, using: &rng)) \(FakeData.pick(Self.streets, using: &rng) ?? "Main Street")"),
                ("code", place.zip),
                ("pobox", ""),
                ("state", place.state),
                ("city", place.city),
                ("zip4", Self.padded(Int.random(in: 1...9999, using: &rng), 4)),
                ("apart", Int.random(in: 0..<3, using: &rng) == 0 ? "Apt \(Int.random(in: 1...40, using: &rng))" : ""),
                ("description", "Interested in a \(Int.random(in: 1...5, using: &rng))-bedroom home in \(place.city)."),
            ])
        if fromWeb {
            values["utm_source"] = FakeData.pick(["google", "facebook", "zillow", "newsletter"], using: &rng) ?? "google"
            values["utm_medium"] = FakeData.pick(["cpc", "social", "referral", "email"], using: &rng) ?? "cpc"
            values["utm_campaign"] = FakeData.pick(Self.campaigns, using: &rng) ?? "spring-open-house"
        }
        return completed(values, number: number, owners: owners, times: times, using: &rng)
    }

    /// The fields of a contact with record number `number`.
    func contactValues(
        number: Int, index: Int, owners: [String], times: (created: Int, modified: Int)? = nil, using rng: inout SeededGenerator
    ) -> MyCRMFieldValues {
        let first = FakeData.firstName(using: &rng)
        let last = FakeData.lastName(using: &rng)
        let place = FakeData.pick(Self.places, using: &rng) ?? Self.places[0]
        let isCustomer = Bool.random(using: &rng)
        var values = MyCRMFieldValues(
            MyCRMModule.contacts,
            [
                ("firstname", first),
                ("lastname", last),
                ("phone", Self.phone(using: &rng)),
                ("mobile", Self.phone(using: &rng)),
                ("homephone", Bool.random(using: &rng) ? Self.phone(using: &rng) : ""),
                ("leadsource", FakeData.pick(MyCRMModule.leadSources, using: &rng) ?? "Other"),
                ("birthday", Self.date(year: Int.random(in: 1950...2000, using: &rng), using: &rng)),
                ("email", FakeData.email(first: first, last: last, number: number, using: &rng)),
                ("business_name", ""),
                ("assigned_user_id", Self.owner(index: index, owners: owners)),
                ("is_customer", isCustomer ? "1" : "0"),
                ("mailingstreet", "\(Int.random(in: 1...999, using: &rng)) \(FakeData.pick(Self.streets, using: &rng) ?? "Main Street")"),
                ("mailingpobox", ""),
                ("mailingstate", place.state),
                ("mailingcity", place.city),
                ("mailingzip", place.zip),
                ("apart", ""),
                ("zip4", Self.padded(Int.random(in: 1...9999, using: &rng), 4)),
                ("description", isCustomer ? "Closed on a home in \(place.city)." : "Met at an open house."),
                ("pager", ""),
                ("csg_number", "CSG-\(100_000 + number)"),
                ("spouse_name", Bool.random(using: &rng) ? FakeData.firstName(using: &rng) : ""),
                (
                    "ssn",
                    "9\(Int.random(in: 10...99, using: &rng))-\(Int.random(in: 10...99, using: &rng))-"
                        + Self.padded(Int.random(in: 1...9999, using: &rng), 4)
                ),
                ("service_dt", isCustomer ? Self.date(year: Int.random(in: 2018...2024, using: &rng), using: &rng) : ""),
                ("dl_license", "D\(Int.random(in: 1_000_000...9_999_999, using: &rng))"),
                ("dl_state", place.state),
                ("dl_expdate", Self.date(year: Int.random(in: 2026...2031, using: &rng), using: &rng)),
            ])
        // The seed's other Contacts fields, drawn from a stream of their own so the values
        // above stay what they were: some contacts have an apartment, a pager, a PO box or a
        // business.
        var extra = SeededGenerator(seed: seed, stream: "mycrm/contacts/extra", index: number)
        if Int.random(in: 0..<3, using: &extra) == 0 { values["apart"] = "Apt \(Int.random(in: 1...40, using: &extra))" }
        if Int.random(in: 0..<4, using: &extra) == 0 { values["pager"] = Self.phone(using: &extra) }
        if Int.random(in: 0..<5, using: &extra) == 0 { values["mailingpobox"] = String(Int.random(in: 100...9999, using: &extra)) }
        if Int.random(in: 0..<4, using: &extra) == 0 { values["business_name"] = "\(last) Consulting LLC" }
        return completed(values, number: number, owners: owners, times: times, using: &rng)
    }

    /// `values` with the system fields set: id, times and `modifiedby` (the owner).
    private func completed(
        _ values: MyCRMFieldValues, number: Int, owners: [String], times: (created: Int, modified: Int)?,
        using rng: inout SeededGenerator
    ) -> MyCRMFieldValues {
        let created = times?.created ?? now - Int.random(in: 86_400...(120 * 86_400), using: &rng)
        let modified = times?.modified ?? created + Int.random(in: 0...(now - created), using: &rng)
        var fields = values
        fields["id"] = values.module.id(number)
        fields["createdtime"] = MyCRMRecord.timestamp(created)
        fields["modifiedtime"] = MyCRMRecord.timestamp(modified)
        fields["modifiedby"] = values["assigned_user_id"] ?? owners.first ?? ""
        fields.modifiedAt = modified
        return fields
    }

    /// A 16-character access key like the ones the vendor generates.
    static func accessKey(using rng: inout SeededGenerator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    /// A US number in the reserved 555-0100…0199 range.
    static func phone(using rng: inout SeededGenerator) -> String {
        let areas = ["617", "305", "512", "303", "404", "206", "312", "615"]
        let area = FakeData.pick(areas, using: &rng) ?? "617"
        return "(\(area)) 555-01\(Self.padded(Int.random(in: 0...99, using: &rng), 2))"
    }

    /// A `yyyy-mm-dd` date in `year`.
    static func date(year: Int, using rng: inout SeededGenerator) -> String {
        "\(padded(year, 4))-\(padded(Int.random(in: 1...12, using: &rng), 2))-\(padded(Int.random(in: 1...28, using: &rng), 2))"
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
