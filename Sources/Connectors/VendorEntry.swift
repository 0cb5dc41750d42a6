import ConnectorKit
import Logging

/// What the registry knows of one vendor: its profile, its credentials type and how its
/// connector is built.
struct VendorEntry: Sendable {
    /// Builds the vendor's connector for one connection.
    typealias Make = @Sendable (ConnectorConfiguration, any HTTPTransport, any ConnectorClock, Logger) throws -> any Connector

    /// The vendor's facts (its ``VendorProfile/vendor`` names it).
    let profile: VendorProfile
    /// The vendor's credentials type, which reads its credentials file.
    let credentials: any VendorCredentials.Type
    /// Builds the connector.
    let make: Make

    /// Creates an entry.
    ///
    /// - Parameters:
    ///   - profile: the vendor's profile.
    ///   - credentials: the vendor's credentials type.
    ///   - make: builds the connector.
    init(_ profile: VendorProfile, _ credentials: any VendorCredentials.Type, make: @escaping Make) {
        self.profile = profile
        self.credentials = credentials
        self.make = make
    }
}
