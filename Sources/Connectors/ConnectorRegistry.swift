public import ConnectorKit
import ApimoConnector
import BostonLogicConnector
public import Logging
import MyCRMConnector
import PFExpertConnector
import ResalesOnlineConnector

/// The registry of the five vendors: the only place that knows them all.
///
/// Everything else (the sync engine, the server, the CLI) holds connectors as `any Connector`
/// and asks the registry to build them from a vendor name and a configuration.
public enum ConnectorRegistry {
    /// Every vendor's profile, by vendor.
    ///
    /// - Parameter vendor: the vendor.
    /// - Returns: its profile (documented limits, auth kind, paging style, defaults).
    public static func profile(for vendor: VendorID) -> VendorProfile {
        switch vendor {
        case .pfExpert: return .pfExpert
        case .propq: return .propq
        case .mycrm: return .mycrm
        case .apimo: return .apimo
        case .bostonLogic: return .bostonLogic
        }
    }

    /// Builds the connector of `vendor` for one connection.
    ///
    /// - Parameters:
    ///   - vendor: the vendor.
    ///   - configuration: the connection (base URL(s), credentials, overrides).
    ///   - transport: the HTTP transport (usually an ``AsyncHTTPClientTransport`` over the
    ///     application's client).
    ///   - clock: the time source (default: the system clock).
    ///   - logger: the logger; the connector adds `hub.vendor` and `hub.connection.id`.
    /// - Returns: the connector.
    /// - Throws: ``ConnectorError`` `.configuration` when the configuration does not fit the
    ///   vendor (credentials of another vendor, an unusable URL).
    public static func make(
        vendor: VendorID, configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger
    ) throws -> any Connector {
        guard configuration.credentials.vendor == vendor else {
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "the credentials are for \(configuration.credentials.vendor.rawValue), not \(vendor.rawValue)",
                connectionID: configuration.connectionID)
        }
        switch vendor {
        case .pfExpert:
            return try PFExpertConnector(configuration: configuration, transport: transport, clock: clock, logger: logger)
        case .propq:
            return try ResalesOnlineConnector(configuration: configuration, transport: transport, clock: clock, logger: logger)
        case .mycrm:
            return try MyCRMConnector(configuration: configuration, transport: transport, clock: clock, logger: logger)
        case .apimo:
            return try ApimoConnector(configuration: configuration, transport: transport, clock: clock, logger: logger)
        case .bostonLogic:
            return try BostonLogicConnector(configuration: configuration, transport: transport, clock: clock, logger: logger)
        }
    }
}
