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
/// - Writes: leads, agents, employees and offices are created (`POST`), updated (`PATCH`, the
///   preferred method) and deleted (``delete(_:remoteID:)``).
/// - Lookup: agents and employees by email (the list's documented email filter, checked again
///   on our side), offices by name (the vendor keeps office names unique), leads by email or
///   phone among the lead list (no lead filter is documented by name).
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
            WriteCapability(resource: .contacts, canCreate: true, canUpdate: true, lookupKeys: [.email, .phone]),
            WriteCapability(resource: .member, canCreate: true, canUpdate: true, lookupKeys: [.email]),
            WriteCapability(resource: .office, canCreate: true, canUpdate: true, lookupKeys: [.name]),
        ],
        operations: ["delete-lead", "delete-agent", "delete-employee", "delete-office"])

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

    // MARK: - Write

    /// Where a record of a writable resource lives, and its body.
    private func target<R: HubRecord>(_ record: R, remoteID: String?) throws -> (path: String, body: JSONValue, id: String?) {
        var id = remoteID
        switch record {
        case let contact as Contact:
            return (BostonLogicEndpoints.leads, BostonLogicMapping.leadBody(contact), id)
        case let office as Office:
            return (BostonLogicEndpoints.offices, BostonLogicMapping.officeBody(office), id)
        case let member as Member:
            // Employees carry the `employee-` prefix in their source keys; a member typed
            // `Employee` is created in the employees list.
            var path = BostonLogicEndpoints.agents
            if let remote = remoteID, remote.hasPrefix(BostonLogicMapping.employeeKeyPrefix) {
                path = BostonLogicEndpoints.employees
                id = String(remote.dropFirst(BostonLogicMapping.employeeKeyPrefix.count))
            } else if remoteID == nil, member.type == "Employee" {
                path = BostonLogicEndpoints.employees
            }
            return (path, BostonLogicMapping.personBody(member), id)
        default:
            let verb = remoteID == nil ? "create" : "update"
            throw ConnectorError.unsupported(.bostonLogic, "\(verb) \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// Creates a lead (`Contact`), agent or employee (`Member`; `MemberType` `Employee` goes to
    /// the employees list) or office: `POST /api/v2/<list>` with the attributes as the body.
    ///
    /// - Returns: the id from the answer's `data` (`employee-<id>` for employees).
    /// - Throws: ``ConnectorError`` (`.permission` when the key lacks the Write right).
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        let target = try target(record, remoteID: nil)
        let envelope = try await client.blSend(.post, target.path, body: target.body, operation: "POST \(target.path)")
        return try result(envelope, path: target.path, fallbackID: nil, employee: target.path == BostonLogicEndpoints.employees)
    }

    /// Updates a lead, agent, employee or office: `PATCH /api/v2/<list>/{id}`.
    ///
    /// - Throws: ``ConnectorError``.
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        let record = change.record
        let remoteID = change.remoteID
        let target = try target(record, remoteID: remoteID)
        let id = try checkedID(target.id ?? remoteID)
        let path = "\(target.path)/\(id)"
        // A PATCH sets attributes to values: resending it is harmless, so it may be retried.
        let envelope = try await client.blSend(
            .patch, path, body: target.body, idempotent: true, operation: "PATCH \(target.path)/{id}")
        return try result(envelope, path: path, fallbackID: id, employee: target.path == BostonLogicEndpoints.employees)
    }

    /// Deletes a lead, agent, employee (`employee-<id>`) or office.
    ///
    /// - Parameters:
    ///   - type: `Contact`, `Member` or `Office`.
    ///   - remoteID: the vendor id (the record's source key).
    /// - Throws: ``ConnectorError``: `.permission` when the key lacks the Delete right,
    ///   `.notFound` when there is no such record.
    public func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        var path: String
        var id = remoteID
        switch R.resource {
        case .contacts: path = BostonLogicEndpoints.leads
        case .office: path = BostonLogicEndpoints.offices
        case .member:
            path = BostonLogicEndpoints.agents
            if remoteID.hasPrefix(BostonLogicMapping.employeeKeyPrefix) {
                path = BostonLogicEndpoints.employees
                id = String(remoteID.dropFirst(BostonLogicMapping.employeeKeyPrefix.count))
            }
        default:
            throw ConnectorError.unsupported(.bostonLogic, "delete \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let checked = try checkedID(id)
        _ = try await client.blSend(.delete, "\(path)/\(checked)", body: nil, operation: "DELETE \(path)/{id}")
    }

    private func result(_ envelope: BostonLogicEnvelope?, path: String, fallbackID: String?, employee: Bool) throws -> WriteResult {
        let data = try? envelope?.object(resource: path)
        guard let id = data?.text("id") ?? fallbackID else {
            throw ConnectorError(
                .invalidResponse, vendor: .bostonLogic, message: "the answer to a write of \(path) has no record id",
                connectionID: client.connectionID)
        }
        let remoteID = employee && !id.hasPrefix(BostonLogicMapping.employeeKeyPrefix) ? BostonLogicMapping.employeeKeyPrefix + id : id
        return WriteResult(remoteID: remoteID, raw: data)
    }

    /// A remote id usable in a path.
    func checkedID(_ remoteID: String) throws -> String {
        let id = remoteID.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConnectorError(
                .validation, vendor: .bostonLogic, message: "\"\(remoteID)\" is not a Boston Logic record id",
                connectionID: client.connectionID)
        }
        return id
    }

    // MARK: - Lookup

    /// Finds an existing agent or employee (email), office (name) or lead (email or phone).
    ///
    /// - Returns: the vendor id, or nil when nothing matches.
    /// - Throws: ``ConnectorError``.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        switch record {
        case let member as Member:
            guard let email = member.email?.lowercased(), !email.isEmpty else { return nil }
            for list in [BostonLogicEndpoints.agentList, BostonLogicEndpoints.employeeList] {
                let items = try await client.blListAll(list.path, query: list.query + [URLQueryItem(name: "email", value: email)])
                if let match = items.first(where: { $0.text("email")?.lowercased() == email }), let id = match.text("id") {
                    return list.path == BostonLogicEndpoints.employees ? BostonLogicMapping.employeeKeyPrefix + id : id
                }
            }
            return nil
        case let office as Office:
            guard let name = office.name?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else { return nil }
            let items = try await client.blListAll(BostonLogicEndpoints.offices, query: BostonLogicEndpoints.everyStatus)
            return items.first { $0.firstText("name", "office_name")?.trimmingCharacters(in: .whitespaces).lowercased() == name }?
                .text("id")
        case let contact as Contact:
            let email = contact.email?.lowercased()
            let phones = WireValues.lookupDigits([contact.mobilePhone, contact.homePhone, contact.officePhone])
            guard email != nil || !phones.isEmpty else { return nil }
            // Ask with `email=` first: documented for agents and employees, and plausible for
            // leads since the 2021 filter release (our reading; the document names no lead
            // filter). Only exact matches count. A server that ignores the filter answers every
            // lead, which is then searched as it is; one that honours it and finds nothing
            // leaves the phone numbers, which have no filter, to a full read.
            var items: [JSONValue] = []
            if let email {
                items = try await client.blListAll(BostonLogicEndpoints.leads, query: [URLQueryItem(name: "email", value: email)])
                if let match = items.first(where: { $0.text("email")?.lowercased() == email }), let id = match.text("id") {
                    return id
                }
                let filtered = items.allSatisfy { $0.text("email")?.lowercased() == email }
                if filtered {
                    if phones.isEmpty { return nil }
                    items = try await client.blListAll(BostonLogicEndpoints.leads, query: [])
                }
            } else {
                items = try await client.blListAll(BostonLogicEndpoints.leads, query: [])
            }
            for item in items {
                guard let lead = try? BLLead(json: item) else { continue }
                if let email, lead.email?.lowercased() == email { return lead.id }
                let numbers = [lead.mobilePhone, lead.homePhone, lead.workPhone].compactMap { $0.map(WireValues.digits) }
                if numbers.contains(where: phones.contains) { return lead.id }
            }
            return nil
        default:
            throw ConnectorError.unsupported(
                .bostonLogic, "look up existing \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }
}
