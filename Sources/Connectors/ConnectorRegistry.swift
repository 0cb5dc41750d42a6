import ApimoConnector
import BostonLogicConnector
public import ConnectorKit
public import Foundation
public import Logging
import MyCRMConnector
import PFExpertConnector
import ResalesOnlineConnector

/// The registry of the vendors: the only place that knows them all.
///
/// Everything else (the sync engine, the server, the CLI) holds connectors as `any Connector`
/// and asks the registry to build them, and to read credentials, from a vendor name. A vendor
/// is added with one line in ``entries``.
public enum ConnectorRegistry {
    /// One line per vendor: its profile, its credentials type and how its connector is built.
    static let entries: [VendorEntry] = [
        VendorEntry(.pfExpert, PFExpertCredentials.self) { try PFExpertConnector(configuration: $0, transport: $1, clock: $2, logger: $3) },
        VendorEntry(.propq, ResalesOnlineCredentials.self) {
            try ResalesOnlineConnector(configuration: $0, transport: $1, clock: $2, logger: $3)
        },
        VendorEntry(.mycrm, MyCRMCredentials.self) { try MyCRMConnector(configuration: $0, transport: $1, clock: $2, logger: $3) },
        VendorEntry(.apimo, ApimoCredentials.self) { try ApimoConnector(configuration: $0, transport: $1, clock: $2, logger: $3) },
        VendorEntry(.bostonLogic, BostonLogicCredentials.self) {
            try BostonLogicConnector(configuration: $0, transport: $1, clock: $2, logger: $3)
        },
    ]

    /// Every vendor, in the registry's order.
    public static var vendors: [VendorID] { entries.map(\.profile.vendor) }

    /// Finds a vendor by its CLI name, case-insensitively.
    ///
    /// - Parameter name: `pf-expert`, `propq`, `mycrm`, `apimo`, `boston-logic`, ...
    /// - Returns: the vendor (with its display name), or nil when no vendor has that name.
    public static func vendor(named name: String) -> VendorID? {
        entry(VendorID(rawValue: name.lowercased()))?.profile.vendor
    }

    /// Every vendor's profile, by vendor.
    ///
    /// - Parameter vendor: the vendor.
    /// - Returns: its profile (documented limits, auth kind, paging style, defaults), or nil
    ///   when no vendor has that name.
    public static func profile(for vendor: VendorID) -> VendorProfile? {
        entry(vendor)?.profile
    }

    /// The options a vendor's connections may carry (its profile's ``ConnectorKit/VendorProfile/options``).
    ///
    /// - Parameter vendor: the vendor.
    /// - Returns: the option specs; none for an unknown vendor.
    public static func optionSpecs(for vendor: VendorID) -> [ConnectionOptionSpec] {
        entry(vendor)?.profile.options ?? []
    }

    /// The keys of a vendor's credentials file, for messages (`api_key, api_secret`).
    ///
    /// - Parameter vendor: the vendor.
    /// - Returns: the keys, comma-separated; empty for an unknown vendor.
    public static func credentialKeys(for vendor: VendorID) -> String {
        entry(vendor)?.credentials.keys.joined(separator: ", ") ?? ""
    }

    /// Reads a vendor's credentials file (see each vendor's credentials type for its keys).
    ///
    /// - Parameters:
    ///   - vendor: the vendor the file is for.
    ///   - json: the file's bytes.
    /// - Returns: the credentials.
    /// - Throws: ``ConnectorError`` `.configuration` naming the missing or malformed key (never
    ///   a secret value), or the unknown vendor.
    public static func credentials(for vendor: VendorID, json: Data) throws -> any VendorCredentials {
        guard let entry = entry(vendor) else { throw unknown(vendor) }
        return try entry.credentials.decode(json: json)
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
    ///   vendor (credentials of another vendor, an unusable URL) or the vendor is unknown.
    public static func make(
        vendor: VendorID, configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger
    ) throws -> any Connector {
        guard let entry = entry(vendor) else { throw unknown(vendor) }
        guard configuration.credentials.vendor == vendor else {
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "the credentials are for \(configuration.credentials.vendor.rawValue), not \(vendor.rawValue)",
                connectionID: configuration.connectionID)
        }
        return try entry.make(configuration, transport, clock, logger)
    }

    private static func entry(_ vendor: VendorID) -> VendorEntry? {
        entries.first { $0.profile.vendor == vendor }
    }

    private static func unknown(_ vendor: VendorID) -> ConnectorError {
        ConnectorError(
            .configuration, vendor: vendor,
            message: "unknown vendor \"\(vendor.rawValue)\"; vendors: \(vendors.map(\.rawValue).joined(separator: ", "))")
    }
}
