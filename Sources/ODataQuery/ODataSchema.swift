public import RealtyModel

/// A navigation property: a name on one resource that leads to records of another.
public struct ODataNavigation: Hashable, Sendable {
    /// How the source record names the records a navigation property leads to.
    public enum Link: Hashable, Sendable {
        /// A field of the source holding the target's hub key (`ListAgentKey` → `MemberKey`).
        case foreignKey(String)
        /// The target's records naming the source as their parent: Media whose `ResourceName`
        /// is the source's resource and whose `ResourceRecordKey` is the source's hub key.
        case children
    }

    /// The name as written in a path (`ListAgent`, `Media`).
    public var name: String
    /// The resource it leads to.
    public var target: ResourceName
    /// How the source names its targets.
    public var link: Link
    /// For a ``Link/foreignKey(_:)`` link, the source's field holding the target's vendor key
    /// (`SourceSystemListAgentKey`): where the hub key is not set (a sync keeps the vendor's
    /// reference), the link is the record of the same connection with that vendor key.
    public var vendorKey: String?
    /// Whether it leads to many records (`Media`) rather than one (`ListAgent`).
    public var isCollection: Bool { link == .children }

    /// Creates a single-valued navigation property through the source's field `foreignKey`,
    /// or, where that is not set, `vendorKey` (the target's vendor key, same connection).
    public init(_ name: String, to target: ResourceName, via foreignKey: String, orVendorKey vendorKey: String? = nil) {
        self.name = name
        self.target = target
        self.link = .foreignKey(foreignKey)
        self.vendorKey = vendorKey
    }

    /// Creates a collection navigation property to a record's children of `target`.
    public init(children name: String, of target: ResourceName) {
        self.name = name
        self.target = target
        self.link = .children
    }
}

/// Supplies the navigation properties, so the checker does not hard-code the hub's.
public protocol ODataNavigationResolver: Sendable {
    /// The navigation property `name` of `resource`, or `nil` when it has none of that name.
    func navigation(named name: String, of resource: ResourceName) -> ODataNavigation?
}

/// Navigation from a fixed table: `[resource: [navigation]]`.
public struct ODataNavigationTable: ODataNavigationResolver {
    private let table: [ResourceName: [String: ODataNavigation]]

    /// Creates a resolver from each resource's navigation properties.
    public init(_ table: [ResourceName: [ODataNavigation]]) {
        var byName: [ResourceName: [String: ODataNavigation]] = [:]
        for (resource, navigations) in table {
            for navigation in navigations { byName[resource, default: [:]][navigation.name] = navigation }
        }
        self.table = byName
    }

    /// No navigation properties at all.
    public static let none = ODataNavigationTable([:])

    /// The hub's navigation properties: only where a record holds the target's hub key, or
    /// (Media) where the targets name the record as their parent. RESO's names where the Data
    /// Dictionary has them (`ListAgent`, `ListOffice`, `Media`, `Office`, `TeamLead`, `Member`,
    /// `OwnerMember`); the others are the hub's (`Development`, `Team`, `Contact`, `Listing`).
    public static let hub = ODataNavigationTable(hubTable)

    /// The table behind ``hub``, per resource in the order `$metadata` lists them.
    public static let hubTable: [ResourceName: [ODataNavigation]] = [
        .property: [
            ODataNavigation("ListAgent", to: .member, via: "ListAgentKey", orVendorKey: "SourceSystemListAgentKey"),
            ODataNavigation("ListOffice", to: .office, via: "ListOfficeKey"),
            ODataNavigation(children: "Media", of: .media),
            ODataNavigation("Development", to: .development, via: "DevelopmentKey"),
        ],
        .member: [
            ODataNavigation("Office", to: .office, via: "OfficeKey", orVendorKey: "SourceSystemOfficeKey"),
            ODataNavigation(children: "Media", of: .media),
        ],
        .teams: [
            ODataNavigation("TeamLead", to: .member, via: "TeamLeadKey", orVendorKey: "SourceSystemTeamLeadKey"),
            ODataNavigation("Office", to: .office, via: "OfficeKey"),
        ],
        .teamMembers: [
            ODataNavigation("Member", to: .member, via: "MemberKey", orVendorKey: "SourceSystemMemberKey"),
            ODataNavigation("Team", to: .teams, via: "TeamKey", orVendorKey: "SourceSystemTeamKey"),
        ],
        .contacts: [ODataNavigation("OwnerMember", to: .member, via: "OwnerMemberKey", orVendorKey: "SourceSystemOwnerMemberKey")],
        .activity: [
            ODataNavigation("Contact", to: .contacts, via: "ContactKey", orVendorKey: "SourceSystemContactKey"),
            ODataNavigation("OwnerMember", to: .member, via: "OwnerMemberKey", orVendorKey: "SourceSystemOwnerMemberKey"),
            ODataNavigation("Listing", to: .property, via: "ListingKey", orVendorKey: "SourceSystemListingKey"),
        ],
    ]

    public func navigation(named name: String, of resource: ResourceName) -> ODataNavigation? {
        table[resource]?[name]
    }
}

/// The properties a query may name on each resource: the canonical fields plus the metadata
/// the hub keeps for every record (key, source system and key, connection, the four
/// timestamps, `DeletedYN`, `ContentHash`); the untouched vendor payload (`raw`) is not one.
public enum ODataProperties {
    /// The property types of `resource`, by name (built once per resource).
    public static func types(of resource: ResourceName) -> [String: FieldType] {
        byResource[resource] ?? [:]
    }

    private static let byResource: [ResourceName: [String: FieldType]] = Dictionary(
        uniqueKeysWithValues: ResourceName.allCases.map { ($0, build($0)) })

    private static func build(_ resource: ResourceName) -> [String: FieldType] {
        func fieldTypes<R: HubRecord>(_: R.Type) -> [String: FieldType] {
            Dictionary(R.fields.map { ($0.name, $0.type) }) { first, _ in first }
        }
        var types = fieldTypes(resource.recordType)
        let names = MetadataFieldNames(resource)
        for name in [
            names.key, names.sourceKey, MetadataFieldNames.sourceSystemName, MetadataFieldNames.connectionID,
            MetadataFieldNames.contentHash,
        ] {
            types[name] = .string
        }
        for name in [
            MetadataFieldNames.modificationTimestamp, MetadataFieldNames.originalEntryTimestamp,
            MetadataFieldNames.sourceModificationTimestamp, MetadataFieldNames.sourceEntryTimestamp,
        ] {
            types[name] = .timestamp
        }
        types[MetadataFieldNames.deleted] = .boolean
        return types
    }
}

extension FieldType {
    /// "a string", "an integer", "a decimal", ... as the checker's messages say it.
    var noun: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .decimal: return "a decimal"
        case .boolean: return "a boolean"
        case .timestamp: return "a date-time"
        case .date: return "a date"
        case .stringList: return "a list of strings"
        }
    }
}
