public import Foundation

/// A CRM activity: a call, email, visit, property view, note, WhatsApp message, ...
/// (a RealtyHub extension in RESO style; RESO has no CRM activity resource).
public struct Activity: HubRecord {
    public static let resource = ResourceName.activity
    public var metadata: RecordMetadata

    /// `call`, `email`, `visit`, `view`, `note`, `whatsapp`, `meeting`, `task`, `other`.
    public var activityType: String?
    /// `inbound` or `outbound`.
    public var direction: String?
    public var subject: String?
    public var body: String?
    public var startTimestamp: Date?
    public var endTimestamp: Date?
    public var contactKey: String?
    public var contactSourceKey: String?
    public var ownerMemberKey: String?
    public var ownerMemberSourceKey: String?
    public var listingKey: String?
    public var listingSourceKey: String?

    public init(metadata: RecordMetadata = RecordMetadata()) { self.metadata = metadata }

    /// The activity types the hub knows.
    public static let knownTypes = ["call", "email", "visit", "view", "note", "whatsapp", "meeting", "task", "sms", "other"]

    public static let fields: [Field<Activity>] = [
        .string("ActivityType", \.activityType, indexed: true),
        .string("ActivityDirection", \.direction),
        .string("ActivitySubject", \.subject),
        .string("ActivityBody", \.body),
        .timestamp("ActivityStartTimestamp", \.startTimestamp, indexed: true),
        .timestamp("ActivityEndTimestamp", \.endTimestamp),
        .string("ContactKey", \.contactKey, indexed: true),
        .string("SourceSystemContactKey", \.contactSourceKey),
        .string("OwnerMemberKey", \.ownerMemberKey, indexed: true),
        .string("SourceSystemOwnerMemberKey", \.ownerMemberSourceKey),
        .string("ListingKey", \.listingKey, indexed: true),
        .string("SourceSystemListingKey", \.listingSourceKey),
    ]

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(activityType) {
            errors.append(FieldError(field: "ActivityType", message: "is required"))
        } else {
            FieldRules.checkOneOf(activityType, Self.knownTypes, field: "ActivityType", into: &errors)
        }
        FieldRules.checkOneOf(direction, ["inbound", "outbound"], field: "ActivityDirection", into: &errors)
        if let start = startTimestamp, let end = endTimestamp, end < start {
            errors.append(FieldError(field: "ActivityEndTimestamp", message: "must not be before ActivityStartTimestamp"))
        }
        return errors
    }

    public init(from decoder: any Decoder) throws { try self.init(resoFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeRESO(to: encoder) }
}
