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
    public var pager: String?
    public var homeAddress1: String?
    /// The second address line: apartment, suite or unit.
    public var homeAddress2: String?
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
    public var spousePartnerName: String?
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
        .string("FirstName", { $0.firstName }, { $0.firstName = $1 }),
        .string("LastName", { $0.lastName }, { $0.lastName = $1 }),
        .string("FullName", { $0.fullName }, { $0.fullName = $1 }),
        .string("Email", { $0.email }, { $0.email = $1 }, indexed: true),
        .string("MobilePhone", { $0.mobilePhone }, { $0.mobilePhone = $1 }, indexed: true),
        .string("HomePhone", { $0.homePhone }, { $0.homePhone = $1 }),
        .string("OfficePhone", { $0.officePhone }, { $0.officePhone = $1 }),
        .string("Pager", { $0.pager }, { $0.pager = $1 }),
        .string("HomeAddress1", { $0.homeAddress1 }, { $0.homeAddress1 = $1 }),
        .string("HomeAddress2", { $0.homeAddress2 }, { $0.homeAddress2 = $1 }),
        .string("HomeCity", { $0.homeCity }, { $0.homeCity = $1 }),
        .string("HomeStateOrProvince", { $0.homeStateOrProvince }, { $0.homeStateOrProvince = $1 }),
        .string("HomePostalCode", { $0.homePostalCode }, { $0.homePostalCode = $1 }),
        .string("HomeCountry", { $0.homeCountry }, { $0.homeCountry = $1 }),
        .string("Company", { $0.company }, { $0.company = $1 }),
        .string("ContactType", { $0.contactType }, { $0.contactType = $1 }, indexed: true),
        .string("ContactStatus", { $0.contactStatus }, { $0.contactStatus = $1 }),
        .string("LeadSource", { $0.leadSource }, { $0.leadSource = $1 }),
        .string("ReferredBy", { $0.referredBy }, { $0.referredBy = $1 }),
        .string("Language", { $0.language }, { $0.language = $1 }),
        .string("Notes", { $0.notes }, { $0.notes = $1 }),
        .string("SpousePartnerName", { $0.spousePartnerName }, { $0.spousePartnerName = $1 }),
        .date("Birthdate", { $0.birthdate }, { $0.birthdate = $1 }),
        .string("OwnerMemberKey", { $0.ownerMemberKey }, { $0.ownerMemberKey = $1 }, indexed: true),
        .string("SourceSystemOwnerMemberKey", { $0.ownerMemberSourceKey }, { $0.ownerMemberSourceKey = $1 }),
        .string("UtmSource", { $0.utmSource }, { $0.utmSource = $1 }),
        .string("UtmMedium", { $0.utmMedium }, { $0.utmMedium = $1 }),
        .string("UtmCampaign", { $0.utmCampaign }, { $0.utmCampaign = $1 }),
        .string("UtmContent", { $0.utmContent }, { $0.utmContent = $1 }),
        .string("UtmTerm", { $0.utmTerm }, { $0.utmTerm = $1 }),
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
            errors.append(
                FieldError(
                    field: "FullName",
                    message:
                        "a contact needs a name (FirstName, LastName or FullName) or a way to reach it (Email, MobilePhone, HomePhone or OfficePhone)"
                ))
        }
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
