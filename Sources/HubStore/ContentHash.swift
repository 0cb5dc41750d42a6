import Crypto
public import RealtyModel

/// The content hash stored with every record (`ContentHash` columns): SHA-256 over the
/// resource name and each non-null canonical value with its field name, in field order.
///
/// Written without generics so bulk callers pay no per-record type lookups, and fed to the
/// hasher piece by piece (no intermediate buffer). The byte layout is part of the stored data:
/// changing it would mark every stored record as changed on the next sync.
public enum ContentHash {
    /// The lowercase hex content hash of `values`.
    /// - Parameters:
    ///   - resource: the resource the values belong to.
    ///   - names: the field names, in ``RealtyModel/HubRecord/fields`` order.
    ///   - values: the values, in the same order.
    public static func compute(resource: ResourceName, names: [String], values: [FieldValue]) -> String {
        var hasher = SHA256()
        hasher.update(resource.rawValue)
        var index = 0
        while index < values.count, index < names.count {
            let value = values[index]
            if !value.isNull {
                hasher.update(names[index])
                hasher.update(byte: 0x1f)
                hasher.update(value)
                hasher.update(byte: 0x1e)
            }
            index += 1
        }
        return ByteEncoding.hex(hasher.finalize())
    }
}

extension SHA256 {
    fileprivate mutating func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update(bufferPointer: $0) }
    }

    fileprivate mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    /// A tag byte for the value's kind, then its text.
    fileprivate mutating func update(_ value: FieldValue) {
        switch value {
        case .null:
            break
        case .string(let text):
            update(byte: UInt8(ascii: "s"))
            update(text)
        case .integer(let number):
            update(byte: UInt8(ascii: "i"))
            update(String(number))
        case .decimal(let number):
            update(byte: UInt8(ascii: "d"))
            update(String(number))
        case .boolean(let flag):
            update(byte: UInt8(ascii: "b"))
            update(byte: flag ? 1 : 0)
        case .timestamp(let date):
            update(byte: UInt8(ascii: "t"))
            update(Timestamp.format(date))
        case .date(let text):
            update(byte: UInt8(ascii: "D"))
            update(text)
        case .stringList(let strings):
            update(byte: UInt8(ascii: "l"))
            for string in strings {
                update(string)
                update(byte: 0x1d)
            }
        }
    }
}
