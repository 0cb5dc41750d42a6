import Foundation

/// An agent, user or employee of an office (RESO `Member`).
public struct Member: HubRecord {
    public static let resource = ResourceName.member
    public var metadata: RecordMetadata

    public var firstName: String?
    public var lastName: String?
    public var fullName: String?
    public var email: String?
    public var mobilePhone: String?
    public var directPhone: String?
    public var officePhone: String?
    /// `Active` or `Inactive`.
    public var status: String?
    public var type: String?
    public var languages: [String]?
    public var jobTitle: String?
    /// The hub key of the member's office, when known.
    public var officeKey: String?
    /// The vendor's id of the member's office, kept so the link can be resolved later.
    public var officeSourceKey: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<Member>] = [
        .string("MemberFirstName", { $0.firstName }, { $0.firstName = $1 }),
        .string("MemberLastName", { $0.lastName }, { $0.lastName = $1 }),
        .string("MemberFullName", { $0.fullName }, { $0.fullName = $1 }),
        .string("MemberEmail", { $0.email }, { $0.email = $1 }, indexed: true),
        .string("MemberMobilePhone", { $0.mobilePhone }, { $0.mobilePhone = $1 }, indexed: true),
        .string("MemberDirectPhone", { $0.directPhone }, { $0.directPhone = $1 }),
        .string("MemberOfficePhone", { $0.officePhone }, { $0.officePhone = $1 }),
        .string("MemberStatus", { $0.status }, { $0.status = $1 }, indexed: true),
        .string("MemberType", { $0.type }, { $0.type = $1 }, indexed: true),
        .stringList("MemberLanguages", { $0.languages }, { $0.languages = $1 }),
        .string("JobTitle", { $0.jobTitle }, { $0.jobTitle = $1 }),
        .string("OfficeKey", { $0.officeKey }, { $0.officeKey = $1 }, indexed: true),
        .string("SourceSystemOfficeKey", { $0.officeSourceKey }, { $0.officeSourceKey = $1 }),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        FieldRules.checkEmail(email, field: "MemberEmail", into: &errors)
        FieldRules.checkPhone(mobilePhone, field: "MemberMobilePhone", into: &errors)
        FieldRules.checkPhone(directPhone, field: "MemberDirectPhone", into: &errors)
        FieldRules.checkPhone(officePhone, field: "MemberOfficePhone", into: &errors)
        FieldRules.checkOneOf(status, ["Active", "Inactive"], field: "MemberStatus", into: &errors)
        if !FieldRules.isPresent(firstName), !FieldRules.isPresent(lastName), !FieldRules.isPresent(fullName),
            !FieldRules.isPresent(email)
        {
            errors.append(FieldError(field: "MemberFullName", message: "a member needs a name or an email"))
        }
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
