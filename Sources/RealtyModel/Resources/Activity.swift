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
        .string("ActivityType", { $0.activityType }, { $0.activityType = $1 }, indexed: true),
        .string("ActivityDirection", { $0.direction }, { $0.direction = $1 }),
        .string("ActivitySubject", { $0.subject }, { $0.subject = $1 }),
        .string("ActivityBody", { $0.body }, { $0.body = $1 }),
        .timestamp("ActivityStartTimestamp", { $0.startTimestamp }, { $0.startTimestamp = $1 }, indexed: true),
        .timestamp("ActivityEndTimestamp", { $0.endTimestamp }, { $0.endTimestamp = $1 }),
        .string("ContactKey", { $0.contactKey }, { $0.contactKey = $1 }, indexed: true),
        .string("SourceSystemContactKey", { $0.contactSourceKey }, { $0.contactSourceKey = $1 }),
        .string("OwnerMemberKey", { $0.ownerMemberKey }, { $0.ownerMemberKey = $1 }, indexed: true),
        .string("SourceSystemOwnerMemberKey", { $0.ownerMemberSourceKey }, { $0.ownerMemberSourceKey = $1 }),
        .string("ListingKey", { $0.listingKey }, { $0.listingKey = $1 }, indexed: true),
        .string("SourceSystemListingKey", { $0.listingSourceKey }, { $0.listingSourceKey = $1 }),
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
