import Foundation

/// A contact: a client, owner, or lead (RESO `Contacts`; leads have `ContactType` `Lead`).
///
/// The `Utm*` fields are a RealtyHub extension carrying marketing attribution.
public struct Contact: HubRecord {
    public static let resource = ResourceName.contacts
    public var metadata: RecordMetadata

    public var firstName: String?
    public var lastName: String?
    public var fullName: String?
    public var email: String?
    public var mobilePhone: String?
    public var homePhone: String?
    public var officePhone: String?
    public var homeAddress1: String?
    public var homeCity: String?
    public var homeStateOrProvince: String?
    public var homePostalCode: String?
    public var homeCountry: String?
    public var company: String?
    /// `Lead`, `Client`, `Owner`, `Prospect`, ...
    public var contactType: String?
    public var contactStatus: String?
    public var leadSource: String?
    public var referredBy: String?
    public var language: String?
    public var notes: String?
    /// `YYYY-MM-DD`.
    public var birthdate: String?
    public var ownerMemberKey: String?
    public var ownerMemberSourceKey: String?
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?
    public var utmContent: String?
    public var utmTerm: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<Contact>] = [
        .string("FirstName", \.firstName),
        .string("LastName", \.lastName, indexed: true),
        .string("FullName", \.fullName),
        .string("Email", \.email, indexed: true),
        .string("MobilePhone", \.mobilePhone, indexed: true),
        .string("HomePhone", \.homePhone),
        .string("OfficePhone", \.officePhone),
        .string("HomeAddress1", \.homeAddress1),
        .string("HomeCity", \.homeCity, indexed: true),
        .string("HomeStateOrProvince", \.homeStateOrProvince),
        .string("HomePostalCode", \.homePostalCode),
        .string("HomeCountry", \.homeCountry),
        .string("Company", \.company),
        .string("ContactType", \.contactType, indexed: true),
        .string("ContactStatus", \.contactStatus, indexed: true),
        .string("LeadSource", \.leadSource, indexed: true),
        .string("ReferredBy", \.referredBy),
        .string("Language", \.language),
        .string("Notes", \.notes),
        .date("Birthdate", \.birthdate),
        .string("OwnerMemberKey", \.ownerMemberKey, indexed: true),
        .string("SourceSystemOwnerMemberKey", \.ownerMemberSourceKey),
        .string("UtmSource", \.utmSource),
        .string("UtmMedium", \.utmMedium),
        .string("UtmCampaign", \.utmCampaign),
        .string("UtmContent", \.utmContent),
        .string("UtmTerm", \.utmTerm),
    ]

    /// Whether the contact has any name.
    public var hasName: Bool {
        FieldRules.isPresent(firstName) || FieldRules.isPresent(lastName) || FieldRules.isPresent(fullName)
    }

    /// Whether the contact has any way to be reached.
    public var hasContactChannel: Bool {
        FieldRules.isPresent(email) || FieldRules.isPresent(mobilePhone) || FieldRules.isPresent(homePhone)
            || FieldRules.isPresent(officePhone)
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        FieldRules.checkEmail(email, field: "Email", into: &errors)
        FieldRules.checkPhone(mobilePhone, field: "MobilePhone", into: &errors)
        FieldRules.checkPhone(homePhone, field: "HomePhone", into: &errors)
        FieldRules.checkPhone(officePhone, field: "OfficePhone", into: &errors)
        if !hasName, !hasContactChannel {
            errors.append(FieldError(
                field: "FullName",
                message: "a contact needs a name (FirstName, LastName or FullName) or a way to reach it (Email, MobilePhone, HomePhone or OfficePhone)"))
        }
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
