public import RealtyModel

// Operations some vendors offer beyond reading and writing records. The application layer
// reaches them through these protocols, so it never names a vendor's connector type; a
// connector that offers one conforms in its own folder.

/// The new state of one development unit, in the vendor's own status names.
public struct UnitStateChange: Sendable, Hashable, Codable {
    public var development: String
    public var unit: String
    /// One of the connector's ``UnitInventoryConnector/unitStatusNames``.
    public var status: String
    public var price: Double
    public var directions: [String]

    public init(development: String, unit: String, status: String, price: Double, directions: [String]) {
        self.development = development
        self.unit = unit
        self.status = status
        self.price = price
        self.directions = directions
    }
}

/// Where a development's publication stands, as the vendor reports it.
public struct PublicationState: Sendable, Hashable {
    /// The vendor's own name for the state (`PUBLISHING`, `PUBLISHED`, ...).
    public var name: String
    /// Whether the vendor is still publishing (callers poll until it is not).
    public var isInProgress: Bool
    /// Whether the vendor reports the publication failed.
    public var isFailed: Bool

    public init(name: String, isInProgress: Bool, isFailed: Bool) {
        self.name = name
        self.isInProgress = isInProgress
        self.isFailed = isFailed
    }
}

/// A connector that keeps a developer's unit inventory: units change state, developments are
/// published.
public protocol UnitInventoryConnector: Connector {
    /// The unit statuses the vendor accepts, by name.
    var unitStatusNames: [String] { get }
    /// Sets a unit's status, price and directions. Setting a state again is harmless.
    /// - Throws: `ConnectorError` `.validation` for a status not in ``unitStatusNames``.
    func updateUnit(_ change: UnitStateChange) async throws
    /// Starts publishing a development; asking again while it runs does not restart it.
    func publishDevelopment(_ development: String) async throws
    /// The publication state of a development, asked now.
    func publicationState(of development: String) async throws -> PublicationState
}

/// A connector with an address availability service.
public protocol AddressCheckingConnector: Connector {
    /// The service's answer for `address`, in the vendor's own JSON shape.
    func checkAddressAvailability(_ address: String) async throws -> JSONValue
}
