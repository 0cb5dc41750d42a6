import Crypto
public import RealtyModel

/// The content hash stored with every record (`ContentHash` columns): SHA-256 over the
/// resource name and each non-null canonical value with its field name, in field order.
///
/// Written without generics so bulk callers pay no per-record type lookups. The bytes are
/// gathered into one buffer and hashed in one call (one digest update per piece cost more than
/// SHA-256 itself). The byte layout is part of the stored data: changing it would mark every
/// stored record as changed on the next sync.
public enum ContentHash {
    /// The lowercase hex content hash of `values`.
    /// - Parameters:
    ///   - resource: the resource the values belong to.
    ///   - names: the field names, in ``RealtyModel/HubRecord/fields`` order.
    ///   - values: the values, in the same order.
    public static func compute(resource: ResourceName, names: [String], values: [FieldValue]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(resource.rawValue)
        var index = 0
        while index < values.count, index < names.count {
            let value = values[index]
            if !value.isNull {
                bytes.append(names[index])
                bytes.append(0x1f)
                bytes.append(value)
                bytes.append(0x1e)
            }
            index += 1
        }
        let digest = SHA256.hash(data: bytes)
        return digest.withUnsafeBytes { hex($0) }
    }

    /// Lowercase hex of `bytes`, written straight into the string's storage.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            var position = 0
            for byte in bytes {
                text[position] = digits.utf8Start[Int(byte >> 4)]
                text[position + 1] = digits.utf8Start[Int(byte & 0x0f)]
                position += 2
            }
            return position
        }
    }
}

extension [UInt8] {
    fileprivate mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// A tag byte for the value's kind, then its text.
    fileprivate mutating func append(_ value: FieldValue) {
        switch value {
        case .null:
            break
        case .string(let text):
            append(UInt8(ascii: "s"))
            append(text)
        case .integer(let number):
            append(UInt8(ascii: "i"))
            append(String(number))
        case .decimal(let number):
            append(UInt8(ascii: "d"))
            append(String(number))
        case .boolean(let flag):
            append(UInt8(ascii: "b"))
            append(flag ? 1 : 0)
        case .timestamp(let date):
            append(UInt8(ascii: "t"))
            append(Timestamp.format(date))
        case .date(let text):
            append(UInt8(ascii: "D"))
            append(text)
        case .stringList(let strings):
            append(UInt8(ascii: "l"))
            for string in strings {
                append(string)
                append(0x1d)
            }
        }
    }
}
