public import ConnectorKit
import Foundation
public import RealtyModel

extension ApimoConnector {
    /// Creates a lead (a ``Contact`` with `ContactType` `Lead` or none), a contact (any other
    /// type) or an action (an ``Activity``): `POST /agencies/{agency}/leads`, `…/contacts` or
    /// `…/actions` with a JSON body, ids as strings.
    ///
    /// Reading: Apimo does not publish these bodies; the field names are those of its lead,
    /// user and action documents (see ``ApimoMapping``). The new id is read from the answer's
    /// `id` (at the top or in the one object it holds), else from `Location`.
    ///
    /// - Returns: the new record's source key (`lead-<id>` for leads, the id otherwise).
    /// - Throws: ``ConnectorError``; `.configuration` when the agency to write to is ambiguous.
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        switch record {
        case let contact as Contact:
            let agency = try await writeAgency(contact.metadata)
            if Self.isLead(contact) {
                let id = try await post(
                    "/agencies/\(agency)/leads", body: ApimoMapping.leadBody(from: contact),
                    operation: "POST /agencies/{agency_id}/leads")
                return WriteResult(remoteID: ApimoMapping.leadKeyPrefix + id.remoteID, location: id.location, raw: id.raw)
            }
            return try await post(
                "/agencies/\(agency)/contacts", body: ApimoMapping.contactBody(from: contact),
                operation: "POST /agencies/{agency_id}/contacts")
        case let activity as Activity:
            let agency = try await writeAgency(activity.metadata)
            let body = try await actionBody(activity)
            return try await post("/agencies/\(agency)/actions", body: body, operation: "POST /agencies/{agency_id}/actions")
        default:
            throw ConnectorError.unsupported(.apimo, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// Updates a contact (`PUT /agencies/{agency}/contacts/{id}`) or an action
    /// (`PUT /agencies/{agency}/actions/{id}`) with the fields the record has.
    ///
    /// - Throws: ``ConnectorError``; `.configuration` for a lead (`lead-<id>`): Apimo documents
    ///   no update of leads.
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        let record = change.record
        let remoteID = change.remoteID
        switch record {
        case let contact as Contact:
            guard !remoteID.hasPrefix(ApimoMapping.leadKeyPrefix) else {
                throw ConnectorError.unsupported(.apimo, "update leads", connectionID: client.connectionID)
            }
            let id = try checkedID(remoteID)
            let agency = try await writeAgency(contact.metadata)
            return try await put(
                "/agencies/\(agency)/contacts/\(id)", id: id, body: ApimoMapping.contactBody(from: contact),
                operation: "PUT /agencies/{agency_id}/contacts/{contact_id}")
        case let activity as Activity:
            let id = try checkedID(remoteID)
            let agency = try await writeAgency(activity.metadata)
            let body = try await actionBody(activity)
            return try await put(
                "/agencies/\(agency)/actions/\(id)", id: id, body: body, operation: "PUT /agencies/{agency_id}/actions/{action_id}")
        default:
            throw ConnectorError.unsupported(.apimo, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// How far back a lookup reads: the hub looks a record up only when an earlier attempt to
    /// create it may have reached Apimo, which retries within days.
    static let lookupWindow: TimeInterval = 7 * 86_400

    /// Finds a lead or contact created or changed in the last ``lookupWindow`` with the
    /// record's email (case-insensitive) or one of its phone numbers (digits).
    ///
    /// Apimo's lists filter by nothing but `limit`, `offset` and `timestamp`; `timestamp` keeps
    /// the read to recent records, so one request of up to 10,000 usually answers, whatever
    /// the size of the agency.
    ///
    /// - Returns: the source key (`lead-<id>` for leads), or nil.
    /// - Throws: ``ConnectorError``; `.configuration` for resources other than contacts.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        guard let contact = record as? Contact else {
            throw ConnectorError(
                .configuration, vendor: .apimo,
                message:
                    "this connection cannot look up existing \(R.resource.rawValue) records (Apimo's lists offer no filter but time)",
                connectionID: client.connectionID)
        }
        let email = contact.email?.trimmingCharacters(in: .whitespaces).lowercased()
        let phones = WireValues.lookupDigits([contact.mobilePhone, contact.homePhone, contact.officePhone])
        guard !(email ?? "").isEmpty || !phones.isEmpty else { return nil }
        let agency = try await writeAgency(contact.metadata)
        let list: ApimoList = Self.isLead(contact) ? .leads : .contacts
        let since = Int64(client.clock.now().addingTimeInterval(-Self.lookupWindow).timeIntervalSince1970.rounded(.down))
        var paginator: OffsetPaginator? = OffsetPaginator(limit: min(client.pageSize, list.pageLimit))
        while let current = paginator {
            let page = try await fetch(
                list, agency: agency, user: nil, query: current.queryItems() + [URLQueryItem(name: "timestamp", value: String(since))])
            for item in page.items {
                guard let id = item.id else { continue }
                let emailMatches = email.map { !$0.isEmpty && item.text("email")?.lowercased() == $0 } ?? false
                let numbers = ["phone", "mobile"].compactMap { item.text($0).map(WireValues.digits) }
                if emailMatches || numbers.contains(where: phones.contains) {
                    return list == .leads ? ApimoMapping.leadKeyPrefix + id : id
                }
            }
            paginator = current.next(received: page.items.count, total: page.totalItems)
        }
        return nil
    }

    // MARK: - Helpers

    /// Whether a contact is written as a lead: `ContactType` `Lead` or none.
    static func isLead(_ contact: Contact) -> Bool {
        guard let type = contact.contactType?.trimmingCharacters(in: .whitespaces), !type.isEmpty else { return true }
        return type.lowercased() == "lead"
    }

    /// The agency a record is written to: its own agency when it was read from Apimo and that
    /// agency is granted; else the only configured agency; else the only agency the provider
    /// sees.
    ///
    /// - Throws: ``ConnectorError`` `.configuration` when that leaves several or none.
    func writeAgency(_ metadata: RecordMetadata) async throws -> String {
        if metadata.sourceSystemName == ApimoMapping.sourceSystemName, let raw = metadata.raw {
            let own = ApimoRecord(json: raw)?.reference("agency")
            if let own, Self.isPlainID(own), grantedAgencies.isEmpty || grantedAgencies.contains(own) { return own }
        }
        let candidates = try await agencyIDs()
        guard candidates.count == 1, let only = candidates.first else {
            throw ConnectorError(
                .configuration, vendor: .apimo,
                message: candidates.isEmpty
                    ? "provider \(provider) sees no agency to write to"
                    : "cannot tell which of the agencies \(candidates.joined(separator: ", ")) to write to; configure exactly one agency_id for writes",
                connectionID: client.connectionID)
        }
        return only
    }

    private func actionBody(_ activity: Activity) async throws -> [String: JSONValue] {
        let labels = try await catalogLabels([.actionType])
        do {
            return try ApimoMapping.actionBody(from: activity, catalogs: labels)
        } catch {
            throw ConnectorError(
                .validation, vendor: .apimo, message: error.message,
                fieldErrors: [FieldError(field: "ActivityType", message: error.message)], connectionID: client.connectionID)
        }
    }

    private func checkedID(_ remoteID: String) throws -> String {
        guard Self.isPlainID(remoteID) else {
            throw ConnectorError(
                .validation, vendor: .apimo, message: "\"\(remoteID)\" is not an Apimo id", connectionID: client.connectionID)
        }
        return remoteID
    }

    private func post(_ path: String, body: [String: JSONValue], operation: String) async throws -> WriteResult {
        let request = try client.jsonRequest(.post, try client.url(path), body: JSONValue.object(body), operationName: operation)
        let response = try await client.send(request)
        let json = response.body.isEmpty ? nil : try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        let location = response.headers["Location"]
        guard let id = Self.createdID(json, location: location) else {
            throw ConnectorError(
                .invalidResponse, vendor: .apimo, message: "\(operation) answered no id for the new record",
                httpStatus: response.status, connectionID: client.connectionID, operation: operation)
        }
        return WriteResult(
            remoteID: id, location: location.flatMap { URL(string: $0, relativeTo: client.configuration.baseURL) }, raw: json)
    }

    private func put(_ path: String, id: String, body: [String: JSONValue], operation: String) async throws -> WriteResult {
        let request = try client.jsonRequest(.put, try client.url(path), body: JSONValue.object(body), operationName: operation)
        let response = try await client.send(request)
        let json = response.body.isEmpty ? nil : try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        return WriteResult(remoteID: id, raw: json)
    }

    /// The id of a created record: `id` at the top of the answer, or in the one object it wraps
    /// (`{"lead": {...}}`, `{"leads": [{...}]}`), else the last segment of `Location`.
    static func createdID(_ json: JSONValue?, location: String?) -> String? {
        if let json {
            if let id = ApimoRecord.text(json["id"]) { return id }
            if case .object(let members) = json {
                for value in members.values {
                    if let id = ApimoRecord.text(value["id"]) { return id }
                    if let first = value.arrayValue?.first, let id = ApimoRecord.text(first["id"]) { return id }
                }
            }
            if let first = json.arrayValue?.first, let id = ApimoRecord.text(first["id"]) { return id }
        }
        if let location, let last = location.split(separator: "/").last.map(String.init), isPlainID(last) { return last }
        return nil
    }
}
