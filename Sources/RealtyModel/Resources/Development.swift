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
        .string("DevelopmentName", { $0.name }, { $0.name = $1 }, indexed: true),
        .string("City", { $0.city }, { $0.city = $1 }, indexed: true),
        .string("Country", { $0.country }, { $0.country = $1 }),
        .string("DevelopmentStatus", { $0.developmentStatus }, { $0.developmentStatus = $1 }, indexed: true),
        .integer("UnitsTotal", { $0.unitsTotal }, { $0.unitsTotal = $1 }),
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
