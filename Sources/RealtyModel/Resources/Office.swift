import Foundation

/// A brokerage office or agency (RESO `Office`).
public struct Office: HubRecord {
    public static let resource = ResourceName.office
    public var metadata: RecordMetadata

    public var name: String?
    public var email: String?
    public var phone: String?
    public var address1: String?
    public var city: String?
    public var stateOrProvince: String?
    public var postalCode: String?
    public var country: String?
    /// `Active` or `Inactive`.
    public var status: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<Office>] = [
        .string("OfficeName", \.name, indexed: true),
        .string("OfficeEmail", \.email, indexed: true),
        .string("OfficePhone", \.phone),
        .string("OfficeAddress1", \.address1),
        .string("OfficeCity", \.city, indexed: true),
        .string("OfficeStateOrProvince", \.stateOrProvince),
        .string("OfficePostalCode", \.postalCode),
        .string("OfficeCountry", \.country, indexed: true),
        .string("OfficeStatus", \.status, indexed: true),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(name) {
            errors.append(FieldError(field: "OfficeName", message: "is required"))
        }
        FieldRules.checkEmail(email, field: "OfficeEmail", into: &errors)
        FieldRules.checkPhone(phone, field: "OfficePhone", into: &errors)
        FieldRules.checkOneOf(status, ["Active", "Inactive"], field: "OfficeStatus", into: &errors)
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
