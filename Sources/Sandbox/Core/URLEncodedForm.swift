import RealtyModel

/// The sandbox's one `application/x-www-form-urlencoded` reader, for the query strings and form
/// bodies of every emulator (the emulators never write forms; tests encode with the connectors'
/// `FormEncoding`).
///
/// Reading chosen: PHP's, which fills `$_GET` and `$_POST` on the vendors that document their
/// forms (MyCRM is vtiger's PHP, PropQ is Laravel, PF Expert's examples are PHP): pairs are split
/// on `&` and at the first `=`; `+` is a space; `%XX` escapes decode to bytes and the bytes to
/// UTF-8 (invalid sequences become U+FFFD); a malformed escape (`%zz`, a trailing `%4`) is kept
/// literally; a name without `=` has an empty value; a pair with an empty name is dropped. Names
/// are not interpreted: PHP-style `a[]` or `filters[created][from]` stay whole names (decoded),
/// and each emulator reads them as its vendor does. A repeated name keeps every value in order;
/// ``QueryItems`` answers the last one, as PHP does.
enum URLEncodedForm {
    /// The pairs of a query string (without `?`) or form body, in order.
    static func pairs(_ text: String) -> [(name: String, value: String)] {
        pairs(bytes: Array(text.utf8))
    }

    /// The pairs of a form body's bytes, in order.
    static func pairs(bytes: [UInt8]) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            guard !name.isEmpty else { continue }
            result.append((name, parts.count > 1 ? unescape(parts[1]) : ""))
        }
        return result
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), bytes.endIndex - index >= 3,
                let high = ByteEncoding.hexValue(bytes[index + 1]), let low = ByteEncoding.hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
