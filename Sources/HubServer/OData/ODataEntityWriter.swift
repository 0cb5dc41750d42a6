import Foundation
import ODataQuery
import RealtyModel

/// Writes records of `R` as OData entities: the properties asked for, each one written even
/// when null (unless `omit-values=nulls`), in the forms of docs/reso-web-api.md §4: strings,
/// JSON numbers (decimals from `Double` in the shortest text that reads back the same),
/// booleans, timestamps as `Timestamp.format` writes them, dates `YYYY-MM-DD`, string lists as
/// arrays (`[]` for none). `DeletedYN` is always false (deleted records are never served) and the
/// vendor payload (`raw`) is never a property.
struct ODataEntityWriter<R: HubRecord>: Sendable {
    /// The properties written, in order.
    let names: [String]
    let omitNulls: Bool
    private let fields: [String: Field<R>]
    private let metadata: MetadataFieldNames

    /// Every property of `R`, in metadata order: the key, the other metadata, then the fields.
    static var allNames: [String] {
        MetadataFieldNames(R.resource).all.filter { $0 != MetadataFieldNames.raw } + R.fields.map(\.name)
    }

    /// A writer of the properties `selection` names (all without one).
    init(selection: ODataSelection?, omitNulls: Bool) {
        switch selection {
        case .properties(let names)?: self.names = names
        case .all?, nil: self.names = Self.allNames
        }
        self.omitNulls = omitNulls
        fields = Dictionary(R.fields.map { ($0.name, $0) }) { first, _ in first }
        metadata = MetadataFieldNames(R.resource)
    }

    /// The store columns to read for this writer plus `extra` (foreign keys of expansions);
    /// `nil` when that is every column.
    func storeFields(adding extra: [String]) -> [String]? {
        var wanted = names.filter { $0 != MetadataFieldNames.deleted }
        for name in extra where !wanted.contains(name) { wanted.append(name) }
        let all = Set(Self.allNames).subtracting([MetadataFieldNames.deleted])
        return Set(wanted).isSuperset(of: all) ? nil : wanted
    }

    /// The value of property `name` of `record`.
    func value(_ name: String, of record: R) -> FieldValue {
        if let field = fields[name] { return field.value(in: record) }
        let data = record.metadata
        switch name {
        case metadata.key: return data.key.map(FieldValue.string) ?? .null
        case metadata.sourceKey: return data.sourceKey.map(FieldValue.string) ?? .null
        case MetadataFieldNames.sourceSystemName: return data.sourceSystemName.map(FieldValue.string) ?? .null
        case MetadataFieldNames.connectionID: return data.connectionID.map(FieldValue.string) ?? .null
        case MetadataFieldNames.contentHash: return data.contentHash.map(FieldValue.string) ?? .null
        case MetadataFieldNames.modificationTimestamp: return data.modificationTimestamp.map(FieldValue.timestamp) ?? .null
        case MetadataFieldNames.originalEntryTimestamp: return data.originalEntryTimestamp.map(FieldValue.timestamp) ?? .null
        case MetadataFieldNames.sourceModificationTimestamp: return data.sourceModificationTimestamp.map(FieldValue.timestamp) ?? .null
        case MetadataFieldNames.sourceEntryTimestamp: return data.sourceEntryTimestamp.map(FieldValue.timestamp) ?? .null
        case MetadataFieldNames.deleted: return .boolean(false)
        default: return .null
        }
    }

    /// The record as an entity object: `leading` members (`@odata.context`), the properties,
    /// then `expanded` navigation properties.
    func entity(_ record: R, leading: [(String, ODataJSON)] = [], expanded: [(String, ODataJSON)] = []) -> ODataJSON {
        var members = leading
        members.reserveCapacity(leading.count + names.count + expanded.count)
        for name in names {
            let value = value(name, of: record)
            if case .null = value {
                if fields[name]?.type == .stringList {
                    members.append((name, .value(.array([]))))
                } else if !omitNulls {
                    members.append((name, .null))
                }
                continue
            }
            members.append((name, .value(value.json)))
        }
        return .object(members + expanded)
    }
}
