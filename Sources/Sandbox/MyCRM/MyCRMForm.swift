import RealtyModel
/// `application/x-www-form-urlencoded` decoding the way PHP fills `$_GET` and `$_POST`:
/// `+` is a space, `%XX` escapes are decoded (invalid ones kept literally), a repeated name
/// keeps its last value, and a name without `=` has an empty value.
enum MyCRMForm {
    /// Decodes a query string or form body.
    static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            guard !name.isEmpty else { continue }
            result[name] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return result
    }

    /// Encodes pairs as a form body (RFC 3986 unreserved characters kept, everything else escaped).
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                // RFC 3986 recommends upper-case hex digits in percent-escapes.
                output += "%" + ByteEncoding.hex([byte]).uppercased()
            }
        }
        return output
    }

    private static func unescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < source.count,
                      let high = ByteEncoding.hexValue(source[index + 1]), let low = ByteEncoding.hexValue(source[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
