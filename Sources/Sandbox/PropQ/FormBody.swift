import Foundation

/// A parsed HTML-form body: the fields of an `application/x-www-form-urlencoded` or a
/// `multipart/form-data` request, in the order they were sent.
///
/// PropQ's token endpoint documents a form-urlencoded body, while the vendor's own PHP example
/// passes an array to `CURLOPT_POSTFIELDS`, which makes curl send `multipart/form-data`. The real
/// server evidently accepts both, so the emulator does too.
struct FormBody: Sendable, Equatable {
    /// One field; `filename` is set when the multipart part carried one (a file upload).
    struct Field: Sendable, Equatable {
        var name: String
        var value: String
        var filename: String?
    }

    var fields: [Field]

    /// The first value sent for `name`, if any.
    subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Why a body could not be read as a form.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Parses `body` according to its `Content-Type` header value.
    /// - Returns: `nil` when the content type is neither form encoding.
    /// - Throws: `ParseError` when the content type is a form encoding but the body is malformed.
    static func parse(contentType: String?, body: [UInt8]) throws(ParseError) -> FormBody? {
        guard let contentType else { return nil }
        let mediaType = MediaType(contentType)
        switch mediaType.type {
        case "application/x-www-form-urlencoded":
            return parseURLEncoded(body)
        case "multipart/form-data":
            guard let boundary = mediaType.parameters["boundary"], !boundary.isEmpty else {
                throw ParseError(description: "multipart/form-data without a boundary parameter")
            }
            return try MultipartFormDataParser(boundary: boundary).parse(body)
        default:
            return nil
        }
    }

    /// Parses `name=value&name=value` with the sandbox's one decoder (``URLEncodedForm``).
    static func parseURLEncoded(_ body: [UInt8]) -> FormBody {
        FormBody(fields: URLEncodedForm.pairs(bytes: body).map { Field(name: $0.name, value: $0.value) })
    }
}

/// A media type split into its lower-cased `type/subtype` and its parameters
/// (parameter names lower-cased, values unquoted).
struct MediaType: Sendable, Equatable {
    var type: String
    var parameters: [String: String]

    init(_ headerValue: String) {
        var pieces = MediaType.splitParameters(headerValue)
        type = pieces.isEmpty ? "" : pieces.removeFirst().trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let rawValue = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            parameters[name] = MediaType.unquote(rawValue)
        }
        self.parameters = parameters
    }

    /// Splits on `;` outside quoted strings.
    static func splitParameters(_ value: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && inQuotes {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                current.append(character)
                inQuotes.toggle()
            } else if character == ";" && !inQuotes {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        result.append(current)
        return result
    }

    /// Removes surrounding double quotes and backslash escapes from a parameter value.
    static func unquote(_ value: String) -> String {
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return value }
        var result = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// A `multipart/form-data` (RFC 7578) parser for a fully collected body.
///
/// It accepts CRLF line endings as the RFC requires and, leniently, bare LF between part headers,
/// ignores the preamble and epilogue, and requires every part to carry a
/// `Content-Disposition: form-data; name="…"` header.
struct MultipartFormDataParser: Sendable {
    /// RFC 2046 limits a boundary to 70 characters.
    static let maximumBoundaryLength = 70
    /// A bound on the number of parts, so a hostile body cannot make the parser allocate without end.
    static let maximumParts = 1_000

    let boundary: String

    func parse(_ body: [UInt8]) throws(FormBody.ParseError) -> FormBody {
        guard !boundary.isEmpty, boundary.utf8.count <= Self.maximumBoundaryLength else {
            throw FormBody.ParseError(description: "the multipart boundary must have 1 to 70 characters")
        }
        let delimiter = Array("--\(boundary)".utf8)
        // The first delimiter may open the body or follow a preamble line.
        guard let first = Self.find(delimiter, in: body, from: 0) else {
            throw FormBody.ParseError(description: "the body does not contain the multipart boundary")
        }
        guard first == 0 || Self.endsWithLineBreak(body, before: first) else {
            throw FormBody.ParseError(description: "the first multipart boundary does not start a line")
        }
        let nextDelimiter = Array("\r\n--\(boundary)".utf8)
        var fields: [FormBody.Field] = []
        var cursor = first + delimiter.count
        while true {
            // After a delimiter: "--" closes the body; otherwise transport padding then a line break.
            if Self.hasPrefix([UInt8(ascii: "-"), UInt8(ascii: "-")], in: body, at: cursor) {
                return FormBody(fields: fields)
            }
            cursor = Self.skipTransportPadding(body, from: cursor)
            guard let afterBreak = Self.skipLineBreak(body, at: cursor) else {
                throw FormBody.ParseError(description: "a multipart boundary is not followed by a line break")
            }
            cursor = afterBreak
            guard fields.count < Self.maximumParts else {
                throw FormBody.ParseError(description: "the multipart body has too many parts")
            }
            let (headers, contentStart) = try Self.parseHeaders(body, from: cursor)
            guard let contentEnd = Self.find(nextDelimiter, in: body, from: contentStart) else {
                throw FormBody.ParseError(description: "the multipart body ends before its closing boundary")
            }
            let content = Array(body[contentStart..<contentEnd])
            guard let disposition = headers["content-disposition"] else {
                throw FormBody.ParseError(description: "a multipart part has no Content-Disposition header")
            }
            let dispositionType = MediaType(disposition)
            guard dispositionType.type == "form-data", let name = dispositionType.parameters["name"] else {
                throw FormBody.ParseError(description: "a multipart part is not form-data with a name")
            }
            fields.append(
                FormBody.Field(
                    name: name,
                    value: String(decoding: content, as: UTF8.self),
                    filename: dispositionType.parameters["filename"]
                )
            )
            cursor = contentEnd + nextDelimiter.count
        }
    }

    /// Reads header lines up to the empty line; returns lower-cased names and the index after the
    /// empty line. Folded (continued) header lines are joined.
    private static func parseHeaders(_ body: [UInt8], from start: Int) throws(FormBody.ParseError) -> ([String: String], Int) {
        var headers: [String: String] = [:]
        var lastName: String?
        var cursor = start
        while true {
            guard let lineEnd = body[cursor...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw FormBody.ParseError(description: "a multipart part's headers are not terminated")
            }
            var line = body[cursor..<lineEnd]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            cursor = lineEnd + 1
            if line.isEmpty { return (headers, cursor) }
            let text = String(decoding: line, as: UTF8.self)
            if let first = text.first, first == " " || first == "\t", let name = lastName {
                headers[name, default: ""] += " " + text.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = text.firstIndex(of: ":") else {
                throw FormBody.ParseError(description: "a multipart header line has no colon")
            }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = value
            lastName = name
        }
    }

    private static func skipTransportPadding(_ body: [UInt8], from index: Int) -> Int {
        var cursor = index
        while cursor < body.count, body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t") {
            cursor += 1
        }
        return cursor
    }

    private static func skipLineBreak(_ body: [UInt8], at index: Int) -> Int? {
        if hasPrefix([UInt8(ascii: "\r"), UInt8(ascii: "\n")], in: body, at: index) { return index + 2 }
        if hasPrefix([UInt8(ascii: "\n")], in: body, at: index) { return index + 1 }
        return nil
    }

    private static func endsWithLineBreak(_ body: [UInt8], before index: Int) -> Bool {
        index > 0 && body[index - 1] == UInt8(ascii: "\n")
    }

    private static func hasPrefix(_ prefix: [UInt8], in body: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + prefix.count <= body.count else { return false }
        return body[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    /// The first index at or after `start` where `needle` occurs in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let firstByte = needle.first, haystack.count >= needle.count else { return nil }
        var index = max(start, 0)
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == firstByte, haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}
