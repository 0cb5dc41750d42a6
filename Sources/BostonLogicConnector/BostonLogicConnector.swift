public import ConnectorKit
public import Foundation
public import Logging
public import RealtyModel

/// The Boston Logic Platform API connector.
///
/// - Auth: the `X-BL-API-Key` header and, since a key is valid only for the domain it was issued
///   with, the `Host` header set to the credentials' `host` whatever the base URL (so the same
///   connection can reach the tenant through another address, such as an emulator on
///   127.0.0.1). A key is never renewed: a refusal is final.
/// - Every request carries `Content-Type: application/json` ("API requests will only respond to
///   JSON requests"); answers are read through the `{status, message, data | errors}` envelope.
/// - Reads: offices → `Office`; agents and employees → `Member`; teams → `Teams` and, where a
///   team lists its agents, `TeamMembers`; leads → `Contacts`; each lead's property views and
///   notes → `Activity`. No paging is documented, so a list is one request answering every
///   record; should an answer carry paging facts (`total_pages`, `next_page`, a `total` above
///   what arrived, at the top or under `meta`/`pagination`), the next pages are read with
///   `page`. No change filter is documented, so every read is a full pass.
/// - Writes: leads, agents, employees, offices and teams are created (`POST`), updated (`PATCH`,
///   the preferred method, with only the changed attributes, after checking `updated_at`) and
///   deleted (`DELETE`); a key without the Write or Delete right is `.permission`. Vocabularies
///   and writable fields: `docs/vendors/boston-logic.md`.
/// - Lookup: agents and employees by email (the list's documented email filter, checked again
///   on our side), offices and teams by name (the vendor keeps office names unique), leads by
///   email or phone among the lead list (no lead filter is documented by name).
public struct BostonLogicConnector: Connector {
    /// `boston-logic`.
    public let vendor = VendorID.bostonLogic
    /// What Boston Logic connections can read, write and do.
    public let capabilities: ConnectorCapabilities
    let client: VendorHTTPClient

    /// The capabilities every Boston Logic connection has.
    public static let capabilities = ConnectorCapabilities(
        readable: BostonLogicEndpoints.readCapabilities,
        writable: [
            WriteCapability(
                resource: .contacts, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.email, .phone],
                fields: BostonLogicMapping.leadFields),
            WriteCapability(
                resource: .member, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.email],
                fields: BostonLogicMapping.memberFields),
            WriteCapability(
                resource: .office, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.name],
                fields: BostonLogicMapping.officeFields),
            WriteCapability(
                resource: .teams, canCreate: true, canUpdate: true, canDelete: true, lookupKeys: [.name],
                fields: BostonLogicMapping.teamFields),
        ])

    /// Creates a connector.
    ///
    /// - Parameters:
    ///   - configuration: the connection: the tenant's base URL (`https://www.example.com`, or
    ///     any address reaching it) and `.bostonLogic` credentials (key and bound host).
    ///   - transport: the HTTP transport; it must send the `Host` header it is given.
    ///   - clock: the time source (backoff).
    ///   - logger: the connection's logger.
    /// - Throws: ``ConnectorError`` `.configuration` when the configuration does not fit.
    public init(
        configuration: ConnectorConfiguration, transport: any HTTPTransport,
        clock: any ConnectorClock = SystemConnectorClock(), logger: Logger
    ) throws {
        let redactor = configuration.redactor
        client = try VendorHTTPClient(
            standardAuth: configuration, profile: .bostonLogic, transport: transport, clock: clock, logger: logger,
            errorDecoder: { response, request in
                BostonLogicErrors.classify(response, redactor: redactor, resource: Self.resource(forPath: request.url.path))
            })
        capabilities = Self.capabilities
    }

    static func resource(forPath path: String) -> ResourceName? {
        if path.contains("/property_views") || path.contains("/property_notes") { return .activity }
        if path.contains("/leads") { return .contacts }
        if path.contains("/agents") || path.contains("/employees") { return .member }
        if path.contains("/offices") { return .office }
        if path.contains("/teams") { return .teams }
        return nil
    }

    // MARK: - Verify

    /// Proves the key and host: reads the office list. A permission refusal still proves the key
    /// is valid for the host (the key lacks only the Read right on offices).
    ///
    /// - Throws: ``ConnectorError`` `.auth` naming the connection when the key is refused.
    public func verify() async throws {
        do {
            _ = try await client.blSend(.get, BostonLogicEndpoints.offices, body: nil, operation: "GET \(BostonLogicEndpoints.offices)")
        } catch let error as ConnectorError where error.kind == .permission {
            client.logger.info("the key is valid but may not read offices", metadata: ["error.type": "\(error.kind)"])
        }
    }

    // MARK: - Read

    /// Reads `Office`, `Member`, `Teams`, `TeamMembers`, `Contacts` or `Activity` records.
    ///
    /// The lists are read whole (no change filter is documented). Activities read incrementally
    /// read the views and notes of the leads changed since the previous pass only, where the
    /// server stamps leads with `updated_at`. A cursor resumes after the page it came with.
    ///
    /// - Returns: the pages; failures are ``ConnectorError``s.
    public func read<R: HubRecord>(
        _ type: R.Type, mode: ReadMode, after cursor: String?
    ) -> AsyncThrowingStream<ConnectorPage<R>, any Error> {
        let lists = BostonLogicEndpoints.lists(for: R.resource)
        guard !lists.isEmpty || R.resource == .activity else {
            return AsyncThrowingStream {
                $0.finish(
                    throwing: ConnectorError.unsupported(
                        .bostonLogic, "read \(R.resource.rawValue) records", connectionID: client.connectionID))
            }
        }
        let session: BostonLogicReadSession<R>
        do {
            session = try BostonLogicReadSession(
                client: client, lists: lists, activities: R.resource == .activity, mode: mode, cursor: cursor)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return AsyncThrowingStream { try await session.next() }
    }

    /// Caps the activities' lead mark at `limit`.
    public func cursor(_ cursor: String, cappedAt limit: Date) -> String {
        CursorCoding.rewrite(cursor, as: BostonLogicCursor.self, vendor: .bostonLogic) { position in
            position.newest = position.newest.map { min($0, limit) }
        }
    }

    /// An activity pass's last cursor, its mark capped at `since`, starts the incremental reads.
    public func incrementalCursor(afterFullPass cursor: String?, since: Date) -> String? {
        cursor.map { self.cursor($0, cappedAt: since) }
    }
}
