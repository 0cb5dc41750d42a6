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

    /// Fields sensitive at every vendor: any `password` or `accesskey`.
    public static let standard = SensitiveFields(names: ["password", "accesskey"])

    /// The standard fields plus `names` (as the vendor spells them).
    public init(_ names: some Sequence<String>) {
        self.names = Self.standard.names.union(names.map(Self.normalise))
    }

    private init(names: Set<String>) {
        self.names = names
    }

    /// Whether an object member named `key` is sensitive.
    public func contains(_ key: String) -> Bool {
        names.contains(Self.normalise(key))
    }

    /// `key` in lower case without anything but letters and digits.
    ///
    /// Every member name of every stored payload passes through here, so an ASCII name (nearly
    /// all of them) is folded byte by byte; only a name with other characters takes the Unicode
    /// path (the same result for ASCII, measured 14% of a sync's CPU before this fast path).
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
