import Foundation

/// A canonical record of one resource: its metadata plus the RESO fields listed in ``fields``.
///
/// Conforming types are plain value types. JSON coding, validation helpers, projection and the
/// content hash (computed in HubStore) all come from the field list, so a resource is declared
/// in one place.
public protocol HubRecord: Sendable, Hashable, Codable {
    /// The resource this type holds.
    static var resource: ResourceName { get }
    /// The canonical fields, in a stable order (the content hash depends on it).
    static var fields: [Field<Self>] { get }
    /// Identity and provenance.
    var metadata: RecordMetadata { get set }
    /// Creates a record with every canonical field empty.
    init(metadata: RecordMetadata)
    /// Checks the record's own rules beyond the field types.
    ///
    /// - Returns: one error per offending field; empty when the record is valid.
    func validate() -> [FieldError]
}

extension HubRecord {
    /// The field named `name`, if the resource has one.
    public static func field(named name: String) -> Field<Self>? {
        fields.first { $0.name == name }
    }

    /// The canonical field values by name (nulls included).
    public var fieldValues: [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        for field in Self.fields { values[field.name] = field.value(in: self) }
        return values
    }

    /// Validation of the field types plus the resource's own rules.
    ///
    /// - Throws: ``ValidationError`` listing every offending field.
    public func validated() throws -> Self {
        let errors = validate()
        if !errors.isEmpty { throw ValidationError(errors: errors) }
        return self
    }
}

// MARK: - JSON coding under RESO names

/// A coding key built at run time from a RESO name.
public struct RESOCodingKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension HubRecord {
    /// Decodes a record from JSON keyed by RESO names. Unknown keys are ignored; a known key
    /// with a value of the wrong type fails with a `DecodingError` naming the field.
    ///
    /// Conforming types call this from their `init(from:)`.
    public init(resoFrom decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: RESOCodingKey.self)
        let names = MetadataFieldNames(Self.resource)
        func date(_ name: String) throws -> Date? {
            guard let text = try container.decodeIfPresent(String.self, forKey: RESOCodingKey(name)) else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: RESOCodingKey(name), in: container,
                    debugDescription: "\(name) must be an ISO 8601 timestamp, got \"\(text)\"")
            }
            return date
        }
        var metadata = RecordMetadata()
        metadata.key = try container.decodeIfPresent(String.self, forKey: RESOCodingKey(names.key))
        metadata.sourceSystemName = try container.decodeIfPresent(
            String.self, forKey: RESOCodingKey(MetadataFieldNames.sourceSystemName))
        metadata.sourceKey = try container.decodeIfPresent(String.self, forKey: RESOCodingKey(names.sourceKey))
        metadata.connectionID = try container.decodeIfPresent(
            String.self, forKey: RESOCodingKey(MetadataFieldNames.connectionID))
        metadata.modificationTimestamp = try date(MetadataFieldNames.modificationTimestamp)
        metadata.originalEntryTimestamp = try date(MetadataFieldNames.originalEntryTimestamp)
        metadata.sourceModificationTimestamp = try date(MetadataFieldNames.sourceModificationTimestamp)
        metadata.sourceEntryTimestamp = try date(MetadataFieldNames.sourceEntryTimestamp)
        metadata.contentHash = try container.decodeIfPresent(String.self, forKey: RESOCodingKey(MetadataFieldNames.contentHash))
        metadata.deleted = try container.decodeIfPresent(Bool.self, forKey: RESOCodingKey(MetadataFieldNames.deleted)) ?? false
        metadata.raw = try container.decodeIfPresent(JSONValue.self, forKey: RESOCodingKey(MetadataFieldNames.raw))

        var record = Self(metadata: metadata)
        for field in Self.fields {
            let key = RESOCodingKey(field.name)
            guard let json = try container.decodeIfPresent(JSONValue.self, forKey: key) else { continue }
            guard let value = FieldValue.from(json: json, as: field.type), field.set(value, in: &record) else {
                throw DecodingError.typeMismatch(
                    JSONValue.self,
                    DecodingError.Context(
                        codingPath: container.codingPath + [key],
                        debugDescription: "\(field.name) must be \(field.type.article)"))
            }
        }
        self = record
    }

    /// Encodes the record as JSON keyed by RESO names, omitting empty fields.
    ///
    /// Conforming types call this from their `encode(to:)`.
    public func encodeRESO(to encoder: any Encoder) throws {
        try encodeRESO(to: encoder, only: nil)
    }

    /// Encodes the record, limited to the fields named in `only` when given (projection). The
    /// hub key is always written so a projected record can still be fetched.
    public func encodeRESO(to encoder: any Encoder, only: Set<String>?) throws {
        var container = encoder.container(keyedBy: RESOCodingKey.self)
        let names = MetadataFieldNames(Self.resource)
        func wanted(_ name: String) -> Bool { only.map { $0.contains(name) } ?? true }
        func put(_ name: String, _ value: String?) throws {
            if let value, wanted(name) { try container.encode(value, forKey: RESOCodingKey(name)) }
        }
        func put(_ name: String, _ value: Date?) throws {
            if let value, wanted(name) { try container.encode(Timestamp.format(value), forKey: RESOCodingKey(name)) }
        }
        if let key = metadata.key { try container.encode(key, forKey: RESOCodingKey(names.key)) }
        try put(MetadataFieldNames.sourceSystemName, metadata.sourceSystemName)
        try put(names.sourceKey, metadata.sourceKey)
        try put(MetadataFieldNames.connectionID, metadata.connectionID)
        try put(MetadataFieldNames.modificationTimestamp, metadata.modificationTimestamp)
        try put(MetadataFieldNames.originalEntryTimestamp, metadata.originalEntryTimestamp)
        try put(MetadataFieldNames.sourceModificationTimestamp, metadata.sourceModificationTimestamp)
        try put(MetadataFieldNames.sourceEntryTimestamp, metadata.sourceEntryTimestamp)
        try put(MetadataFieldNames.contentHash, metadata.contentHash)
        if wanted(MetadataFieldNames.deleted), metadata.deleted || only != nil {
            try container.encode(metadata.deleted, forKey: RESOCodingKey(MetadataFieldNames.deleted))
        }
        for field in Self.fields where wanted(field.name) {
            let value = field.value(in: self)
            if value.isNull { continue }
            try container.encode(value.json, forKey: RESOCodingKey(field.name))
        }
        if let raw = metadata.raw, wanted(MetadataFieldNames.raw) {
            try container.encode(raw, forKey: RESOCodingKey(MetadataFieldNames.raw))
        }
    }

    /// Every name a projection (`fields=`) may ask for: metadata names and canonical fields.
    public static var projectableNames: Set<String> {
        Set(MetadataFieldNames(resource).all).union(fields.map(\.name))
    }
}

extension FieldType {
    /// "a string", "an integer", ... for error messages.
    public var article: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .decimal: return "a number"
        case .boolean: return "a boolean"
        case .timestamp: return "an ISO 8601 timestamp"
        case .date: return "a date (YYYY-MM-DD)"
        case .stringList: return "an array of strings"
        }
    }
}
