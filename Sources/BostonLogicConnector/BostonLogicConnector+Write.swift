public import ConnectorKit
import Foundation
public import RealtyModel

// The write path of Boston Logic: leads, agents, employees, offices and teams are created,
// patched and deleted; each answer's `data` is the record, mapped exactly like a read.

extension BostonLogicConnector {
    /// A writable list: its path and how its records map.
    struct WriteTarget: Sendable {
        var path: String
        var employee = false

        /// The record as a read maps it.
        func map(_ json: JSONValue) throws -> any HubRecord {
            switch path {
            case BostonLogicEndpoints.leads: return BostonLogicMapping.contact(try BLLead(json: json))
            case BostonLogicEndpoints.offices: return BostonLogicMapping.office(try BLOffice(json: json))
            case BostonLogicEndpoints.teams: return BostonLogicMapping.team(try BLTeam(json: json))
            default:
                return BostonLogicMapping.member(
                    try BLPerson(json: json, resource: employee ? "employees" : "agents"), kind: employee ? .employee : .agent)
            }
        }

        /// The hub's id of a vendor id (`employee-<id>` for employees).
        func remoteID(_ id: String) -> String { employee ? BostonLogicMapping.employeeKeyPrefix + id : id }
    }

    /// The list of `resource`; for members, agents unless the remote id names an employee or
    /// (on create) `MemberType` is `Employee`. Returns the vendor id too (without the prefix).
    func writeTarget(_ resource: ResourceName, remoteID: String?, memberType: String?) throws -> (target: WriteTarget, id: String?) {
        switch resource {
        case .contacts: return (WriteTarget(path: BostonLogicEndpoints.leads), remoteID)
        case .office: return (WriteTarget(path: BostonLogicEndpoints.offices), remoteID)
        case .teams: return (WriteTarget(path: BostonLogicEndpoints.teams), remoteID)
        case .member:
            if let remoteID {
                guard remoteID.hasPrefix(BostonLogicMapping.employeeKeyPrefix) else {
                    return (WriteTarget(path: BostonLogicEndpoints.agents), remoteID)
                }
                return (
                    WriteTarget(path: BostonLogicEndpoints.employees, employee: true),
                    String(remoteID.dropFirst(BostonLogicMapping.employeeKeyPrefix.count))
                )
            }
            let employee = memberType.flatMap(BostonLogicMapping.memberTypes.vendorValue) == "employees"
            return (WriteTarget(path: employee ? BostonLogicEndpoints.employees : BostonLogicEndpoints.agents, employee: employee), nil)
        default:
            throw ConnectorError.unsupported(.bostonLogic, "write \(resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// The attributes a write of `fields` sends (nil for a resource Boston Logic does not write).
    static func write<R: HubRecord>(_ record: R, fields: Set<String>, creating: Bool, employee: Bool) -> BLWrite? {
        switch record {
        case let contact as Contact: return BostonLogicMapping.leadWrite(contact, fields: fields, creating: creating)
        case let member as Member:
            return BostonLogicMapping.personWrite(member, fields: fields, creating: creating, employee: employee)
        case let office as Office: return BostonLogicMapping.officeWrite(office, fields: fields, creating: creating)
        case let team as Team: return BostonLogicMapping.teamWrite(team, fields: fields, creating: creating)
        default: return nil
        }
    }

    // MARK: - Problems

    /// Fields Boston Logic cannot take, vocabulary values without a mapping (see
    /// `docs/vendors/boston-logic.md`), and on create what the lists require.
    public func writeProblems<R: HubRecord>(_ record: R, fields: [String], operation: WriteOperation) -> [FieldError] {
        guard let capability = capabilities.write(R.resource) else {
            return [FieldError(field: R.resource.rawValue, message: "Boston Logic cannot write \(R.resource.rawValue) records")]
        }
        let generic = capability.problems(fields: fields, operation: operation, vendor: vendor)
        guard operation != .delete, capability.allows(operation) else { return generic }
        let named = Set(fields).intersection(capability.fields ?? [])
        let employee = (record as? Member)?.type.flatMap(BostonLogicMapping.memberTypes.vendorValue) == "employees"
        return generic + (Self.write(record, fields: named, creating: operation == .create, employee: employee)?.problems ?? [])
    }

    private func checkedWrite<R: HubRecord>(_ record: R, fields: Set<String>, creating: Bool, target: WriteTarget) throws -> BLWrite {
        guard let write = Self.write(record, fields: fields, creating: creating, employee: target.employee) else {
            throw ConnectorError.unsupported(.bostonLogic, "write \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        guard write.problems.isEmpty else {
            throw ConnectorError(
                .validation, vendor: .bostonLogic, message: "Boston Logic cannot take this \(R.resource.rawValue) record",
                fieldErrors: write.problems, connectionID: client.connectionID)
        }
        return write
    }

    // MARK: - Create

    /// Creates a lead (`Contact`), agent or employee (`Member`; `MemberType` `Employee` goes to
    /// the employees list), office or team: `POST /api/v2/<list>` with the attributes as the body.
    ///
    /// - Returns: the id from the answer's `data` (`employee-<id>` for employees) and the record.
    /// - Throws: ``ConnectorError`` (`.permission` when the key lacks the Write right).
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        let (target, _) = try writeTarget(R.resource, remoteID: nil, memberType: (record as? Member)?.type)
        let writable = Set(capabilities.write(R.resource)?.fields ?? [])
        let write = try checkedWrite(record, fields: Set(record.presentFieldNames).intersection(writable), creating: true, target: target)
        let envelope = try await client.blSend(.post, target.path, body: write.body(creating: true), operation: "POST \(target.path)")
        return try await result(envelope, target: target, fallbackID: nil, operation: "POST \(target.path)")
    }

    // MARK: - Update

    /// Changes a lead, agent, employee, office or team: `PATCH /api/v2/<list>/{id}` with only
    /// the attributes the changed fields set.
    ///
    /// With `change.expectedSourceModification`, the record is read first (`GET
    /// /api/v2/<list>/{id}`) and its `updated_at` compared with it at whole seconds (the
    /// emulated API stamps ISO-8601 seconds; no finer precision is documented): a later stamp
    /// throws `.changedAtVendor` with the current record, and nothing is sent.
    ///
    /// - Throws: ``ConnectorError`` (`.permission` when the key lacks the Write right).
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        guard let capability = capabilities.write(R.resource), capability.canUpdate else {
            throw ConnectorError.unsupported(.bostonLogic, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let (target, vendorID) = try writeTarget(R.resource, remoteID: change.remoteID, memberType: nil)
        let id = try checkedID(vendorID ?? change.remoteID)
        var problems = capability.problems(fields: change.fields, operation: .update, vendor: vendor)
        if let member = change.record as? Member, change.changes("MemberType"), let type = member.type,
            BostonLogicMapping.memberTypes.vendorValue(type).map({ ($0 == "employees") != target.employee }) == true
        {
            problems.append(FieldError(field: "MemberType", message: "Boston Logic cannot move a person between agents and employees"))
        }
        if !problems.isEmpty {
            throw ConnectorError(
                .validation, vendor: .bostonLogic, message: "Boston Logic cannot take these fields", fieldErrors: problems,
                connectionID: client.connectionID)
        }
        let write = try checkedWrite(change.record, fields: Set(change.fields), creating: false, target: target)
        let path = "\(target.path)/\(id)"
        if change.expectedSourceModification != nil || write.attributes.isEmpty {
            let current = try await fetch(target, id: id)
            if change.isStale(vendorModified: current.metadata.sourceModificationTimestamp) {
                throw ConnectorError.changedAtVendor(.bostonLogic, current: current, connectionID: client.connectionID)
            }
            if write.attributes.isEmpty { return WriteResult(remoteID: target.remoteID(id), raw: current.metadata.raw, record: current) }
        }
        // A PATCH sets attributes to values: resending it is harmless, so it may be retried.
        let operation = "PATCH \(target.path)/{id}"
        let envelope = try await client.blSend(.patch, path, body: write.body(creating: false), idempotent: true, operation: operation)
        return try await result(envelope, target: target, fallbackID: id, operation: operation)
    }

    // MARK: - Delete

    /// Deletes a lead, agent, employee (`employee-<id>`), office or team. A record the vendor no
    /// longer has (404) counts as deleted.
    ///
    /// - Throws: ``ConnectorError``: `.permission` when the key lacks the Delete right.
    public func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        let (target, vendorID) = try writeTarget(R.resource, remoteID: remoteID, memberType: nil)
        let id = try checkedID(vendorID ?? remoteID)
        do {
            _ = try await client.blSend(
                .delete, "\(target.path)/\(id)", body: nil, idempotent: true, operation: "DELETE \(target.path)/{id}")
        } catch let error as ConnectorError where error.kind == .notFound {
            return
        }
    }

    // MARK: - Requests

    /// Reads one record (`GET /api/v2/<list>/{id}`), mapped like a read.
    func fetch(_ target: WriteTarget, id: String) async throws -> any HubRecord {
        let operation = "GET \(target.path)/{id}"
        let envelope = try await client.blSend(.get, "\(target.path)/\(id)", body: nil, operation: operation)
        return try mapped(envelope, target: target, operation: operation)
    }

    private func mapped(_ envelope: BostonLogicEnvelope?, target: WriteTarget, operation: String) throws -> any HubRecord {
        do {
            guard let envelope else {
                throw WirePayloadError(vendor: .bostonLogic, resource: target.path, reason: "the answer is empty")
            }
            var record = try target.map(try envelope.object(resource: target.path))
            record.metadata.connectionID = client.connectionID
            return record
        } catch let error as WirePayloadError {
            throw ConnectorError(
                .invalidResponse, vendor: .bostonLogic, message: error.description, connectionID: client.connectionID,
                operation: operation)
        }
    }

    /// The result of a write: the record from the answer's `data`, or read back when the answer
    /// has none.
    private func result(_ envelope: BostonLogicEnvelope?, target: WriteTarget, fallbackID: String?, operation: String) async throws
        -> WriteResult
    {
        if let data = try? envelope?.object(resource: target.path), let id = data.text("id") {
            let record = try mapped(envelope, target: target, operation: operation)
            return WriteResult(remoteID: target.remoteID(id), raw: data, record: record)
        }
        guard let fallbackID else {
            throw ConnectorError(
                .invalidResponse, vendor: .bostonLogic, message: "the answer to \(operation) has no record id",
                connectionID: client.connectionID, operation: operation)
        }
        let record = try await fetch(target, id: fallbackID)
        return WriteResult(remoteID: target.remoteID(fallbackID), raw: record.metadata.raw, record: record)
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

    /// Finds an existing agent or employee (email), office or team (name) or lead (email or phone).
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
            return try await lookupByName(office.name, path: BostonLogicEndpoints.offices, keys: ["name", "office_name"])
        case let team as Team:
            return try await lookupByName(team.name, path: BostonLogicEndpoints.teams, keys: ["name", "team_name"])
        case let contact as Contact:
            return try await lookupLead(contact)
        default:
            throw ConnectorError.unsupported(
                .bostonLogic, "look up existing \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// The record of a roster list with the same name (trimmed, case-insensitive); no name
    /// filter is documented, so the list is read whole.
    private func lookupByName(_ name: String?, path: String, keys: [String]) async throws -> String? {
        guard let wanted = name?.trimmingCharacters(in: .whitespaces).lowercased(), !wanted.isEmpty else { return nil }
        let items = try await client.blListAll(path, query: BostonLogicEndpoints.everyStatus)
        return items.first { item in
            keys.lazy.compactMap { item.text($0) }.first?.trimmingCharacters(in: .whitespaces).lowercased() == wanted
        }?.text("id")
    }

    private func lookupLead(_ contact: Contact) async throws -> String? {
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
    }
}
