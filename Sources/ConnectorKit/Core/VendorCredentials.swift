public import Foundation

/// A connection's credentials, in one vendor's own terms. Each vendor module declares one
/// conforming type (`PFExpertCredentials`, ...) with its JSON key names; the kit reads and
/// redacts them without knowing the vendor.
///
/// `description` and `debugDescription` must never show a secret value: only the non-secret
/// identifiers (a client id, a user name, a bound host).
public protocol VendorCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The vendor these credentials belong to.
    static var vendor: VendorID { get }

    /// The keys of the vendor's credentials file, in the order messages list them.
    static var keys: [String] { get }

    /// Reads the credentials from the parsed credentials file.
    ///
    /// - Parameter reader: the file's object, with typed readers whose errors name the key.
    /// - Throws: ``ConnectorError`` `.configuration` naming the missing or malformed key.
    init(reading reader: CredentialsReader) throws

    /// The secret values, for a ``Redactor``.
    var secrets: [String] { get }

    /// The material of a standard auth strategy (``StandardAuth``); nil when the vendor logs
    /// in with its own code.
    var standardCredentials: StandardCredentials? { get }

    /// The credentials file's object (``CredentialsReader`` reads it back).
    ///
    /// - warning: it holds the secrets in clear; never log it.
    var jsonObject: [String: any Sendable] { get }
}

extension VendorCredentials {
    /// The vendor these credentials belong to.
    public var vendor: VendorID { Self.vendor }

    /// A redactor hiding these credentials' secrets.
    public var redactor: Redactor { Redactor(secrets: secrets) }

    /// None by default: the vendor logs in with its own code.
    public var standardCredentials: StandardCredentials? { nil }

    /// Same as ``description``: secrets are never shown, even when debugging.
    public var debugDescription: String { description }

    /// Reads credentials from the JSON file format of the CLI and the store, with the vendor's
    /// own key names. Unknown keys are ignored; values must be non-empty and surrounding
    /// whitespace is trimmed.
    ///
    /// - Parameter json: the file's bytes.
    /// - Returns: the credentials.
    /// - Throws: ``ConnectorError`` `.configuration` naming the missing or malformed key;
    ///   secret values are never echoed.
    public static func decode(json: Data) throws -> Self {
        try Self(reading: CredentialsReader(vendor: vendor, keys: keys, json: json))
    }

    /// The JSON file format ``decode(json:)`` reads, for storing credentials (encrypted) or
    /// writing a credentials file.
    ///
    /// - warning: the result contains the secrets in clear; never log it.
    public func encodedJSON() -> Data {
        (try? JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
