/// A vendor's name, the same everywhere (CLI, API, configuration): `pf-expert`, `propq`, ...
///
/// The kit knows no vendor: each vendor module declares its own constant
/// (`extension VendorID { public static let apimo = VendorID("apimo", displayName: "Apimo") }`)
/// and `Connectors.ConnectorRegistry` lists the vendors there are. Two ids are equal when their
/// names are; the display name is only for messages.
public struct VendorID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The CLI/API name (`pf-expert`, `propq`, ...).
    public let rawValue: String
    /// The vendor's name as people write it, for messages (the raw name when not declared).
    public let displayName: String

    /// Declares a vendor.
    ///
    /// - Parameters:
    ///   - rawValue: the CLI/API name, lowercase.
    ///   - displayName: the name as people write it (`PF Expert`).
    public init(_ rawValue: String, displayName: String) {
        self.rawValue = rawValue
        self.displayName = displayName
    }

    /// A vendor id read from text (a stored connection, a request); whether such a vendor
    /// exists is the registry's question (`ConnectorRegistry.vendor(named:)`).
    ///
    /// - Parameter rawValue: the CLI/API name.
    public init(rawValue: String) {
        self.init(rawValue, displayName: rawValue)
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func == (lhs: VendorID, rhs: VendorID) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// The CLI/API name (`pf-expert`, `propq`, ...).
    public var description: String { rawValue }
}
