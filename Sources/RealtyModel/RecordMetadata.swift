public import Foundation

/// The identity and provenance every record carries, whatever its resource.
public struct RecordMetadata: Sendable, Hashable {
    /// The hub's own stable key (`MemberKey`, `ListingKey`, ...), assigned when first stored.
    public var key: String?
    /// The vendor the record came from (`pf-expert`, `mycrm`, ...): RESO `SourceSystemName`.
    public var sourceSystemName: String?
    /// The vendor's id for the record (`SourceSystemMemberKey`, ...).
    public var sourceKey: String?
    /// The hub connection the record was read through.
    public var connectionID: String?
    /// When the hub saw the record change, on the hub's clock (never the vendor's).
    public var modificationTimestamp: Date?
    /// When the hub first stored the record.
    public var originalEntryTimestamp: Date?
    /// The vendor's own last-modified time, when it sends one.
    public var sourceModificationTimestamp: Date?
    /// The vendor's own creation time, when it sends one.
    public var sourceEntryTimestamp: Date?
    /// The content hash over the canonical fields (computed by HubStore's `ContentHash`).
    public var contentHash: String?
    /// Whether the record was deleted at the vendor (found missing by a completed full pass or
    /// reported deleted by the vendor).
    public var deleted: Bool
    /// The vendor's payload exactly as received.
    public var raw: JSONValue? {
        didSet { rawText = nil }
    }
    /// The vendor's own JSON text of ``raw``, when the connector kept it (see
    /// ``keepRawText(_:)``): the store saves it instead of serialising ``raw`` again. Setting
    /// ``raw`` drops it, so it never describes another payload. Not part of the record's
    /// equality: it is another spelling of ``raw``.
    public private(set) var rawText: String?

    /// Creates metadata; every field is optional so new records can be built up by mappers.
    public init(
        key: String? = nil, sourceSystemName: String? = nil, sourceKey: String? = nil,
        connectionID: String? = nil, modificationTimestamp: Date? = nil,
        originalEntryTimestamp: Date? = nil, sourceModificationTimestamp: Date? = nil,
        sourceEntryTimestamp: Date? = nil, contentHash: String? = nil, deleted: Bool = false,
        raw: JSONValue? = nil
    ) {
        self.key = key
        self.sourceSystemName = sourceSystemName
        self.sourceKey = sourceKey
        self.connectionID = connectionID
        self.modificationTimestamp = modificationTimestamp
        self.originalEntryTimestamp = originalEntryTimestamp
        self.sourceModificationTimestamp = sourceModificationTimestamp
        self.sourceEntryTimestamp = sourceEntryTimestamp
        self.contentHash = contentHash
        self.deleted = deleted
        self.raw = raw
    }

    /// Keeps `text`, the JSON text ``raw`` was parsed from exactly, as ``rawText``.
    ///
    /// - Parameter text: the vendor's text; it must parse to ``raw`` (checked in debug builds).
    public mutating func keepRawText(_ text: String) {
        assert(raw != nil && (try? JSONValue(parsing: text)) == raw, "the kept text is not the text of raw")
        rawText = text
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key && lhs.sourceSystemName == rhs.sourceSystemName && lhs.sourceKey == rhs.sourceKey
            && lhs.connectionID == rhs.connectionID && lhs.modificationTimestamp == rhs.modificationTimestamp
            && lhs.originalEntryTimestamp == rhs.originalEntryTimestamp
            && lhs.sourceModificationTimestamp == rhs.sourceModificationTimestamp
            && lhs.sourceEntryTimestamp == rhs.sourceEntryTimestamp && lhs.contentHash == rhs.contentHash
            && lhs.deleted == rhs.deleted && lhs.raw == rhs.raw
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(sourceSystemName)
        hasher.combine(sourceKey)
        hasher.combine(connectionID)
        hasher.combine(modificationTimestamp)
        hasher.combine(originalEntryTimestamp)
        hasher.combine(sourceModificationTimestamp)
        hasher.combine(sourceEntryTimestamp)
        hasher.combine(contentHash)
        hasher.combine(deleted)
        hasher.combine(raw)
    }
}

/// The JSON names of the metadata fields, for one resource.
public struct MetadataFieldNames: Sendable {
    public let key: String
    public let sourceKey: String
    public static let sourceSystemName = "SourceSystemName"
    public static let connectionID = "ConnectionId"
    public static let modificationTimestamp = "ModificationTimestamp"
    public static let originalEntryTimestamp = "OriginalEntryTimestamp"
    public static let sourceModificationTimestamp = "SourceModificationTimestamp"
    public static let sourceEntryTimestamp = "SourceEntryTimestamp"
    public static let contentHash = "ContentHash"
    public static let deleted = "DeletedYN"
    public static let raw = "raw"

    /// The names for `resource`.
    public init(_ resource: ResourceName) {
        key = resource.keyField
        sourceKey = resource.sourceKeyField
    }

    /// Every metadata name, in the order JSON coding writes them.
    public var all: [String] {
        [
            key, Self.sourceSystemName, sourceKey, Self.connectionID, Self.modificationTimestamp,
            Self.originalEntryTimestamp, Self.sourceModificationTimestamp, Self.sourceEntryTimestamp,
            Self.contentHash, Self.deleted, Self.raw,
        ]
    }
}
