public import ConnectorKit
import Foundation
public import RealtyModel

extension ApimoConnector {
    /// Creates a lead (a ``Contact`` with `ContactType` `Lead`), a contact (`Contact` or none)
    /// or an action (an ``Activity``): `POST /agencies/{agency}/leads`, `…/contacts` or
    /// `…/actions` with a JSON body, ids as strings.
    ///
    /// Reading: Apimo does not publish these bodies; the field names are those of its lead,
    /// user and action documents (see ``ApimoMapping``). The new id is read from the answer's
    /// `id` (at the top or in the one object it holds), else from `Location`. The record comes
    /// from the answer when it holds one; no extra GET is spent on it (the daily quota is 1,000
    /// requests), so an answer with only an id leaves ``WriteResult/record`` nil.
    ///
    /// - Returns: the new record's source key (`lead-<id>` for leads, the id otherwise).
    /// - Throws: ``ConnectorError``; `.validation` for fields or values Apimo cannot take;
    ///   `.configuration` when the agency to write to is ambiguous.
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        try refuse(ApimoMapping.writeProblems(record, fields: record.presentFieldNames, operation: .create, valuesOnly: true))
        let connectionID = client.connectionID
        switch record {
        case let contact as Contact:
            let agency = try await writeAgency(contact.metadata)
            if Self.isLead(contact) {
                let created = try await post(
                    "/agencies/\(agency)/leads", body: ApimoMapping.leadBody(from: contact),
                    operation: "POST /agencies/{agency_id}/leads"
                ) { try ApimoMapping.lead(from: $0, connectionID: connectionID) }
                return WriteResult(
                    remoteID: ApimoMapping.leadKeyPrefix + created.remoteID, location: created.location, raw: created.raw,
                    record: created.record)
            }
            return try await post(
                "/agencies/\(agency)/contacts", body: ApimoMapping.contactBody(from: contact),
                operation: "POST /agencies/{agency_id}/contacts"
            ) { try ApimoMapping.contact(from: $0, connectionID: connectionID) }
        case let activity as Activity:
            let agency = try await writeAgency(activity.metadata)
            let body = try await actionBody(activity)
            let labels = try await catalogLabels([.actionType])
            return try await post("/agencies/\(agency)/actions", body: body, operation: "POST /agencies/{agency_id}/actions") {
                try ApimoMapping.activity(from: $0, catalogs: labels, connectionID: connectionID)
            }
        case let media as Media:
            return try await createPicture(media)
        default:
            throw ConnectorError.unsupported(.apimo, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// Updates a contact, an action or a property by `PUT` of the vendor's own JSON, changed
    /// only in the fields `change.fields` names (a read-modify-write): fields the hub does not
    /// map (a contact's `title`, a property's pictures and comments, ...) go back as Apimo gave
    /// them, never blanked.
    ///
    /// The record is read first from its list: contacts and properties with `timestamp` just
    /// before the hub's copy's modification time (one small page: the record is in it, having
    /// been modified at that time or later); actions from the owner's action list, which takes
    /// no `timestamp` (as documented), page by page. That read also serves the conflict check:
    /// when `change.expectedSourceModification` is set and the record's `updated_at` is later,
    /// nothing is sent. `updated_at` has whole seconds (agency local time), so the expected
    /// time is compared truncated to its second. The PUT's answer, when it holds the record,
    /// is the result's record; else the body sent is.
    ///
    /// - Throws: ``ConnectorError``; `.changedAtVendor` with ``ConnectorError/vendorRecord`` on a
    ///   conflict; `.validation` for unmapped values; `.configuration` for a lead (`lead-<id>`):
    ///   Apimo documents no update of leads; `.notFound` when the record is not in its list.
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        let record = change.record
        if let contact = record as? Contact, change.remoteID.hasPrefix(ApimoMapping.leadKeyPrefix) || Self.isLeadKeyed(contact) {
            throw ConnectorError.unsupported(.apimo, "update leads", connectionID: client.connectionID)
        }
        try refuse(ApimoMapping.writeProblems(record, fields: change.fields, operation: .update))
        let id = try checkedID(change.remoteID)
        let agency = try await writeAgency(record.metadata)
        let connectionID = client.connectionID
        let baseline = change.expectedSourceModification ?? record.metadata.sourceModificationTimestamp
        switch record {
        case is Contact:
            let current = try await currentRecord(.contacts, id: id, agency: agency, user: nil, since: baseline)
            return try await readModifyWrite(
                change, current: current, path: "/agencies/\(agency)/contacts/\(id)",
                operation: "PUT /agencies/{agency_id}/contacts/{contact_id}", catalogs: ApimoCatalogs()
            ) { try ApimoMapping.contact(from: $0, connectionID: connectionID) as? R }
        case let activity as Activity:
            let owner = activity.metadata.raw.flatMap { ApimoRecord(json: $0)?.reference("user") } ?? activity.ownerMemberSourceKey
            guard let owner, Self.isPlainID(owner) else {
                throw ConnectorError(
                    .validation, vendor: .apimo,
                    message: "cannot find action \(id): Apimo lists actions per user, and the activity names none",
                    fieldErrors: [FieldError(field: "SourceSystemOwnerMemberKey", message: "the action's Apimo user is needed")],
                    connectionID: client.connectionID)
            }
            let labels = try await catalogLabels([.actionType])
            let current = try await currentRecord(.actions, id: id, agency: agency, user: owner, since: nil)
            return try await readModifyWrite(
                change, current: current, path: "/agencies/\(agency)/actions/\(id)",
                operation: "PUT /agencies/{agency_id}/actions/{action_id}", catalogs: labels
            ) { try ApimoMapping.activity(from: $0, catalogs: labels, connectionID: connectionID) as? R }
        case is Property:
            let labels = try await catalogLabels(Self.propertyCatalogs(for: change.fields))
            let current = try await currentRecord(.properties, id: id, agency: agency, user: nil, since: baseline)
            return try await readModifyWrite(
                change, current: current, path: "/agencies/\(agency)/properties/\(id)",
                operation: "PUT /agencies/{agency_id}/properties/{property_id}", catalogs: labels
            ) { try ApimoMapping.property(from: $0, catalogs: labels, connectionID: connectionID) as? R }
        default:
            throw ConnectorError.unsupported(.apimo, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// Apimo documents no DELETE of contacts, leads, actions or properties (only of a
    /// property's pictures, medias and documents), so nothing is deleted: the capabilities say
    /// `canDelete: false` and the hub refuses before queuing. A picture is addressed through its
    /// property, which its id alone does not name: see the delete given the record.
    ///
    /// - Throws: ``ConnectorError`` `.configuration`, always.
    public func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        throw ConnectorError.unsupported(.apimo, "delete \(R.resource.rawValue) records", connectionID: client.connectionID)
    }

    /// Deletes a property picture (a ``Media`` whose `SourceSystemResourceRecordKey` names the
    /// property; see ``deletePicture(_:remoteID:)``); any other record is refused, as by type.
    ///
    /// - Throws: ``ConnectorError``.
    public func delete<R: HubRecord>(_ record: R, remoteID: String) async throws {
        guard let media = record as? Media else { return try await delete(R.self, remoteID: remoteID) }
        try await deletePicture(media, remoteID: remoteID)
    }

    /// The capability's generic checks plus Apimo's own (see
    /// ``ApimoMapping/writeProblems(_:fields:operation:)``). No request is sent.
    public func writeProblems<R: HubRecord>(_ record: R, fields: [String], operation: WriteOperation) -> [FieldError] {
        guard let capability = capabilities.write(R.resource) else {
            return [FieldError(field: R.resource.rawValue, message: "Apimo cannot write \(R.resource.rawValue) records")]
        }
        let generic = capability.problems(fields: fields, operation: operation, vendor: vendor)
        guard capability.allows(operation) else { return generic }
        return generic + ApimoMapping.writeProblems(record, fields: fields, operation: operation)
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
        if let media = record as? Media { return try await lookupPicture(media) }
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

    /// Whether a contact is written as a lead: `ContactType` `Lead` (with no type it is a
    /// contact; the hub's lead intake sets `Lead` on what it accepts).
    static func isLead(_ contact: Contact) -> Bool {
        guard let type = contact.contactType?.trimmingCharacters(in: .whitespaces), !type.isEmpty else { return false }
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

    /// Whether a contact read from Apimo is one of its leads (its source key `lead-<id>`).
    static func isLeadKeyed(_ contact: Contact) -> Bool { ApimoMapping.isLeadKey(contact.metadata) }

    /// The catalogs a property update naming `fields` needs.
    static func propertyCatalogs(for fields: [String]) -> [ApimoCatalogs.Name] {
        var names: [ApimoCatalogs.Name] = []
        if fields.contains("StandardStatus") { names.append(.propertyStatus) }
        if fields.contains("PropertyType") { names.append(.propertyType) }
        if fields.contains("PropertySubType") { names.append(.propertySubtype) }
        if fields.contains("LivingAreaUnits") { names.append(.unitArea) }
        return names
    }

    /// Throws `.validation` carrying `problems`, when there are any.
    private func refuse(_ problems: [FieldError]) throws {
        guard !problems.isEmpty else { return }
        throw ConnectorError(
            .validation, vendor: .apimo, message: problems.map(\.message).joined(separator: "; "), fieldErrors: problems,
            connectionID: client.connectionID)
    }

    /// The vendor's current JSON of record `id`, read from its list: with `timestamp` one
    /// second before `since` when the list takes one (the record, modified at `since` or later,
    /// is in that page), else page by page. When the filtered read misses it (a hub time ahead
    /// of the vendor's clock), the list is read once more without the filter.
    ///
    /// - Throws: ``ConnectorError`` `.notFound` when the list does not hold it.
    func currentRecord(_ list: ApimoList, id: String, agency: String, user: String?, since: Date?) async throws -> ApimoRecord {
        if list.takesTimestamp, let since {
            let filter = [URLQueryItem(name: "timestamp", value: String(Int64(since.timeIntervalSince1970.rounded(.down)) - 1))]
            if let found = try await find(id, in: list, agency: agency, user: user, filter: filter) { return found }
        }
        if let found = try await find(id, in: list, agency: agency, user: user, filter: []) { return found }
        throw ConnectorError(
            .notFound, vendor: .apimo, message: "\(list.rawValue) \(id) is not in agency \(agency)'s list",
            connectionID: client.connectionID, operation: list.operationName)
    }

    /// Record `id` from the pages of `list` read with `filter`, or nil.
    private func find(_ id: String, in list: ApimoList, agency: String, user: String?, filter: [URLQueryItem]) async throws
        -> ApimoRecord?
    {
        var paginator: OffsetPaginator? = OffsetPaginator(limit: min(client.pageSize, list.pageLimit))
        while let current = paginator {
            let page = try await fetch(list, agency: agency, user: user, query: current.queryItems() + filter)
            if let found = page.items.first(where: { $0.id == id }) { return found }
            paginator = current.next(received: page.items.count, total: page.totalItems)
        }
        return nil
    }

    /// The conflict check, the change applied to the vendor's JSON, and the PUT.
    private func readModifyWrite<R: HubRecord>(
        _ change: RecordChange<R>, current: ApimoRecord, path: String, operation: String, catalogs: ApimoCatalogs,
        map: (ApimoRecord) throws -> R?
    ) async throws -> WriteResult {
        guard let mapped = try? map(current) else {
            throw ConnectorError(
                .invalidResponse, vendor: .apimo, message: "the current \(R.resource.rawValue) record \(change.remoteID) cannot be read",
                connectionID: client.connectionID, operation: operation)
        }
        if let expected = change.expectedSourceModification, let modified = mapped.metadata.sourceModificationTimestamp,
            modified.timeIntervalSince1970 > expected.timeIntervalSince1970.rounded(.down)
        {
            var error = ConnectorError(
                .changedAtVendor, vendor: .apimo,
                message:
                    "\(change.remoteID) was changed at Apimo at \(Timestamp.format(modified)), after the hub's copy (\(Timestamp.format(expected)))",
                connectionID: client.connectionID, operation: operation)
            error.vendorRecord = mapped
            throw error
        }
        var body = current.fields
        do {
            try ApimoMapping.apply(change.fields, of: change.record, current: mapped, to: &body, catalogs: catalogs)
        } catch {
            throw ConnectorError(
                .validation, vendor: .apimo, message: error.message, fieldErrors: [FieldError(field: error.field, message: error.message)],
                connectionID: client.connectionID, operation: operation)
        }
        let request = try client.jsonRequest(.put, try client.url(path), body: JSONValue.object(body), operationName: operation)
        let response = try await client.send(request)
        let json = response.body.isEmpty ? nil : try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        let answered = Self.answeredRecord(json)
        let record = try? map(answered ?? ApimoRecord(fields: body))
        return WriteResult(remoteID: change.remoteID, raw: .object((answered ?? ApimoRecord(fields: body)).fields), record: record)
    }

    /// The record an answer holds: the answer itself when it has an `id` and more, or the one
    /// object it wraps (`{"contact": {...}}`).
    static func answeredRecord(_ json: JSONValue) -> ApimoRecord? {
        guard case .object(let members) = json else { return nil }
        if ApimoRecord.text(members["id"]) != nil, members.count > 1 { return ApimoRecord(fields: members) }
        if members.count == 1, let inner = members.values.first?.objectValue, ApimoRecord.text(inner["id"]) != nil {
            return ApimoRecord(fields: inner)
        }
        return nil
    }

    func post(
        _ path: String, body: [String: JSONValue], operation: String, map: (ApimoRecord) throws -> any HubRecord
    ) async throws -> WriteResult {
        let request = try client.jsonRequest(.post, try client.url(path), body: JSONValue.object(body), operationName: operation)
        let response = try await client.send(request)
        let json = response.body.isEmpty ? nil : try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        let location = response.headers["Location"]
        guard let id = Self.createdID(json, location: location) else {
            throw ConnectorError(
                .invalidResponse, vendor: .apimo, message: "\(operation) answered no id for the new record",
                httpStatus: response.status, connectionID: client.connectionID, operation: operation)
        }
        let record = Self.answeredRecord(json).flatMap { try? map($0) }
        return WriteResult(
            remoteID: id, location: location.flatMap { URL(string: $0, relativeTo: client.configuration.baseURL) }, raw: json,
            record: record)
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
