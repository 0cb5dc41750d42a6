import Foundation
import HTTPTypes
import Hummingbird

/// The OData protocol version a response is written in (docs/reso-web-api.md Q3).
enum ODataVersion: String, Sendable {
    case v4 = "4.0"
    case v401 = "4.01"

    /// The version to answer with: 4.01, or 4.0 when the request's `OData-Version` or
    /// `OData-MaxVersion` says 4.0 (C4, C5, C7).
    ///
    /// - Throws: ``ODataError`` 400 for an `OData-Version` other than 4.0 or 4.01 (C6), or an
    ///   `OData-MaxVersion` below 4.0 or not a version.
    static func negotiate(_ headers: HTTPFields) throws -> ODataVersion {
        var answer = ODataVersion.v401
        if let requested = headers[.odataVersion]?.trimmingCharacters(in: .whitespaces) {
            guard let version = ODataVersion(rawValue: requested) else {
                throw ODataError.badRequest("OData-Version \(requested) is not supported; send 4.0 or 4.01", target: "OData-Version")
            }
            answer = version
        }
        if let maximum = headers[.odataMaxVersion]?.trimmingCharacters(in: .whitespaces) {
            guard let (major, minor) = parse(maximum), major >= 4 else {
                throw ODataError.badRequest(
                    "OData-MaxVersion \(maximum) is below what the hub serves (4.0 and 4.01)", target: "OData-MaxVersion")
            }
            if major == 4, minor < 1 { answer = .v4 }
        }
        return answer
    }

    /// `major.minor` as numbers (`4.01` is 4 and 1).
    private static func parse(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else { return nil }
        return (major, minor)
    }
}

/// What a path under `/odata` addresses.
enum ODataPath: Equatable, Sendable {
    /// `/odata` or `/odata/`.
    case serviceDocument
    /// `/odata/$metadata`.
    case metadata
    /// `/odata/<Set>`.
    case collection(String)
    /// `/odata/<Set>/$count`.
    case count(String)
    /// `/odata/<Set>('<key>')`.
    case entity(String, key: String)
    /// `/odata/<Set>('<key>')/<Navigation>`.
    case navigation(String, key: String, property: String)

    /// The entity set the path names, if any.
    var entitySet: String? {
        switch self {
        case .serviceDocument, .metadata: return nil
        case .collection(let set), .count(let set), .entity(let set, _), .navigation(let set, _, _): return set
        }
    }

    /// Reads a request path (as sent: percent-encoded).
    ///
    /// Segments are split on `/` before percent-decoding, so a key may hold an encoded `/`;
    /// a key is a quoted string with `'` doubled (`Property('O''Brien')`), or digits (for
    /// `EntityEvent(12)`).
    /// - Throws: ``ODataError`` 404 for a path that addresses nothing, 400 for a malformed key.
    init(parsing path: String) throws {
        guard path == "/odata" || path.hasPrefix("/odata/") else { throw ODataError.notFound("no such OData resource") }
        var segments = path.dropFirst("/odata".count).split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        // One trailing slash is tolerated (`/odata/`, `/odata/Property/`).
        if segments.last == "" { segments = segments.dropLast() }
        var decoded: [String] = []
        for segment in segments {
            guard let text = ODataQueryString.percentDecode(segment, plusIsSpace: false) else {
                throw ODataError.badRequest("the path is not valid percent-encoded UTF-8")
            }
            decoded.append(text)
        }
        guard let first = decoded.first else {
            self = .serviceDocument
            return
        }
        if first == "$metadata", decoded.count == 1 {
            self = .metadata
            return
        }
        guard let open = first.firstIndex(of: "(") else {
            switch decoded.count {
            case 1: self = .collection(first)
            case 2 where decoded[1] == "$count": self = .count(first)
            default: throw ODataError.notFound("no such OData resource: \(path)")
            }
            return
        }
        let set = String(first[..<open])
        let key = try Self.key(first[first.index(after: open)...], set: set)
        switch decoded.count {
        case 1: self = .entity(set, key: key)
        case 2: self = .navigation(set, key: key, property: decoded[1])
        default: throw ODataError.notFound("no such OData resource: \(path)")
        }
    }

    /// The key inside `( … )`: `'text'` with `''` for a quote, or a whole number.
    private static func key(_ rest: Substring, set: String) throws -> String {
        guard rest.last == ")" else { throw ODataError.badRequest("a key is written \(set)('<key>')") }
        let inner = rest.dropLast()
        if !inner.isEmpty, inner.allSatisfy({ $0.isASCII && $0.isNumber }) { return String(inner) }
        guard inner.count >= 2, inner.first == "'", inner.last == "'" else {
            throw ODataError.badRequest("a key is a quoted string: \(set)('<key>'), with ' written ''")
        }
        var key = ""
        var pendingQuote = false
        for character in inner.dropFirst().dropLast() {
            if pendingQuote {
                guard character == "'" else { throw ODataError.badRequest("a ' inside a key is written ''") }
                key.append("'")
                pendingQuote = false
            } else if character == "'" {
                pendingQuote = true
            } else {
                key.append(character)
            }
        }
        guard !pendingQuote else { throw ODataError.badRequest("a ' inside a key is written ''") }
        return key
    }

    /// A key as it appears in a URL path: quoted, `'` doubled, percent-encoded.
    static func keySegment(_ key: String) -> String {
        "('" + ODataQueryString.percentEncode(key.replacingOccurrences(of: "'", with: "''")) + "')"
    }
}

/// A request's query string, kept both as written (for next links) and decoded (for the parser).
struct ODataQueryString: Sendable {
    /// Each `name=value` pair as sent.
    var raw: [(name: Substring, value: Substring)]
    /// Each pair percent-decoded, `+` as a space (Q21), in request order.
    var decoded: [(name: String, value: String)]

    /// Splits and decodes `query` (the text after `?`).
    /// - Throws: ``ODataError`` 400 for a malformed percent escape or text that is not UTF-8.
    init(_ query: String?) throws {
        raw = []
        decoded = []
        guard let query else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let name = equals.map { pair[..<$0] } ?? pair
            let value = equals.map { pair[pair.index(after: $0)...] } ?? ""
            guard let decodedName = Self.percentDecode(name, plusIsSpace: true),
                let decodedValue = Self.percentDecode(value, plusIsSpace: true)
            else {
                throw ODataError.badRequest("the query string is not valid percent-encoded UTF-8 (near '\(String(name.prefix(40)))')")
            }
            raw.append((name, value))
            decoded.append((decodedName, decodedValue))
        }
    }

    /// The decoded value of the first option called `name`.
    func value(_ name: String) -> String? { decoded.first { $0.name == name }?.value }

    /// The system query options (`$…`) but `$format`, which the route handles itself.
    var systemOptions: [(name: String, value: String)] { decoded.filter { $0.name.hasPrefix("$") && $0.name != "$format" } }

    /// The query string as sent, without the options in `dropping` (decoded names), followed
    /// by `extra` (encoded here).
    func rewritten(dropping: Set<String>, adding extra: [(String, String)]) -> String {
        var parts: [String] = []
        for (index, pair) in raw.enumerated() where !dropping.contains(decoded[index].name) {
            parts.append(pair.value.isEmpty && !pair.name.isEmpty ? "\(pair.name)=" : "\(pair.name)=\(pair.value)")
        }
        for (name, value) in extra { parts.append(Self.percentEncode(name) + "=" + Self.percentEncode(value)) }
        return parts.joined(separator: "&")
    }

    /// Percent-decodes `text`; `nil` for a malformed escape or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace: bytes.append(UInt8(ascii: " "))
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Percent-encodes all but RFC 3986's unreserved characters and `$ ' ( ) , :` (which OData
    /// URLs use literally and which mean nothing special in a query value or path segment).
    static func percentEncode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "$"), UInt8(ascii: "'"),
                UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ":"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The request's `Prefer` preferences the hub acts on (C8, C66).
struct ODataPreferences: Sendable {
    /// The page size asked for with `odata.maxpagesize` (or 4.01's `maxpagesize`).
    var maxPageSize: Int?
    /// `omit-values=nulls`.
    var omitNulls = false

    init(_ headers: HTTPFields) {
        for header in headers[values: .prefer] {
            for preference in header.split(separator: ",") {
                let parts = preference.split(separator: "=", maxSplits: 1).map {
                    $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
                guard let name = parts.first?.lowercased() else { continue }
                let value = parts.count > 1 ? parts[1] : ""
                switch name {
                case "odata.maxpagesize", "maxpagesize":
                    if let size = Int(value), size > 0 { maxPageSize = size }
                case "omit-values":
                    if value.lowercased() == "nulls" { omitNulls = true }
                default: continue
                }
            }
        }
    }
}

/// How a request asks for its representation (`$format`, `Accept`).
enum ODataFormat {
    /// Whether a `$format` value or media type names JSON (`json`, `application/json;…`).
    static func isJSON(_ text: String) -> Bool {
        let type = mediaType(text)
        return type == "json" || type == "application/json"
    }

    /// Whether a `$format` value or media type names XML.
    static func isXML(_ text: String) -> Bool {
        let type = mediaType(text)
        return type == "xml" || type == "application/xml"
    }

    private static func mediaType(_ text: String) -> String {
        String(text.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The media ranges of an `Accept` header, lowercased, without parameters.
    static func accepted(_ headers: HTTPFields) -> [String] {
        headers[values: .accept].flatMap { $0.split(separator: ",") }.map { mediaType(String($0)) }.filter { !$0.isEmpty }
    }

    /// Whether the request accepts JSON data (C76): no `$format` or a JSON one, and no `Accept`
    /// or one that lets JSON through.
    /// - Throws: ``ODataError`` 406 naming what the hub writes.
    static func requireJSON(_ query: ODataQueryString, _ headers: HTTPFields) throws {
        if let format = query.value("$format") {
            guard isJSON(format) else {
                throw ODataError(
                    .notAcceptable, "not_acceptable", "$format=\(format) is not served; data is JSON ($format=json)", target: "$format")
            }
            return
        }
        let ranges = accepted(headers)
        guard ranges.isEmpty || ranges.contains(where: { ["*/*", "application/*", "application/json"].contains($0) }) else {
            throw ODataError(.notAcceptable, "not_acceptable", "data is only served as application/json", target: "Accept")
        }
    }
}
