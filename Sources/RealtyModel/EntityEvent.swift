public import Foundation

/// One entry of the hub's change feed (RESO `EntityEvent`): a record of `ResourceName` with key
/// `ResourceRecordKey` was created, updated or deleted. Sequences only grow.
public struct EntityEvent: Sendable, Hashable, Codable {
    /// What happened to the record.
    public enum Change: String, Sendable, Hashable, Codable {
        case created
        case updated
        case deleted
    }

    /// The event's position in the feed (RESO `EntityEventSequence`), strictly increasing.
    public var sequence: Int64
    /// The resource (RESO `ResourceName`).
    public var resourceName: ResourceName
    /// The hub key of the record (RESO `ResourceRecordKey`).
    public var resourceRecordKey: String
    /// What happened (a RealtyHub extension).
    public var change: Change
    /// The connection the change came through.
    public var connectionID: String?
    /// When the hub recorded the change.
    public var timestamp: Date

    public init(
        sequence: Int64, resourceName: ResourceName, resourceRecordKey: String, change: Change,
        connectionID: String?, timestamp: Date
    ) {
        self.sequence = sequence
        self.resourceName = resourceName
        self.resourceRecordKey = resourceRecordKey
        self.change = change
        self.connectionID = connectionID
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case sequence = "EntityEventSequence"
        case resourceName = "ResourceName"
        case resourceRecordKey = "ResourceRecordKey"
        case change = "EventType"
        case connectionID = "ConnectionId"
        case timestamp = "ModificationTimestamp"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decode(Int64.self, forKey: .sequence)
        resourceName = try container.decode(ResourceName.self, forKey: .resourceName)
        resourceRecordKey = try container.decode(String.self, forKey: .resourceRecordKey)
        change = try container.decode(Change.self, forKey: .change)
        connectionID = try container.decodeIfPresent(String.self, forKey: .connectionID)
        let text = try container.decode(String.self, forKey: .timestamp)
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .timestamp, in: container, debugDescription: "not an ISO 8601 timestamp: \(text)")
        }
        timestamp = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(resourceName, forKey: .resourceName)
        try container.encode(resourceRecordKey, forKey: .resourceRecordKey)
        try container.encode(change, forKey: .change)
        try container.encodeIfPresent(connectionID, forKey: .connectionID)
        try container.encode(Timestamp.format(timestamp), forKey: .timestamp)
    }
}
