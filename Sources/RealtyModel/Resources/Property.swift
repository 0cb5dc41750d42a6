import Foundation

/// A listing or a new-development unit (RESO `Property`; its key field is `ListingKey`).
public struct Property: HubRecord {
    public static let resource = ResourceName.property
    public var metadata: RecordMetadata

    public var listingID: String?
    /// RESO StandardStatus: `Active`, `Pending`, `Closed`, `Withdrawn`, `Coming Soon`, ...
    public var standardStatus: String?
    public var propertyType: String?
    public var propertySubType: String?
    public var listPrice: Double?
    public var currentPrice: Double?
    public var unparsedAddress: String?
    public var city: String?
    public var stateOrProvince: String?
    public var postalCode: String?
    public var country: String?
    public var latitude: Double?
    public var longitude: Double?
    public var bedroomsTotal: Int?
    public var bathroomsTotalInteger: Int?
    public var livingArea: Double?
    public var livingAreaUnits: String?
    public var publicRemarks: String?
    public var listAgentKey: String?
    public var listAgentSourceKey: String?
    public var listOfficeKey: String?
    public var newConstructionYN: Bool?
    public var buildingName: String?
    public var unitNumber: String?
    public var developmentStatus: String?
    /// The hub key of the development a unit belongs to.
    public var developmentKey: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    public static let fields: [Field<Property>] = [
        .string("ListingId", \.listingID, indexed: true),
        .string("StandardStatus", \.standardStatus, indexed: true),
        .string("PropertyType", \.propertyType, indexed: true),
        .string("PropertySubType", \.propertySubType),
        .decimal("ListPrice", \.listPrice),
        .decimal("CurrentPrice", \.currentPrice),
        .string("UnparsedAddress", \.unparsedAddress),
        .string("City", \.city, indexed: true),
        .string("StateOrProvince", \.stateOrProvince),
        .string("PostalCode", \.postalCode, indexed: true),
        .string("Country", \.country, indexed: true),
        .decimal("Latitude", \.latitude),
        .decimal("Longitude", \.longitude),
        .integer("BedroomsTotal", \.bedroomsTotal),
        .integer("BathroomsTotalInteger", \.bathroomsTotalInteger),
        .decimal("LivingArea", \.livingArea),
        .string("LivingAreaUnits", \.livingAreaUnits),
        .string("PublicRemarks", \.publicRemarks),
        .string("ListAgentKey", \.listAgentKey, indexed: true),
        .string("SourceSystemListAgentKey", \.listAgentSourceKey),
        .string("ListOfficeKey", \.listOfficeKey, indexed: true),
        .boolean("NewConstructionYN", \.newConstructionYN),
        .string("BuildingName", \.buildingName, indexed: true),
        .string("UnitNumber", \.unitNumber),
        .string("DevelopmentStatus", \.developmentStatus),
        .string("DevelopmentKey", \.developmentKey, indexed: true),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        FieldRules.checkNotNegative(listPrice, field: "ListPrice", into: &errors)
        FieldRules.checkNotNegative(currentPrice, field: "CurrentPrice", into: &errors)
        FieldRules.checkNotNegative(livingArea, field: "LivingArea", into: &errors)
        FieldRules.checkNotNegative(bedroomsTotal, field: "BedroomsTotal", into: &errors)
        FieldRules.checkNotNegative(bathroomsTotalInteger, field: "BathroomsTotalInteger", into: &errors)
        FieldRules.checkRange(latitude, -90...90, field: "Latitude", into: &errors)
        FieldRules.checkRange(longitude, -180...180, field: "Longitude", into: &errors)
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
