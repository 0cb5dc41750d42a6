/// The hub's resources, named as the RESO Data Dictionary names them.
public enum ResourceName: String, Sendable, Hashable, CaseIterable, Codable {
    case member = "Member"
    case office = "Office"
    case teams = "Teams"
    case teamMembers = "TeamMembers"
    case contacts = "Contacts"
    case property = "Property"
    case development = "Development"
    case activity = "Activity"
    case media = "Media"

    /// The prefix of the resource's key fields: `MemberKey`, `ListingKey`, `ContactKey`, ...
    public var keyPrefix: String {
        switch self {
        case .member: return "Member"
        case .office: return "Office"
        case .teams: return "Team"
        case .teamMembers: return "TeamMember"
        case .contacts: return "Contact"
        case .property: return "Listing"
        case .development: return "Development"
        case .activity: return "Activity"
        case .media: return "Media"
        }
    }

    /// The hub key field, `{prefix}Key`.
    public var keyField: String { keyPrefix + "Key" }

    /// The vendor key field, `SourceSystem{prefix}Key`.
    public var sourceKeyField: String { "SourceSystem" + keyPrefix + "Key" }

    /// The lowercase name used in URLs, CLI arguments and table names (`contacts`, `property`).
    public var pathName: String {
        switch self {
        case .member: return "members"
        case .office: return "offices"
        case .teams: return "teams"
        case .teamMembers: return "team_members"
        case .contacts: return "contacts"
        case .property: return "properties"
        case .development: return "developments"
        case .activity: return "activities"
        case .media: return "media"
        }
    }

    /// Finds a resource by its RESO name or its path name, case-insensitively.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard
            let match = ResourceName.allCases.first(where: {
                $0.rawValue.lowercased() == lowered || $0.pathName == lowered
            })
        else { return nil }
        self = match
    }
}

extension ResourceName {
    /// The record type holding this resource, for code that handles any resource by name
    /// (open it with a generic function: `func f<R: HubRecord>(_: R.Type)`).
    public var recordType: any HubRecord.Type {
        switch self {
        case .member: return Member.self
        case .office: return Office.self
        case .teams: return Team.self
        case .teamMembers: return TeamMember.self
        case .contacts: return Contact.self
        case .property: return Property.self
        case .development: return Development.self
        case .activity: return Activity.self
        case .media: return Media.self
        }
    }
}
