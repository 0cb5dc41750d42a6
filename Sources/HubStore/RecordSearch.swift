import Foundation
public import RealtyModel

/// What a record search looks for (the dashboard's records page): one kind at a time.
public enum RecordSearch: Sendable, Hashable {
    /// An exact email address, compared case-insensitively (`Ada@Example.com` finds
    /// `ada@example.com`; not `ada@example.co`).
    case email(String)
    /// An exact phone number, compared on its digits (see ``RecordSearchPlan/phoneCandidates(_:)``).
    case phone(String)
    /// The start of a name, case-insensitively (`lov` finds `Lovelace`): the name fields of
    /// ``RecordSearchFields``.
    case namePrefix(String)
    /// The start of a reference: the vendor's key (`SourceSystem…Key`), the hub key, and the
    /// resource's own references (``RecordSearchFields/references``, e.g. `ListingId`).
    case referencePrefix(String)
}

/// A search of one resource, with its page.
public struct RecordSearchQuery: Sendable, Hashable {
    public var search: RecordSearch
    /// 1-based page number.
    public var page: Int
    /// Records per page, 1...``ListQuery/maximumPerPage``.
    public var perPage: Int
    /// Whether records marked deleted are found too.
    public var includeDeleted: Bool

    /// How many matches a search counts exactly. A search that finds more (a one-letter name
    /// prefix over a large tenant) answers a total of `exactTotalLimit + 1` marked as a lower
    /// bound (``RecordPage/totalIsLowerBound``), and its pages walk the resource's records
    /// newest first keeping those that match, instead of sorting every match: both stay fast
    /// however many records match.
    public static let exactTotalLimit = 1_000

    public init(_ search: RecordSearch, page: Int = 1, perPage: Int = 50, includeDeleted: Bool = false) {
        self.search = search
        self.page = page
        self.perPage = perPage
        self.includeDeleted = includeDeleted
    }
}

/// Which fields each search kind looks at, per resource: the one table both stores index
/// (their migration `2026-12-05-5-record-search`) and search.
///
/// | resource | email | phone (digits) | name prefix | reference prefix (besides the hub and vendor keys) |
/// | --- | --- | --- | --- | --- |
/// | Contacts | Email | MobilePhone, HomePhone, OfficePhone, Pager | FirstName, LastName, FullName | |
/// | Member | MemberEmail | MemberMobilePhone, MemberDirectPhone, MemberOfficePhone | MemberFirstName, MemberLastName, MemberFullName | |
/// | Office | OfficeEmail | OfficePhone | OfficeName | |
/// | Teams | TeamEmail | | TeamName | |
/// | Property | | | UnparsedAddress, BuildingName | ListingId |
/// | Development | | | DevelopmentName | |
/// | TeamMembers, Activity, Media | | | | |
///
/// Reading chosen for Property: its address and building name are what an operator types
/// (not City, which a list filter already serves exactly and whose prefix matches thousands).
public enum RecordSearchFields {
    /// The email fields of `resource`.
    public static func emails(_ resource: ResourceName) -> [String] {
        switch resource {
        case .contacts: return ["Email"]
        case .member: return ["MemberEmail"]
        case .office: return ["OfficeEmail"]
        case .teams: return ["TeamEmail"]
        case .teamMembers, .property, .development, .activity, .media: return []
        }
    }

    /// The phone fields of `resource`.
    public static func phones(_ resource: ResourceName) -> [String] {
        switch resource {
        case .contacts: return ["MobilePhone", "HomePhone", "OfficePhone", "Pager"]
        case .member: return ["MemberMobilePhone", "MemberDirectPhone", "MemberOfficePhone"]
        case .office: return ["OfficePhone"]
        case .teams, .teamMembers, .property, .development, .activity, .media: return []
        }
    }

    /// The name fields of `resource`.
    public static func names(_ resource: ResourceName) -> [String] {
        switch resource {
        case .contacts: return ["FirstName", "LastName", "FullName"]
        case .member: return ["MemberFirstName", "MemberLastName", "MemberFullName"]
        case .office: return ["OfficeName"]
        case .teams: return ["TeamName"]
        case .property: return ["UnparsedAddress", "BuildingName"]
        case .development: return ["DevelopmentName"]
        case .teamMembers, .activity, .media: return []
        }
    }

    /// The resource's own reference fields, searched by prefix beside the hub and vendor keys.
    public static func references(_ resource: ResourceName) -> [String] {
        resource == .property ? ["ListingId"] : []
    }

    /// Every field an index of the search reads (emails, phones, names), so the write path
    /// can leave them out of an UPDATE when they did not change.
    public static func indexed(_ resource: ResourceName) -> Set<String> {
        Set(emails(resource) + phones(resource) + names(resource) + references(resource))
    }

    /// The fields whose plain `(tenant_id, field)` index the search migration replaced by its
    /// case-folded (email) or digits (phone) index: a list filter on them compares the folded
    /// form too (served by the new index) and then the exact value. Only Contacts, whose
    /// write rate matters most: one index per field instead of two.
    public static func foldedFilters(_ resource: ResourceName) -> [String: Kind] {
        resource == .contacts ? ["Email": .email, "MobilePhone": .phone] : [:]
    }

    /// Every email, phone and name field of `resource` with its kind, in that order: one
    /// search index each on both stores.
    public static func searchedColumns(_ resource: ResourceName) -> [(kind: Kind, column: String)] {
        emails(resource).map { (Kind.email, $0) } + phones(resource).map { (Kind.phone, $0) } + names(resource).map { (Kind.name, $0) }
    }

    /// The kinds of indexed search field.
    public enum Kind: Sendable, Hashable {
        case email
        case phone
        case name
    }
}

/// A ``RecordSearchQuery`` checked for `R`: the kind, its normalised value, the fields it reads,
/// and the page; an implementation only binds values and never splices input.
public struct RecordSearchPlan<R: HubRecord>: Sendable {
    /// What to match.
    public enum Match: Sendable, Hashable {
        /// Compared as the store's `lower(field) = lower(value)`.
        case email(String)
        /// The digit strings a phone field (stripped of separators) must equal.
        case phone([String])
        /// Compared as the store's `lower(field)` starting with `lower(prefix)`.
        case namePrefix(String)
        /// Compared byte for byte (references are identifiers); hub keys with the prefix lowercased.
        case referencePrefix(String)
    }

    public let match: Match
    /// The fields searched (for a reference: the resource's own reference fields; the hub and
    /// vendor keys are always searched).
    public let fields: [String]
    public let limit: Int
    public let offset: Int
    public let includeDeleted: Bool
    /// The columns read for each found record (every one, as ``RecordStore/record(_:tenant:key:)``).
    public let read: ListPlan<R>

    /// The longest text a search takes, in characters.
    public static var maximumLength: Int { 200 }

    /// Validates `query` for `R`.
    /// - Throws: ``StoreError`` `.invalidQuery`: an empty or too long value, an email without
    ///   `@`, a phone with no digits, a kind `R` has no field for, a page out of range.
    public init(_ query: RecordSearchQuery) throws {
        let resource = R.resource.rawValue
        let text: String
        switch query.search {
        case .email(let value), .phone(let value), .namePrefix(let value), .referencePrefix(let value):
            text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !text.isEmpty else { throw StoreError.invalidQuery("the search text is empty") }
        guard text.count <= Self.maximumLength else {
            throw StoreError.invalidQuery("the search text is longer than \(Self.maximumLength) characters")
        }
        // U+10FFFF closes every prefix range (prefix ..< prefix + U+10FFFF, compared as bytes), so
        // it cannot be part of a prefix; it is a noncharacter, never in real names or keys.
        guard !text.unicodeScalars.contains(Self.rangeEnd) else {
            throw StoreError.invalidQuery("the search text contains U+10FFFF")
        }
        switch query.search {
        case .email:
            fields = RecordSearchFields.emails(R.resource)
            guard !fields.isEmpty else { throw StoreError.invalidQuery("\(resource) has no email field to search") }
            guard text.contains("@") else { throw StoreError.invalidQuery("an email search needs a whole address, with @") }
            match = .email(text)
        case .phone:
            fields = RecordSearchFields.phones(R.resource)
            guard !fields.isEmpty else { throw StoreError.invalidQuery("\(resource) has no phone field to search") }
            let candidates = Self.phoneCandidates(text)
            guard !candidates.isEmpty else { throw StoreError.invalidQuery("the phone number \"\(text)\" has no digits") }
            match = .phone(candidates)
        case .namePrefix:
            fields = RecordSearchFields.names(R.resource)
            guard !fields.isEmpty else { throw StoreError.invalidQuery("\(resource) has no name field to search") }
            match = .namePrefix(text)
        case .referencePrefix:
            fields = RecordSearchFields.references(R.resource)
            match = .referencePrefix(text)
        }
        guard query.page >= 1 else { throw StoreError.invalidQuery("page must be 1 or more, got \(query.page)") }
        guard (1...ListQuery.maximumPerPage).contains(query.perPage) else {
            throw StoreError.invalidQuery("per_page must be between 1 and \(ListQuery.maximumPerPage), got \(query.perPage)")
        }
        let (product, overflow) = (query.page - 1).multipliedReportingOverflow(by: query.perPage)
        guard !overflow, product < Int(Int32.max) else { throw StoreError.invalidQuery("page \(query.page) is out of range") }
        limit = query.perPage
        offset = product
        includeDeleted = query.includeDeleted
        read = try ListPlan<R>(ListQuery(perPage: 1, includeDeleted: true))
    }

    /// The last code point, which ends every prefix range.
    public static var rangeEnd: Unicode.Scalar { "\u{10FFFF}" }

    /// The exclusive upper bound of the strings starting with `prefix` (byte order).
    public static func rangeEnd(of prefix: String) -> String { prefix + String(rangeEnd) }

    /// The separators a stored phone is stripped of before it is compared: what the stores'
    /// digits expression removes (SQLite nested `replace`, PostgreSQL `translate`).
    public static var phoneSeparators: [String] { [" ", "-", ".", "(", ")", "/", "+"] }

    /// The digit strings a stored phone (stripped of ``phoneSeparators``) must equal to match
    /// the searched `phone`; empty when it has no digits.
    ///
    /// The search keeps only the digits. A leading `00` is the international prefix, the same
    /// as `+` (which the stored form loses with the separators), so the digits without it and
    /// with it are both looked up: `+44 (20) 7946-0958`, `442079460958` and `0044 20 7946 0958`
    /// each find `+442079460958`, `442079460958` and `00442079460958`. No country is assumed: a
    /// national number with its trunk 0 (`020 7946 0958`) does not find the international form,
    /// nor does `+44 (0)20…` (its digits include the 0). A stored phone holding anything but
    /// digits and separators (an extension, `ext. 12`) is not found.
    public static func phoneCandidates(_ phone: String) -> [String] {
        var digits = String(phone.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
        if digits.hasPrefix("00") { digits.removeFirst(2) }
        guard !digits.isEmpty else { return [] }
        return [digits, "00" + digits]
    }
}
