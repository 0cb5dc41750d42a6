public import Foundation
public import Hummingbird
public import RealtyModel

/// JSON helpers shared by the emulators and the control API: one encoder configuration
/// (sorted keys, ISO-8601 dates, no escaped slashes) so answers are stable across runs.
public enum SandboxJSON {
    /// An encoder with sorted keys, ISO-8601 dates and unescaped slashes.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// A decoder reading ISO-8601 dates.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A JSON response.
    /// - Parameters:
    ///   - value: the body.
    ///   - status: the status (default 200).
    ///   - headers: extra headers.
    ///   - contentType: the content type (default `application/json; charset=utf-8`).
    /// - Returns: the response; a 500 with a short JSON message if `value` cannot be encoded.
    public static func response(
        _ value: some Encodable,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:],
        contentType: String = "application/json; charset=utf-8"
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        // A JSON value (most emulator answers) is written by its own serializer: the same
        // compact, sorted-key text as the encoder, at a fraction of the cost.
        if let json = value as? JSONValue {
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: json.jsonText)))
        }
        do {
            let data = try makeEncoder().encode(value)
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Response(
                status: .internalServerError, headers: fields,
                body: .init(
                    byteBuffer: ByteBuffer(string: #"{"error":{"code":"encoding_failed","message":"response could not be encoded"}}"#))
            )
        }
    }

    /// A response whose JSON body is already written.
    public static func response(
        bytes: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:],
        contentType: String = "application/json; charset=utf-8"
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: bytes))
    }

    /// The JSON text of `envelope` with member `listKey` set to an array of already rendered
    /// elements: the same bytes as ``RealtyModel/JSONValue/jsonText`` of the whole object
    /// (sorted keys, compact), without building a tree of the elements.
    /// - Parameters:
    ///   - envelope: the other members (numbers, strings: nothing holding `listKey`'s text).
    ///   - listKey: the array member's name.
    ///   - items: each element's JSON text.
    public static func listText(_ envelope: [String: JSONValue], listKey: String, items: [String]) -> ByteBuffer {
        var members = envelope
        members[listKey] = .array([])
        let text = JSONValue.object(members).jsonText
        var marker = ""
        JSONValue.writeString(listKey, into: &marker)
        marker += ":[]"
        var buffer = ByteBuffer()
        guard let range = text.range(of: marker) else {
            buffer.writeString(text)
            return buffer
        }
        let size = items.reduce(text.utf8.count + items.count) { $0 + $1.utf8.count }
        buffer.reserveCapacity(size)
        buffer.writeSubstring(text[..<range.lowerBound])
        buffer.writeSubstring(marker.dropLast())
        for (index, item) in items.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeString(item)
        }
        buffer.writeStaticString("]")
        buffer.writeSubstring(text[range.upperBound...])
        return buffer
    }

    /// Collects a request body (up to `limit` bytes).
    /// - Parameters:
    ///   - request: the request.
    ///   - limit: the largest body accepted (default 2 MB).
    /// - Returns: the body bytes.
    /// - Throws: when the body is larger than `limit` or the connection fails.
    public static func body(of request: Request, limit: Int = 2 * 1024 * 1024) async throws -> Data {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return Data(buffer: buffer)
    }
}

extension Data {
    /// The readable bytes of a buffer.
    init(buffer: ByteBuffer) {
        self = buffer.withUnsafeReadableBytes { Data($0) }
    }
}
