public import Foundation

/// Why bytes are not one JSON text, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset of the problem from the start of the text.
    public var offset: Int
    /// What was wrong.
    public var reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted; deeper texts are refused rather than
    /// risking the stack.
    public static let maximumDepth = 512

    /// Parses one JSON text (RFC 8259) keeping every number exactly as written.
    ///
    /// Unlike decoding through `JSONDecoder`, numbers are never converted: an integer beyond 2^53
    /// or a decimal with 30 digits comes back digit for digit in ``jsonText``. Strings must be
    /// valid UTF-8; duplicate object keys keep the last value; nesting deeper than
    /// ``maximumDepth`` is refused.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset and the problem.
    public init(parsing data: Data) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError> = data.withUnsafeBytes { buffer in
            var parser = JSONTextParser(bytes: buffer)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        self = try result.get()
    }

    /// Parses a list answer, a JSON object holding an array under `member`, and keeps the text
    /// of each of that array's elements exactly as the bytes held it.
    ///
    /// A vendor item's own text can be stored as its `raw` without serialising the parsed tree
    /// again (see ``RecordMetadata/rawText``). The texts are slices of `data` and always parse
    /// back to the elements of the returned value: the whole text was checked by this parse
    /// (valid UTF-8, no lone surrogates), and when the object holds `member` twice the texts are
    /// those of the last, as its value is.
    ///
    /// - Parameters:
    ///   - data: the answer's bytes.
    ///   - member: the root object's member holding the list.
    /// - Returns: the parsed answer, and the texts of the array's elements in order (empty when the
    ///   answer is not an object or `member` is missing or not an array).
    /// - Throws: ``JSONParseError`` as ``init(parsing:)-(Data)``.
    public static func parsingList(_ data: Data, member: String) throws(JSONParseError) -> (value: JSONValue, elementTexts: [String]) {
        let result: Result<(JSONValue, [String]), JSONParseError> = data.withUnsafeBytes { buffer in
            var parser = JSONTextParser(bytes: buffer)
            parser.capturedMember = Array(member.utf8)
            return Result { () throws(JSONParseError) in
                let value = try parser.parseDocument()
                let texts = parser.capturedRanges.map { range in
                    String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
                }
                return (value, texts)
            }
        }
        return try result.get()
    }

    /// Parses one JSON text held in a string; see ``init(parsing:)-(Data)``.
    public init(parsing text: String) throws(JSONParseError) {
        try self.init(parsing: Data(text.utf8))
    }
}

/// A recursive-descent reader over the bytes of one JSON text.
private struct JSONTextParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0
    /// A member of the root object whose array elements' byte ranges are recorded into
    /// `capturedRanges` (see ``JSONValue/parsingList(_:member:)``).
    var capturedMember: [UInt8]?
    var capturedRanges: [Range<Int>] = []
    /// The member count of the last object read at each depth: the next object at that depth
    /// (the next item of a list, nearly always of the same shape) reserves that much, instead of
    /// growing and rehashing its dictionary several times.
    var objectSizes: [Int] = []

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected text after the value") }
        return value
    }

    private func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw failure("the text ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character where a value was expected")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure("unknown literal") }
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw failure("unknown literal")
        }
        index += count
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        var position = index
        guard JSONNumber.scanLiteral(bytes, from: &position, end: bytes.count) == true else {
            index = position
            throw failure("malformed number")
        }
        index = position
        return JSONNumber(validatedText: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= JSONValue.maximumDepth else { throw failure("nesting deeper than \(JSONValue.maximumDepth) levels") }
    }

    private mutating func parseArray(recording: Bool = false) throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            let start = index
            elements.append(try parseValue())
            if recording { capturedRanges.append(start..<index) }
            skipWhitespace()
            guard index < bytes.count else { throw failure("the text ends inside an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            } else {
                throw failure("expected , or ] in an array")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        while objectSizes.count <= depth { objectSizes.append(0) }
        var members = [String: JSONValue](minimumCapacity: objectSizes[depth])
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a quoted key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected : after an object key") }
            index += 1
            skipWhitespace()
            if depth == 1, let captured = capturedMember, key.utf8.elementsEqual(captured) {
                // The last occurrence of the member is its value: its texts replace any earlier.
                capturedRanges.removeAll()
                if index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                    members[key] = try parseArray(recording: true)
                } else {
                    members[key] = try parseValue()
                }
            } else {
                members[key] = try parseValue()
            }
            skipWhitespace()
            guard index < bytes.count else { throw failure("the text ends inside an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                objectSizes[depth] = members.count
                depth -= 1
                return .object(members)
            } else {
                throw failure("expected , or } in an object")
            }
        }
    }

    /// Reads a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes between the quotes are the string. ASCII needs no
        // validation (most member names and values are ASCII), and `String(decoding:)` over a
        // buffer of bytes is specialised, where the validating initialiser is generic.
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text =
                    ascii
                    ? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    : try decodeUTF8(start..<index)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw failure("control character in a string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: try decodeUTF8(start..<index).unicodeScalars)
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                index += 1
                scalars.append(try parseEscape())
            default:
                guard byte >= 0x20 else { throw failure("control character in a string") }
                let runStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
                    index += 1
                }
                scalars.append(contentsOf: try decodeUTF8(runStart..<index).unicodeScalars)
            }
        }
        throw failure("the text ends inside a string")
    }

    private func decodeUTF8(_ range: Range<Int>) throws(JSONParseError) -> String {
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw JSONParseError(offset: range.lowerBound, reason: "a string is not valid UTF-8")
        }
        return text
    }

    /// Reads the escape after a backslash.
    private mutating func parseEscape() throws(JSONParseError) -> Unicode.Scalar {
        guard index < bytes.count else { throw failure("the text ends inside an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw failure("a high surrogate without its low surrogate")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("a high surrogate without its low surrogate") }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw failure("invalid surrogate pair") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(UInt32(unit)) else { throw failure("a lone low surrogate") }
            return scalar
        default:
            index -= 1
            throw failure("unknown escape")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw failure("a \\u escape needs four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
