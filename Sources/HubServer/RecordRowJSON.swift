import HubStore
import RealtyModel
import Synchronization

/// Writes records as the API's JSON straight from stored rows, byte for byte what
/// ``RecordJSON`` writes through `JSONEncoder` (keys sorted by their UTF-8 bytes, slashes not
/// escaped, empty values left out), without decoding a record or building a tree per record.
///
/// It covers the plain columns: the metadata but `raw`, and text, date, timestamp, integer and
/// boolean fields. Anything else, and any stored value it does not write exactly as the typed
/// path would (not valid UTF-8, a NUL, a timestamp not in the hub's own form, a value of the
/// wrong type), makes it throw ``RowJSON/Declined``, and the route answers through the typed path.
struct RecordRowWriter<R: HubRecord>: Sendable {
    enum Kind: Sendable {
        case text, timestamp, date, integer, boolean, deleted
    }

    struct Column: Sendable {
        var index: Int
        var name: String
        /// `"Name":`
        var prefix: [UInt8]
        var kind: Kind
    }

    /// The columns to write, in key order.
    let columns: [Column]
    /// The index of the `ContentHash` column, when read.
    let contentHashIndex: Int?

    /// Whether every name of the projection is a plain column.
    static func supports(_ only: Set<String>) -> Bool {
        only.isSubset(of: ResourceNames.of(R.self).plain)
    }

    static func kind(_ type: FieldType) -> Kind? {
        switch type {
        case .string: return .text
        case .date: return .date
        case .timestamp: return .timestamp
        case .integer: return .integer
        case .boolean: return .boolean
        case .decimal, .stringList: return nil
        }
    }

    /// The layout of `plan`'s row for the projection `only`.
    /// - Throws: ``RowJSON/Declined`` when a projected column is not a plain one.
    init(_ plan: ListPlan<R>, only: Set<String>) throws {
        let names = MetadataFieldNames(R.resource)
        var columns: [Column] = []
        var contentHashIndex: Int?
        func add(_ index: Int, _ name: String, _ kind: Kind) {
            columns.append(Column(index: index, name: name, prefix: Array("\"\(name)\":".utf8), kind: kind))
        }
        for (index, name) in plan.metadataColumns.enumerated() {
            if name == MetadataFieldNames.contentHash { contentHashIndex = index }
            // The key is always written; the others when projected.
            guard name == names.key || only.contains(name) else { continue }
            switch name {
            case MetadataFieldNames.raw: throw RowJSON.Declined()
            case MetadataFieldNames.deleted: add(index, name, .deleted)
            case MetadataFieldNames.modificationTimestamp, MetadataFieldNames.originalEntryTimestamp,
                MetadataFieldNames.sourceModificationTimestamp, MetadataFieldNames.sourceEntryTimestamp:
                add(index, name, .timestamp)
            default: add(index, name, .text)
            }
        }
        let offset = plan.metadataColumns.count
        for (index, field) in plan.fields.enumerated() where only.contains(field.name) {
            guard let kind = Self.kind(field.type) else { throw RowJSON.Declined() }
            add(offset + index, field.name, kind)
        }
        // JSONEncoder's sorted keys: by their UTF-8 bytes.
        self.columns = columns.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.contentHashIndex = contentHashIndex
    }

    /// The record's `ContentHash` (its ETag), when stored as text.
    func contentHash(_ rows: any StoredRows) throws -> String? {
        guard let contentHashIndex else { return nil }
        switch rows.cell(contentHashIndex) {
        case .null: return nil
        case .text(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self), !text.utf8.contains(0) else { throw RowJSON.Declined() }
            return text
        default: throw RowJSON.Declined()
        }
    }

    /// Appends the current row as one JSON object.
    func write(_ rows: any StoredRows, into out: inout [UInt8]) throws {
        out.append(UInt8(ascii: "{"))
        var first = true
        for column in columns {
            let cell = rows.cell(column.index)
            if case .null = cell {
                // The typed path writes DeletedYN whenever it is projected; other nulls are left out.
                guard column.kind == .deleted else { continue }
            }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: column.prefix)
            switch (column.kind, cell) {
            case (.deleted, .null): RowJSON.append(false, into: &out)
            case (.deleted, .integer(let number)), (.boolean, .integer(let number)): RowJSON.append(number != 0, into: &out)
            case (.integer, .integer(let number)): RowJSON.append(number, into: &out)
            case (.text, .text(let bytes)): try RowJSON.appendString(bytes, into: &out)
            case (.date, .text(let bytes)):
                guard RowJSON.isDate(bytes) else { throw RowJSON.Declined() }
                try RowJSON.appendString(bytes, into: &out)
            case (.timestamp, .text(let bytes)):
                guard RowJSON.isCanonicalTimestamp(bytes) else { throw RowJSON.Declined() }
                try RowJSON.appendString(bytes, into: &out)
            default: throw RowJSON.Declined()
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Writes a list page: `{"count":…,"page":…,"per_page":…,"value":[…]}`, as
    /// ``RecordListJSON`` does.
    func page(total: Int, page: Int, perPage: Int, rows: any StoredRows) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + perPage * 64 * max(1, columns.count))
        out.append(contentsOf: Array(#"{"count":"#.utf8))
        RowJSON.append(Int64(total), into: &out)
        out.append(contentsOf: Array(#","page":"#.utf8))
        RowJSON.append(Int64(page), into: &out)
        out.append(contentsOf: Array(#","per_page":"#.utf8))
        RowJSON.append(Int64(perPage), into: &out)
        out.append(contentsOf: Array(#","value":["#.utf8))
        var first = true
        while try rows.next() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            try write(rows, into: &out)
        }
        out.append(contentsOf: Array("]}".utf8))
        return out
    }
}

/// The names the record routes check every request against, per resource, made once.
enum ResourceNames {
    struct Names: Sendable {
        /// What `fields=` accepts.
        let projectable: Set<String>
        /// What a record shows without `fields=`: everything but `raw`.
        let defaultProjection: Set<String>
        /// The names ``RecordRowWriter`` writes.
        let plain: Set<String>
    }

    private static let cache = Mutex<[ResourceName: Names]>([:])

    static func of<R: HubRecord>(_ type: R.Type) -> Names {
        if let known = cache.withLock({ $0[R.resource] }) { return known }
        let projectable = R.projectableNames
        let defaultProjection = projectable.subtracting([MetadataFieldNames.raw])
        let plain = defaultProjection.subtracting(R.fields.filter { RecordRowWriter<R>.kind($0.type) == nil }.map(\.name))
        let names = Names(projectable: projectable, defaultProjection: defaultProjection, plain: plain)
        cache.withLock { $0[R.resource] = names }
        return names
    }
}

/// The values ``RecordRowWriter`` writes, as `JSONEncoder` writes them.
enum RowJSON {
    /// The fast path does not apply; answer through the typed path.
    struct Declined: Error {}

    static func append(_ flag: Bool, into out: inout [UInt8]) {
        out.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
    }

    static func append(_ number: Int64, into out: inout [UInt8]) {
        // Up to 15 digits this is a small string: no allocation.
        out.append(contentsOf: String(number).utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends stored text as a JSON string, escaped as `JSONEncoder` escapes it: `"` and `\`,
    /// the short forms `\b \t \n \f \r`, other control characters as `\u00xx`, nothing else.
    /// - Throws: ``Declined`` for a NUL (the typed path's strings end there) or bytes that are
    ///   not UTF-8 (the typed path repairs them).
    static func appendString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        out.append(UInt8(ascii: "\""))
        var start = 0
        var ascii = true
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                if byte >= 0x80 { ascii = false }
                continue
            }
            if start < index { out.append(contentsOf: bytes[start..<index]) }
            start = index + 1
            switch byte {
            case 0: throw Declined()
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        if start < bytes.count { out.append(contentsOf: bytes[start...]) }
        if !ascii, String(validating: bytes, as: UTF8.self) == nil { throw Declined() }
        out.append(UInt8(ascii: "\""))
    }

    /// The number written by `width` ASCII digits at `offset`, or nil.
    private static func number(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ width: Int) -> Int? {
        var value = 0
        for index in offset..<(offset + width) {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether `bytes` is a real `YYYY-MM-DD` date (what the typed path accepts).
    static func isDate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2)
        else { return false }
        return CalendarDate.isValid(year: year, month: month, day: day)
    }

    /// Whether `bytes` is a timestamp exactly as `Timestamp.format` writes it
    /// (`YYYY-MM-DDTHH:MM:SS.mmmZ`, a real instant from 1900 on), which the typed path's parse
    /// and format give back unchanged.
    static func isCanonicalTimestamp(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
            bytes[23] == UInt8(ascii: "Z"),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
            number(bytes, 20, 3) != nil
        else { return false }
        return year >= 1900 && hour < 24 && minute < 60 && second < 60
            && CalendarDate.isValid(year: year, month: month, day: day)
    }
}
