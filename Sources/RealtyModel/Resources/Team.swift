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
        .string("TeamName", { $0.name }, { $0.name = $1 }, indexed: true),
        .string("TeamEmail", { $0.email }, { $0.email = $1 }),
        .string("TeamStatus", { $0.status }, { $0.status = $1 }, indexed: true),
        .string("TeamLeadKey", { $0.leadKey }, { $0.leadKey = $1 }, indexed: true),
        .string("SourceSystemTeamLeadKey", { $0.leadSourceKey }, { $0.leadSourceKey = $1 }),
        .string("OfficeKey", { $0.officeKey }, { $0.officeKey = $1 }, indexed: true),
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
        .string("TeamKey", { $0.teamKey }, { $0.teamKey = $1 }, indexed: true),
        .string("MemberKey", { $0.memberKey }, { $0.memberKey = $1 }, indexed: true),
        .string("SourceSystemTeamKey", { $0.teamSourceKey }, { $0.teamSourceKey = $1 }),
        .string("SourceSystemMemberKey", { $0.memberSourceKey }, { $0.memberSourceKey = $1 }),
        .string("TeamMemberType", { $0.teamMemberType }, { $0.teamMemberType = $1 }, indexed: true),
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
