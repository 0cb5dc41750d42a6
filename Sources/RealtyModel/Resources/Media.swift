public import Foundation

/// A photo or other file of a listing or a member (RESO `Media`; its key field is `MediaKey`).
///
/// Media are children: a connector reads them inside their parent's payload (Apimo
/// `pictures[]`, PF Expert `images[]`, a user's `picture`) and names the parent by its vendor
/// key (`SourceSystemResourceRecordKey`). The store fills `ResourceName` and the parent's hub
/// key (`ResourceRecordKey`) when it writes the parent, and keeps each parent's media set equal
/// to what the parent's last read carried (see `RecordStore.upsert(_:media:scope:cursor:)`).
public struct Media: HubRecord {
    public static let resource = ResourceName.media
    public var metadata: RecordMetadata

    /// The parent's resource: `Property` or `Member`.
    public var resourceName: String?
    /// The parent's hub key (`ListingKey`, `MemberKey`), set by the store.
    public var resourceRecordKey: String?
    /// The parent's vendor key, as the connector read it.
    public var resourceRecordSourceKey: String?
    public var mediaURL: String?
    /// RESO MediaCategory: `Photo`, `Floor Plan`, `Video`, `Document`, `Branded Virtual Tour`, ...
    public var mediaCategory: String?
    /// The position among the parent's media, 0 or more (RESO `Order`).
    public var order: Int?
    public var shortDescription: String?
    public var imageWidth: Int?
    public var imageHeight: Int?
    /// When the vendor last changed the file, when it says.
    public var mediaModificationTimestamp: Date?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    /// The RESO MediaCategory values the hub writes.
    public static let knownCategories = ["Photo", "Floor Plan", "Video", "Document", "Branded Virtual Tour", "Unbranded Virtual Tour"]

    /// The resources that carry media.
    public static let parentResources: [ResourceName] = [.property, .member]

    public static let fields: [Field<Media>] = [
        .string("ResourceName", { $0.resourceName }, { $0.resourceName = $1 }, indexed: true),
        .string("ResourceRecordKey", { $0.resourceRecordKey }, { $0.resourceRecordKey = $1 }, indexed: true),
        .string("SourceSystemResourceRecordKey", { $0.resourceRecordSourceKey }, { $0.resourceRecordSourceKey = $1 }),
        .string("MediaURL", { $0.mediaURL }, { $0.mediaURL = $1 }),
        .string("MediaCategory", { $0.mediaCategory }, { $0.mediaCategory = $1 }, indexed: true),
        .integer("Order", { $0.order }, { $0.order = $1 }),
        .string("ShortDescription", { $0.shortDescription }, { $0.shortDescription = $1 }),
        .integer("ImageWidth", { $0.imageWidth }, { $0.imageWidth = $1 }),
        .integer("ImageHeight", { $0.imageHeight }, { $0.imageHeight = $1 }),
        .timestamp("MediaModificationTimestamp", { $0.mediaModificationTimestamp }, { $0.mediaModificationTimestamp = $1 }),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        FieldRules.checkOneOf(resourceName, Self.parentResources.map(\.rawValue), field: "ResourceName", into: &errors)
        if !FieldRules.isPresent(mediaURL) {
            errors.append(FieldError(field: "MediaURL", message: "is required"))
        } else if let url = mediaURL, !Self.isWebURL(url) {
            errors.append(FieldError(field: "MediaURL", message: "must be an http or https URL"))
        }
        FieldRules.checkOneOf(mediaCategory, Self.knownCategories, field: "MediaCategory", into: &errors)
        FieldRules.checkNotNegative(order, field: "Order", into: &errors)
        FieldRules.checkNotNegative(imageWidth, field: "ImageWidth", into: &errors)
        FieldRules.checkNotNegative(imageHeight, field: "ImageHeight", into: &errors)
        return errors
    }

    /// Whether `text` is an absolute http(s) URL with a host.
    public static func isWebURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
