public import Foundation

/// `application/x-www-form-urlencoded` encoding (WHATWG URL standard: space as `+`, everything
/// but `*-._` and alphanumerics percent-encoded).
public enum FormEncoding {
    /// Encodes name/value pairs in order.
    ///
    /// - Parameter pairs: the fields.
    /// - Returns: the body bytes.
    public static func encode(_ pairs: [(String, String)]) -> Data {
        Data(pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&").utf8)
    }

    /// Escapes one name or value.
    public static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                result += "+"
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
