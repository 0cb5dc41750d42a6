import Foundation

/// A new-build project whose units are `Property` records (a RealtyHub resource in RESO style).
public struct Development: HubRecord {
    public static let resource = ResourceName.development
    public var metadata: RecordMetadata

    public var name: String?
    public var city: String?
    public var country: String?
    /// Publication state as the vendor reports it (`PUBLISHING`, `PUBLISHED`, ...).
    public var developmentStatus: String?
    public var unitsTotal: Int?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<Development>] = [
        .string("DevelopmentName", \.name, indexed: true),
        .string("City", \.city, indexed: true),
        .string("Country", \.country),
        .string("DevelopmentStatus", \.developmentStatus, indexed: true),
        .integer("UnitsTotal", \.unitsTotal),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(name) {
            errors.append(FieldError(field: "DevelopmentName", message: "is required"))
        }
        FieldRules.checkNotNegative(unitsTotal, field: "UnitsTotal", into: &errors)
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
