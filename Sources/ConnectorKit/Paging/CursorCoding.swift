import Foundation
import RealtyModel

/// Opaque cursors: any `Codable` position encoded as base64url JSON, so connectors can resume
/// where a page left off while callers treat the cursor as a plain string.
public enum CursorCoding {
    /// Encodes a position.
    ///
    /// - Parameter position: the position (paginator state, endpoint index, incremental marks).
    /// - Returns: the opaque cursor.
    public static func encode<T: Encodable>(_ position: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(position)) ?? Data("{}".utf8)
        return ByteEncoding.base64URL(data)
    }

    /// Decodes a cursor written by ``encode(_:)``.
    ///
    /// - Parameters:
    ///   - type: the position type.
    ///   - cursor: the cursor.
    ///   - vendor: the vendor, for the error.
    /// - Throws: ``ConnectorError`` `.configuration` when the cursor was not written by this
    ///   connector (or by an incompatible version of it).
    public static func decode<T: Decodable>(_ type: T.Type, from cursor: String, vendor: VendorID) throws -> T {
        guard let data = ByteEncoding.data(base64URL: cursor), let value = try? JSONDecoder().decode(type, from: data) else {
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "the cursor is not one this connector wrote; start the read again without a cursor")
        }
        return value
    }

    /// Rewrites a cursor's position (capping its change marks, say); a cursor that does not
    /// decode as `type` is returned unchanged, for the read to refuse it later.
    ///
    /// - Parameters:
    ///   - cursor: the cursor.
    ///   - type: the position type.
    ///   - vendor: the vendor.
    ///   - change: the change to the position.
    /// - Returns: the cursor of the changed position.
    public static func rewrite<T: Codable>(
        _ cursor: String, as type: T.Type, vendor: VendorID, _ change: (inout T) -> Void
    ) -> String {
        guard var position = try? decode(type, from: cursor, vendor: vendor) else { return cursor }
        change(&position)
        return encode(position)
    }
}
