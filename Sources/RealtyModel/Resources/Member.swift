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
        .string("MemberFirstName", \.firstName),
        .string("MemberLastName", \.lastName),
        .string("MemberFullName", \.fullName),
        .string("MemberEmail", \.email, indexed: true),
        .string("MemberMobilePhone", \.mobilePhone, indexed: true),
        .string("MemberDirectPhone", \.directPhone),
        .string("MemberOfficePhone", \.officePhone),
        .string("MemberStatus", \.status, indexed: true),
        .string("MemberType", \.type, indexed: true),
        .stringList("MemberLanguages", \.languages),
        .string("JobTitle", \.jobTitle),
        .string("OfficeKey", \.officeKey, indexed: true),
        .string("SourceSystemOfficeKey", \.officeSourceKey),
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
