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
        .string("OfficeName", { $0.name }, { $0.name = $1 }, indexed: true),
        .string("OfficeEmail", { $0.email }, { $0.email = $1 }, indexed: true),
        .string("OfficePhone", { $0.phone }, { $0.phone = $1 }),
        .string("OfficeAddress1", { $0.address1 }, { $0.address1 = $1 }),
        .string("OfficeCity", { $0.city }, { $0.city = $1 }, indexed: true),
        .string("OfficeStateOrProvince", { $0.stateOrProvince }, { $0.stateOrProvince = $1 }),
        .string("OfficePostalCode", { $0.postalCode }, { $0.postalCode = $1 }),
        .string("OfficeCountry", { $0.country }, { $0.country = $1 }, indexed: true),
        .string("OfficeStatus", { $0.status }, { $0.status = $1 }, indexed: true),
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
