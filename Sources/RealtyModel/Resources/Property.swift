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
        .string("ListingId", { $0.listingID }, { $0.listingID = $1 }, indexed: true),
        .string("StandardStatus", { $0.standardStatus }, { $0.standardStatus = $1 }, indexed: true),
        .string("PropertyType", { $0.propertyType }, { $0.propertyType = $1 }, indexed: true),
        .string("PropertySubType", { $0.propertySubType }, { $0.propertySubType = $1 }),
        .decimal("ListPrice", { $0.listPrice }, { $0.listPrice = $1 }),
        .decimal("CurrentPrice", { $0.currentPrice }, { $0.currentPrice = $1 }),
        .string("UnparsedAddress", { $0.unparsedAddress }, { $0.unparsedAddress = $1 }),
        .string("City", { $0.city }, { $0.city = $1 }, indexed: true),
        .string("StateOrProvince", { $0.stateOrProvince }, { $0.stateOrProvince = $1 }),
        .string("PostalCode", { $0.postalCode }, { $0.postalCode = $1 }, indexed: true),
        .string("Country", { $0.country }, { $0.country = $1 }, indexed: true),
        .decimal("Latitude", { $0.latitude }, { $0.latitude = $1 }),
        .decimal("Longitude", { $0.longitude }, { $0.longitude = $1 }),
        .integer("BedroomsTotal", { $0.bedroomsTotal }, { $0.bedroomsTotal = $1 }),
        .integer("BathroomsTotalInteger", { $0.bathroomsTotalInteger }, { $0.bathroomsTotalInteger = $1 }),
        .decimal("LivingArea", { $0.livingArea }, { $0.livingArea = $1 }),
        .string("LivingAreaUnits", { $0.livingAreaUnits }, { $0.livingAreaUnits = $1 }),
        .string("PublicRemarks", { $0.publicRemarks }, { $0.publicRemarks = $1 }),
        .string("ListAgentKey", { $0.listAgentKey }, { $0.listAgentKey = $1 }, indexed: true),
        .string("SourceSystemListAgentKey", { $0.listAgentSourceKey }, { $0.listAgentSourceKey = $1 }),
        .string("ListOfficeKey", { $0.listOfficeKey }, { $0.listOfficeKey = $1 }, indexed: true),
        .boolean("NewConstructionYN", { $0.newConstructionYN }, { $0.newConstructionYN = $1 }),
        .string("BuildingName", { $0.buildingName }, { $0.buildingName = $1 }, indexed: true),
        .string("UnitNumber", { $0.unitNumber }, { $0.unitNumber = $1 }),
        .string("DevelopmentStatus", { $0.developmentStatus }, { $0.developmentStatus = $1 }),
        .string("DevelopmentKey", { $0.developmentKey }, { $0.developmentKey = $1 }, indexed: true),
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
