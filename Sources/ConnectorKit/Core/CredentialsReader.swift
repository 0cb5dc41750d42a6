public import Foundation

/// Reads typed values out of a parsed credentials file, with errors that name the key and
/// never the value.
public struct CredentialsReader {
    /// The vendor the file is for.
    public let vendor: VendorID
    /// The keys the vendor's file holds, for messages.
    public let keys: [String]
    private let object: [String: Any]

    /// Parses a credentials file.
    ///
    /// - Parameters:
    ///   - vendor: the vendor the file is for.
    ///   - keys: the keys the vendor's file holds, for messages.
    ///   - json: the file's bytes.
    /// - Throws: ``ConnectorError`` `.configuration` when the bytes are not a JSON object (the
    ///   parser's message is not repeated: it may quote the file's content).
    public init(vendor: VendorID, keys: [String], json: Data) throws {
        self.vendor = vendor
        self.keys = keys
        let listed = keys.joined(separator: ", ")
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "the credentials are not valid JSON (expected an object with the keys \(listed))")
        }
        guard let object = parsed as? [String: Any] else {
            throw ConnectorError(
                .configuration, vendor: vendor, message: "the credentials must be a JSON object with the keys \(listed)")
        }
        self.object = object
    }

    /// An error naming `key` and what is wrong with it.
    ///
    /// - Parameters:
    ///   - key: the key.
    ///   - problem: what is wrong (`is missing`, `must be a string`).
    public func fail(_ key: String, _ problem: String) -> ConnectorError {
        ConnectorError(
            .configuration, vendor: vendor,
            message: "credentials key \"\(key)\" \(problem) (\(vendor.rawValue) credentials hold \(keys.joined(separator: ", ")))")
    }

    /// A required non-empty string, trimmed.
    ///
    /// - Parameter key: the key.
    public func string(_ key: String) throws -> String {
        guard let value = object[key], !(value is NSNull) else { throw fail(key, "is missing") }
        guard let text = value as? String else { throw fail(key, "must be a string") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw fail(key, "is empty") }
        return trimmed
    }

    /// A required non-negative integer, given as a number or a string of digits.
    ///
    /// - Parameter key: the key.
    public func integer(_ key: String) throws -> Int {
        guard let value = object[key], !(value is NSNull) else { throw fail(key, "is missing") }
        if let text = value as? String {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let number = Int(trimmed), number >= 0 else { throw fail(key, "must be an integer") }
            return number
        }
        if let number = value as? NSNumber, !Self.isBoolean(number) {
            let double = number.doubleValue
            guard double.rounded() == double, double >= 0, double < 9.0e15 else { throw fail(key, "must be an integer") }
            return number.intValue
        }
        throw fail(key, "must be an integer")
    }

    /// A required vendor id given as a string or an integer, kept as a string.
    ///
    /// - Parameter key: the key.
    public func identifier(_ key: String) throws -> String {
        guard let value = object[key], !(value is NSNull) else { throw fail(key, "is missing") }
        return try identifierValue(value, key: key)
    }

    /// An optional list of ids (strings or integers, or one comma-separated string as the
    /// sandbox prints them and people paste them); absent means empty.
    ///
    /// - Parameter key: the key.
    public func identifiers(_ key: String) throws -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        if let text = value as? String {
            return try text.split(separator: ",", omittingEmptySubsequences: false).map { try identifierValue(String($0), key: key) }
        }
        guard let array = value as? [Any] else { throw fail(key, "must be an array of ids or a comma-separated string") }
        return try array.map { try identifierValue($0, key: key) }
    }

    private func identifierValue(_ value: Any, key: String) throws -> String {
        if let text = value as? String {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw fail(key, "holds an empty id") }
            return trimmed
        }
        if let number = value as? NSNumber, !Self.isBoolean(number) {
            let double = number.doubleValue
            guard double.rounded() == double else { throw fail(key, "must hold whole-number or string ids") }
            return String(number.int64Value)
        }
        throw fail(key, "must hold whole-number or string ids")
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        // JSONSerialization gives booleans as NSNumber; on Linux their type is identifiable by
        // the Objective-C type code 'c' (char).
        String(cString: number.objCType) == "c"
    }
}
