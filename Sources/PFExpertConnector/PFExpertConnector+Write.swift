public import ConnectorKit
import Foundation
public import RealtyModel

// The write path of PF Expert: the hub's records become lead, property and user bodies
// (PFExpertMapping+Write.swift), are sent, and come back mapped exactly like a read; a record
// that may already exist (an answer lost after the vendor wrote it) is looked up first.

extension PFExpertConnector {
    /// Where a resource lives: its path, the key a record is wrapped in, and whether reads
    /// expand its relations.
    struct WriteTarget: Sendable {
        var path: String
        var itemKey: String
        var endpoint: PFExpertEndpoint

        static let leads = WriteTarget(path: "/leads", itemKey: "lead", endpoint: .leads)
        static let properties = WriteTarget(path: "/properties", itemKey: "property", endpoint: .properties)
        static let users = WriteTarget(path: "/users", itemKey: "user", endpoint: .users)

        static func of(_ resource: ResourceName) -> WriteTarget? {
            switch resource {
            case .contacts: return .leads
            case .property: return .properties
            case .member: return .users
            default: return nil
            }
        }
    }

    // MARK: - Problems

    /// Fields PF cannot take and vocabulary values without a mapping (see
    /// `docs/vendors/pf-expert.md`), and on create what PF requires: a lead's first name and a
    /// way to reach it; a property's type, offering, price and location; a user's names and email.
    public func writeProblems<R: HubRecord>(_ record: R, fields: [String], operation: WriteOperation) -> [FieldError] {
        guard let capability = capabilities.write(R.resource) else {
            return [FieldError(field: R.resource.rawValue, message: "PF Expert cannot write \(R.resource.rawValue) records")]
        }
        let generic = capability.problems(fields: fields, operation: operation, vendor: vendor)
        guard operation != .delete, capability.allows(operation) else { return generic }
        let named = Set(fields).intersection(capability.fields ?? [])
        return generic + (Self.writes(record, fields: named, creating: operation == .create)?.problems ?? [])
    }

    /// The vendor values a write of `fields` of `record` sets (nil for a resource PF does not write).
    static func writes<R: HubRecord>(_ record: R, fields: Set<String>, creating: Bool) -> PFWrites? {
        switch record {
        case let contact as Contact: return PFExpertMapping.leadWrites(contact, fields: fields, creating: creating)
        case let property as Property: return PFExpertMapping.propertyWrites(property, fields: fields, creating: creating)
        case let member as Member: return PFExpertMapping.userWrites(member, fields: fields, creating: creating)
        default: return nil
        }
    }

    /// The values to send, or a `.validation` error with the problems.
    private func checkedWrites<R: HubRecord>(_ record: R, fields: Set<String>, creating: Bool) throws -> PFWrites {
        guard let writes = Self.writes(record, fields: fields, creating: creating) else {
            throw ConnectorError.unsupported(
                .pfExpert, "\(creating ? "create" : "update") \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        guard writes.problems.isEmpty else {
            throw ConnectorError(
                .validation, vendor: .pfExpert, message: "PF Expert cannot take this \(R.resource.rawValue) record",
                fieldErrors: writes.problems, connectionID: client.connectionID)
        }
        return writes
    }

    // MARK: - Create

    /// Creates a lead (`Contact`), property (`Property`) or user (`Member`): `POST /leads`,
    /// `/properties` or `/users` with the record wrapped in its singular key. A property's
    /// location is found through the location search (City, BuildingName).
    ///
    /// - Returns: the new record's id and the record as PF now holds it.
    /// - Throws: ``ConnectorError`` (`.validation` with field errors for what PF cannot take or
    ///   refuses with `InvalidRequest`).
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        guard let target = WriteTarget.of(R.resource), let capability = capabilities.write(R.resource), capability.canCreate else {
            throw ConnectorError.unsupported(.pfExpert, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let fields = PFExpertMapping.createFields(record, writable: capability.fields ?? [])
        var writes = try checkedWrites(record, fields: fields, creating: true)
        if let property = record as? Property {
            let locationID = try await resolveLocation(property)
            writes.set("location", to: .object(["id": WireValues.numericID(locationID)]))
        }
        let (id, location, item) = try await send(.post, path: target.path, body: writes.createBody(key: target.itemKey), target: target)
        let current = try await writtenRecord(answered: item, target: target, id: id)
        return WriteResult(remoteID: id, location: location, raw: current.metadata.raw, record: current)
    }

    /// The PF location named by a listing's BuildingName (a tower) and City, through
    /// `GET /locations?filters[string]=`: the first location whose tower and city equal those
    /// given (case-insensitively); a city alone matches a location without a tower first.
    ///
    /// - Throws: ``ConnectorError`` `.validation` naming City when no location matches.
    func resolveLocation(_ property: Property) async throws -> String {
        let tower = property.buildingName.flatMap { FieldRules.isPresent($0) ? $0.lowercased() : nil }
        let city = property.city.flatMap { FieldRules.isPresent($0) ? $0.lowercased() : nil }
        guard let search = property.buildingName ?? property.city, tower != nil || city != nil else {
            throw ConnectorError(
                .validation, vendor: .pfExpert, message: "a PF property needs a location",
                fieldErrors: [FieldError(field: "City", message: "PF Expert requires a location: set City and/or BuildingName")],
                connectionID: client.connectionID)
        }
        let found = try await searchLocations(search)
        let matches = found.filter { location in
            (tower == nil || location.tower?.lowercased() == tower) && (city == nil || location.city?.lowercased() == city)
        }
        guard let match = matches.first(where: { tower != nil || $0.tower == nil }) ?? matches.first else {
            let named = [property.buildingName, property.city].compactMap { $0 }.joined(separator: ", ")
            throw ConnectorError(
                .validation, vendor: .pfExpert, message: "PF Expert has no location \"\(named)\"",
                fieldErrors: [
                    FieldError(
                        field: tower != nil ? "BuildingName" : "City",
                        message: "PF Expert has no location \"\(named)\" (searched its locations for \"\(search)\")")
                ], connectionID: client.connectionID)
        }
        return match.id
    }

    // MARK: - Update

    /// Changes a lead or property: `PATCH /leads/{id}` or `/properties/{id}` with one `replace`
    /// operation per value the changed fields set (others are not touched).
    ///
    /// With `change.expectedSourceModification`, the record is read first and its `updated_at`
    /// compared with it at whole seconds (PF stamps `2012-04-04T09:14:57Z`): a later stamp
    /// throws `.changedAtVendor` with the current record, and nothing is sent.
    ///
    /// - Throws: ``ConnectorError`` (`.notFound` for an unknown id).
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        guard let target = WriteTarget.of(R.resource), let capability = capabilities.write(R.resource), capability.canUpdate else {
            throw ConnectorError.unsupported(.pfExpert, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let id = try Self.checkedID(change.remoteID, connectionID: client.connectionID)
        let fields = Set(change.fields)
        let refused = capability.problems(fields: change.fields, operation: .update, vendor: vendor)
        var writes = try checkedWrites(change.record, fields: fields, creating: false)
        guard refused.isEmpty else {
            throw ConnectorError(
                .validation, vendor: .pfExpert, message: "PF Expert cannot take these fields", fieldErrors: refused,
                connectionID: client.connectionID)
        }
        if let property = change.record as? Property, fields.contains("City") || fields.contains("BuildingName") {
            let locationID = try await resolveLocation(property)
            writes.set("location", to: .object(["id": WireValues.numericID(locationID)]))
        }
        if change.expectedSourceModification != nil {
            let current = try await fetch(target, id: id)
            if change.isStale(vendorModified: current.metadata.sourceModificationTimestamp) {
                throw ConnectorError.changedAtVendor(.pfExpert, current: current, connectionID: client.connectionID)
            }
            if writes.values.isEmpty { return WriteResult(remoteID: id, raw: current.metadata.raw, record: current) }
        }
        var item: JSONValue?
        if !writes.values.isEmpty {
            item = try await send(.patch, path: "\(target.path)/\(id)", body: writes.patchBody, target: target, fallbackID: id).item
        }
        let current = try await writtenRecord(answered: item, target: target, id: id)
        return WriteResult(remoteID: id, raw: current.metadata.raw, record: current)
    }

    // MARK: - Delete

    /// Deletes a property (`DELETE /properties/{id}`, the only delete the documents give). A
    /// property PF no longer has counts as deleted.
    ///
    /// - Throws: ``ConnectorError`` (`.configuration` for other resources).
    public func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        guard R.resource == .property else {
            throw ConnectorError.unsupported(.pfExpert, "delete \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let id = try Self.checkedID(remoteID, connectionID: client.connectionID)
        let request = try client.jsonRequest(
            .delete, try client.url("/properties/\(id)"), isIdempotent: true, operationName: "DELETE /properties/{id}")
        do {
            _ = try await client.send(request)
        } catch let error as ConnectorError where error.kind == .notFound {
            return
        }
    }

    // MARK: - Requests

    /// A remote id usable in a path: PF ids are integers; anything with a path character is refused.
    static func checkedID(_ remoteID: String, connectionID: String) throws -> String {
        let id = remoteID.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw ConnectorError(
                .validation, vendor: .pfExpert, message: "\"\(remoteID)\" is not a PF Expert record id",
                connectionID: connectionID)
        }
        return id
    }

    /// Sends a write and reads the record id from the answer: the body's `{"<item>": {"id"}}`,
    /// else the last segment of `Location`, else the id written to (an update answered 204).
    private func send(
        _ method: ConnectorKit.HTTPMethod, path: String, body: JSONValue, target: WriteTarget, fallbackID: String? = nil
    ) async throws
        -> (id: String, location: URL?, item: JSONValue?)
    {
        // A PATCH of `replace` operations sets fields to values: resending it is harmless, so
        // transient failures are retried. A POST is not resent blindly (see ``lookup(_:)``).
        let operation = "\(method) \(Self.template(path))"
        let request = try client.jsonRequest(
            method, try client.url(path), body: body, isIdempotent: method == .patch ? true : nil, operationName: operation)
        let response = try await client.send(request)
        var raw: JSONValue?
        if !response.body.isEmpty {
            raw = try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        }
        let item = raw?[target.itemKey] ?? raw
        let location = response.headers["Location"].flatMap { URL(string: $0) }
        guard let id = item?.text("id") ?? location.flatMap({ Self.lastPathSegment($0) }) ?? fallbackID else {
            throw ConnectorError(
                .invalidResponse, vendor: .pfExpert,
                message: "the answer to \(operation) has neither a record id nor a Location header",
                httpStatus: response.status, connectionID: client.connectionID)
        }
        return (id, location, item)
    }

    /// The record as PF holds it after a write: from the answer (PF renders the written record,
    /// per the seed) where a read would not expand it, else read back with one GET.
    private func writtenRecord(answered item: JSONValue?, target: WriteTarget, id: String) async throws -> any HubRecord {
        if !target.endpoint.expandsRelations, let item, item.text("id") != nil, var record = try? target.endpoint.map(item) {
            record.metadata.connectionID = client.connectionID
            return record
        }
        return try await fetch(target, id: id)
    }

    /// Reads one record (`GET /leads/{id}`, ...) and maps it exactly like a list read: with
    /// `X-MyCRM-Expand-Data` where the list read asks for it (properties: the location's names).
    func fetch(_ target: WriteTarget, id: String) async throws -> any HubRecord {
        let operation = "GET \(target.path)/{id}"
        var request = try client.jsonRequest(.get, try client.url("\(target.path)/\(id)"), operationName: operation)
        if target.endpoint.expandsRelations { request.headers["X-MyCRM-Expand-Data"] = "true" }
        let response = try await client.send(request)
        let json = try client.decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        do {
            var record = try target.endpoint.map(json[target.itemKey] ?? json)
            record.metadata.connectionID = client.connectionID
            return record
        } catch let error as WirePayloadError {
            throw ConnectorError(
                .invalidResponse, vendor: .pfExpert, message: error.description, httpStatus: response.status,
                connectionID: client.connectionID, operation: operation)
        }
    }

    /// `/leads/123` → `/leads/{id}`, for low-cardinality operation names.
    static func template(_ path: String) -> String {
        path.split(separator: "/").map { segment in
            segment.allSatisfy(\.isNumber) ? "{id}" : String(segment)
        }.reduce("") { $0 + "/" + $1 }
    }

    static func lastPathSegment(_ url: URL) -> String? {
        let segment = url.path.split(separator: "/").last.map(String.init)
        return segment?.isEmpty == false ? segment : nil
    }

    // MARK: - Lookup

    /// Finds an existing lead (by email or mobile among recent leads), property (by reference)
    /// or user (by email).
    ///
    /// - Returns: the vendor id, or nil when nothing matches.
    /// - Throws: ``ConnectorError``.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        switch record {
        case let contact as Contact: return try await lookupLead(contact)
        case let property as Property: return try await lookupProperty(property)
        case let member as Member: return try await lookupUser(member)
        default:
            throw ConnectorError.unsupported(
                .pfExpert, "look up existing \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// A property with the same reference (`filters[reference]`).
    private func lookupProperty(_ property: Property) async throws -> String? {
        guard let reference = property.listingID, FieldRules.isPresent(reference) else { return nil }
        let url = try client.url(
            "/properties",
            query: [
                URLQueryItem(name: "filters[reference]", value: reference), URLQueryItem(name: "per_page", value: "100"),
            ])
        let page = try await client.pfList(url, endpoint: .properties)
        for item in page.items where item.text("reference") == reference {
            if let id = item.text("id") { return id }
        }
        return nil
    }

    /// A user with the same email (case-insensitive). No user filter is documented: the list
    /// is asked with `filters[email]` and every answer is checked here, so a server that
    /// ignores the filter is paged through (up to the lookup's page limit).
    private func lookupUser(_ member: Member) async throws -> String? {
        guard let email = member.email?.lowercased(), FieldRules.isPresent(email) else { return nil }
        var paginator = PageNumberPaginator(perPage: 100)
        for _ in 0..<Self.lookupPageLimit {
            let url = try client.url("/users", query: paginator.queryItems() + [URLQueryItem(name: "filters[email]", value: email)])
            let page = try await client.pfList(url, endpoint: .users)
            if let match = page.items.first(where: { $0.text("email")?.lowercased() == email }), let id = match.text("id") {
                return id
            }
            guard let next = paginator.next(received: page.items.count, total: page.count) else { return nil }
            paginator = next
        }
        return nil
    }

    /// A lead created in the lookup window with the same email (case-insensitive) or mobile
    /// number (compared by digits).
    private func lookupLead(_ contact: Contact) async throws -> String? {
        let email = contact.email.map { $0.lowercased() }
        let phones = WireValues.lookupDigits([contact.mobilePhone, contact.homePhone])
        guard email != nil || !phones.isEmpty else { return nil }
        let since = PFExpertReadSession<Contact>.day(clock.now().addingTimeInterval(-Self.lookupWindow))
        var paginator = PageNumberPaginator(perPage: 100)
        for _ in 0..<Self.lookupPageLimit {
            let url = try client.url(
                "/leads",
                query: paginator.queryItems() + [
                    URLQueryItem(name: "filters[created][from]", value: since),
                    URLQueryItem(name: "sort", value: "id"), URLQueryItem(name: "sort_order", value: "desc"),
                ])
            let page = try await client.pfList(url, endpoint: .leads)
            for item in page.items {
                let sameEmail = email != nil && item.text("email")?.lowercased() == email
                let samePhone = [item.text("mobile"), item.text("phone")].contains {
                    $0.map { phones.contains(WireValues.digits($0)) } ?? false
                }
                if sameEmail || samePhone, let id = item.text("id") { return id }
            }
            guard let next = paginator.next(received: page.items.count, total: page.count) else { return nil }
            paginator = next
        }
        return nil
    }
}
