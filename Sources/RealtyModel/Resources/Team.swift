import Foundation

/// A team of members (RESO `Teams`).
public struct Team: HubRecord {
    public static let resource = ResourceName.teams
    public var metadata: RecordMetadata

    public var name: String?
    public var email: String?
    /// `Active` or `Inactive`.
    public var status: String?
    /// The hub key of the team lead.
    public var leadKey: String?
    /// The vendor's id of the team lead.
    public var leadSourceKey: String?
    public var officeKey: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<Team>] = [
        .string("TeamName", \.name, indexed: true),
        .string("TeamEmail", \.email),
        .string("TeamStatus", \.status, indexed: true),
        .string("TeamLeadKey", \.leadKey, indexed: true),
        .string("SourceSystemTeamLeadKey", \.leadSourceKey),
        .string("OfficeKey", \.officeKey, indexed: true),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(name) {
            errors.append(FieldError(field: "TeamName", message: "is required"))
        }
        FieldRules.checkEmail(email, field: "TeamEmail", into: &errors)
        FieldRules.checkOneOf(status, ["Active", "Inactive"], field: "TeamStatus", into: &errors)
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}

/// A member's place in a team (RESO `TeamMembers`).
public struct TeamMember: HubRecord {
    public static let resource = ResourceName.teamMembers
    public var metadata: RecordMetadata

    public var teamKey: String?
    public var memberKey: String?
    /// The vendor's ids, kept so links can be resolved after both sides are synced.
    public var teamSourceKey: String?
    public var memberSourceKey: String?
    /// `Lead`, `Member`, ...
    public var teamMemberType: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<TeamMember>] = [
        .string("TeamKey", \.teamKey, indexed: true),
        .string("MemberKey", \.memberKey, indexed: true),
        .string("SourceSystemTeamKey", \.teamSourceKey),
        .string("SourceSystemMemberKey", \.memberSourceKey),
        .string("TeamMemberType", \.teamMemberType, indexed: true),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(teamKey), !FieldRules.isPresent(teamSourceKey) {
            errors.append(FieldError(field: "TeamKey", message: "is required"))
        }
        if !FieldRules.isPresent(memberKey), !FieldRules.isPresent(memberSourceKey) {
            errors.append(FieldError(field: "MemberKey", message: "is required"))
        }
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
