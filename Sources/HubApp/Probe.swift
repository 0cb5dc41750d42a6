public import ConnectorKit
import Connectors
public import Foundation
public import Logging
import RealtyModel

/// What to probe: one vendor at one address with one set of credentials.
///
/// Keys: `vendor`, `baseURL` (required), `authURL` (PF Expert's separate auth host),
/// `credentials` (from a file or the environment, never the command line), `connectionID`
/// (default `probe`), `timeouts` (default: the vendor profile's).
public struct ProbeRequest: Sendable {
    /// The vendor.
    public var vendor: VendorID
    /// The API base URL.
    public var baseURL: URL
    /// The auth host's base URL, when separate.
    public var authURL: URL?
    /// The credentials.
    public var credentials: any VendorCredentials
    /// The connection id named in logs and errors.
    public var connectionID: String
    /// Timeout overrides.
    public var timeouts: ConnectorConfiguration.Timeouts

    /// Creates a probe request.
    public init(
        vendor: VendorID, baseURL: URL, authURL: URL? = nil, credentials: any VendorCredentials, connectionID: String = "probe",
        timeouts: ConnectorConfiguration.Timeouts = .init()
    ) {
        self.vendor = vendor
        self.baseURL = baseURL
        self.authURL = authURL
        self.credentials = credentials
        self.connectionID = connectionID
        self.timeouts = timeouts
    }
}

extension HubApp {
    /// Checks a vendor connection in one go: authenticates, lists the capabilities, and reads the
    /// first page of each readable resource.
    ///
    /// Failures are recorded in the report, classified, rather than thrown, so one failing
    /// resource does not hide the others. The probe owns one HTTP client (unless a transport is
    /// given) and shuts it down before returning.
    ///
    /// - Parameters:
    ///   - request: what to probe.
    ///   - logger: where the connector logs (requests at debug, retries at warning).
    ///   - transport: a transport to use instead of a new AsyncHTTPClient (tests); the caller
    ///     keeps ownership.
    ///   - clock: the time source (default: the system clock).
    /// - Returns: the report; ``ProbeReport/succeeded`` says whether everything worked.
    public static func probe(
        _ request: ProbeRequest, logger: Logger, transport: (any HTTPTransport)? = nil,
        clock: any ConnectorClock = SystemConnectorClock()
    ) async -> ProbeReport {
        let profile = ConnectorRegistry.profile(for: request.vendor)
        let redactor = request.credentials.redactor
        let configuration = ConnectorConfiguration(
            connectionID: request.connectionID, baseURL: request.baseURL, authURL: request.authURL,
            credentials: request.credentials, timeouts: request.timeouts)
        var report = ProbeReport(
            vendor: request.vendor.rawValue, connectionID: request.connectionID,
            baseURL: redactor.redact(url: request.baseURL),
            authentication: .init(method: profile?.auth.name ?? "unknown", ok: false, failure: nil), capabilities: nil, resources: [])

        let ownedTransport: AsyncHTTPClientTransport?
        let activeTransport: any HTTPTransport
        if let transport {
            ownedTransport = nil
            activeTransport = transport
        } else {
            let timeouts = profile.map(configuration.effectiveTimeouts) ?? VendorProfile.Timeouts()
            let created = AsyncHTTPClientTransport(
                configuration: VendorHTTPConfiguration(connectTimeout: timeouts.connect, readTimeout: timeouts.read))
            ownedTransport = created
            activeTransport = created
        }

        await probe(
            into: &report, vendor: request.vendor, configuration: configuration, transport: activeTransport, clock: clock,
            logger: logger, redactor: redactor)

        if let ownedTransport {
            do {
                try await ownedTransport.shutdown()
            } catch {
                logger.warning("could not shut the probe's HTTP client down", metadata: ["error.type": "\(type(of: error))"])
            }
        }
        return report
    }

    private static func probe(
        into report: inout ProbeReport, vendor: VendorID, configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock, logger: Logger, redactor: Redactor
    ) async {
        let connector: any Connector
        do {
            connector = try ConnectorRegistry.make(
                vendor: vendor, configuration: configuration, transport: transport, clock: clock, logger: logger)
        } catch {
            report.setupFailure = .init(error, redactor: redactor)
            return
        }
        report.capabilities = connector.capabilities

        do {
            try await connector.verify()
            report.authentication.ok = true
        } catch {
            report.authentication.failure = .init(error, redactor: redactor)
            return
        }

        for capability in connector.capabilities.readable {
            var entry = ProbeReport.ResourceProbe(
                resource: capability.resource.rawValue, vendorEndpoints: capability.vendorEndpoints, ok: false, core: capability.core)
            do {
                let summary = try await firstPage(of: capability.resource, from: connector)
                entry.ok = true
                entry.count = summary.count
                entry.firstRecordKey = summary.firstKey
                entry.isLast = summary.isLast
                entry.unavailable = summary.unavailable
            } catch let error as ConnectorError where !capability.core && (error.meansUnavailable || error.kind == .auth) {
                // Authentication passed above, so even a refusal that reads like bad
                // credentials is this resource's, not the connection's.
                entry.skipped = redactor.redact(error.description)
            } catch {
                entry.failure = .init(error, redactor: redactor)
            }
            report.resources.append(entry)
        }
    }

    private struct PageSummary {
        var count: Int
        var firstKey: String?
        var isLast: Bool
        var unavailable: [UnavailableRead] = []
    }

    private static func firstPage(of resource: ResourceName, from connector: any Connector) async throws -> PageSummary {
        switch resource {
        case .member: return try await firstPage(Member.self, from: connector)
        case .office: return try await firstPage(Office.self, from: connector)
        case .teams: return try await firstPage(Team.self, from: connector)
        case .teamMembers: return try await firstPage(TeamMember.self, from: connector)
        case .contacts: return try await firstPage(Contact.self, from: connector)
        case .property: return try await firstPage(Property.self, from: connector)
        case .development: return try await firstPage(Development.self, from: connector)
        case .activity: return try await firstPage(Activity.self, from: connector)
        case .media: return try await firstPage(Media.self, from: connector)
        }
    }

    private static func firstPage<R: HubRecord>(_ type: R.Type, from connector: any Connector) async throws -> PageSummary {
        // Leaving the loop ends the stream, which stops the reader. Empty pages (an endpoint
        // skipped as unavailable, an empty list before the next endpoint) are read past, a few
        // at most, to reach the first page holding records.
        var empty = 0
        for try await page in connector.read(type, mode: .full, after: nil) {
            if page.records.isEmpty, !page.isLast, empty < 4 {
                empty += 1
                continue
            }
            return PageSummary(
                count: page.records.count, firstKey: page.records.first?.metadata.sourceKey, isLast: page.isLast,
                unavailable: page.unavailable)
        }
        return PageSummary(count: 0, firstKey: nil, isLast: true)
    }
}
