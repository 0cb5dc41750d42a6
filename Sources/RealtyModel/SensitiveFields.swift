/// Names of vendor payload fields that must never leave the hub in clear: identity document
/// numbers, social security numbers, passwords and access keys.
///
/// A connector lists its vendor's (``standard`` always applies on top). The store seals these
/// fields inside `raw` with the data folder's key, so nothing the vendor sent is lost but nothing
/// of them can be read back through the API, the CLI or a log; mappings never copy them to RESO
/// fields, and writes (partial by design) never send them back to a vendor.
///
/// Names match at any depth of the payload, ignoring case and punctuation: `password`,
/// `Password` and `pass_word` are the same name, as are `accesskey` and `access_key`.
public struct SensitiveFields: Sendable, Hashable {
    /// The names, normalised (lower case letters and digits only).
    public private(set) var names: Set<String>
    /// The names that are ASCII, as bytes: an ASCII member name is compared with these as it is
    /// folded, without building its normalised string.
    private var asciiNames: [[UInt8]]

    /// Fields sensitive at every vendor: any `password` or `accesskey`.
    public static let standard = SensitiveFields(names: ["password", "accesskey"])

    /// The standard fields plus `names` (as the vendor spells them).
    public init(_ names: some Sequence<String>) {
        self.init(names: Self.standard.names.union(names.map(Self.normalise)))
    }

    private init(names: Set<String>) {
        self.names = names
        asciiNames = names.filter { $0.utf8.allSatisfy { $0 < 0x80 } }.sorted().map { Array($0.utf8) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.names == rhs.names }

    public func hash(into hasher: inout Hasher) { hasher.combine(names) }

    /// Whether an object member named `key` is sensitive.
    public func contains(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { contains(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Whether an object member whose name has the UTF-8 bytes `key` is sensitive.
    ///
    /// Every member name of every stored payload is asked about, so an ASCII name (nearly all
    /// of them) is folded and compared byte by byte with each name, stopping at the first
    /// difference, and nothing is allocated; only a name with other characters takes the
    /// Unicode path. (Building the normalised string for every member measured 14% of a sync's
    /// CPU; the set lookup after it, with its hashing, about 4% more.)
    public func contains(utf8 key: UnsafeRawBufferPointer) -> Bool {
        if key.contains(where: { $0 >= 0x80 }) {
            return names.contains(Self.normalise(String(decoding: key, as: UTF8.self)))
        }
        for name in asciiNames where Self.folds(key, to: name) { return true }
        return false
    }

    /// Whether the ASCII bytes `key`, lower-cased and without anything but letters and digits,
    /// are `name`.
    private static func folds(_ key: UnsafeRawBufferPointer, to name: [UInt8]) -> Bool {
        var position = 0
        for var byte in key {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                byte += 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                break
            default:
                continue
            }
            guard position < name.count, name[position] == byte else { return false }
            position += 1
        }
        return position == name.count
    }

    /// `key` in lower case without anything but letters and digits.
    ///
    /// An ASCII name is folded byte by byte; only a name with other characters takes the Unicode
    /// path (the same result for ASCII).
    static func normalise(_ key: String) -> String {
        var folded: [UInt8] = []
        folded.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                folded.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                folded.append(byte + 32)
            case 0x80...:
                return String(
                    String.UnicodeScalarView(
                        key.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
            default:
                continue
            }
        }
        return String(decoding: folded, as: UTF8.self)
    }
}

/// How a sealed field looks inside a stored `raw` payload: `{"$sealed": "<key id>:<base64>"}`.
///
/// The API and CLI show only `{"$sealed": true}`: they never return the ciphertext either.
public enum SealedField {
    /// The member name of the sealed envelope.
    public static let marker = "$sealed"

    /// Whether `value` is a sealed envelope (stored or redacted form).
    public static func isEnvelope(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value, members.count == 1, let inner = members[marker] else { return false }
        switch inner {
        case .string, .bool: return true
        default: return false
        }
    }

    /// `raw` with every sealed envelope reduced to `{"$sealed": true}`, for output.
    public static func redacted(_ raw: JSONValue) -> JSONValue {
        switch raw {
        case .object(let members):
            if isEnvelope(raw) { return .object([marker: .bool(true)]) }
            return .object(members.mapValues(redacted))
        case .array(let elements):
            return .array(elements.map(redacted))
        default:
            return raw
        }
    }
}
