/// A vendor payload did not have the shape the vendor's documents describe.
///
/// Connectors throw it from their wire readers and turn it into a ``ConnectorError``
/// `.invalidResponse` where they know the request (status, operation, item index).
public struct WirePayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The vendor whose payload it was.
    public var vendor: VendorID
    /// The vendor resource being read (`users`, `offices`, ...).
    public var resource: String
    /// What was wrong, naming the field.
    public var reason: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - vendor: the vendor.
    ///   - resource: the vendor resource being read.
    ///   - reason: what was wrong, naming the field.
    public init(vendor: VendorID, resource: String, reason: String) {
        self.vendor = vendor
        self.resource = resource
        self.reason = reason
    }

    /// `PF Expert users: a record has no id`.
    public var description: String { "\(vendor.displayName) \(resource): \(reason)" }
}
