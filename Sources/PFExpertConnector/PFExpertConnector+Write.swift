public import ConnectorKit
import Foundation
public import RealtyModel

// The write path of PF Expert: the hub's records become lead and property bodies, are sent, and
// a record that may already exist (an answer lost after the vendor wrote it) is looked up first.

extension PFExpertConnector {
    // MARK: - Write

    /// Creates a lead (`Contact`) or a property (`Property`): `POST /leads` or `POST /properties`
    /// with the record wrapped in its singular key.
    ///
    /// - Returns: the new record's id (from the answer's body or its `Location`).
    /// - Throws: ``ConnectorError`` (`.validation` with field errors for `InvalidRequest`).
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        switch record {
        case let contact as Contact:
            let body = PFExpertMapping.createBody(key: "lead", fields: PFExpertMapping.leadFields(contact))
            return try await send(.post, path: "/leads", body: body, itemKey: "lead", remoteID: nil)
        case let property as Property:
            let body = PFExpertMapping.createBody(key: "property", fields: PFExpertMapping.propertyFields(property))
            return try await send(.post, path: "/properties", body: body, itemKey: "property", remoteID: nil)
        default:
            throw ConnectorError.unsupported(.pfExpert, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

    /// Updates a lead or property: `PATCH /leads/{id}` or `PATCH /properties/{id}` with a
    /// `replace` operation per field the record has (fields it lacks are left as they are).
    ///
    /// - Throws: ``ConnectorError`` (`.notFound` for an unknown id).
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        let record = change.record
        let remoteID = change.remoteID
        let id = try Self.checkedID(remoteID, connectionID: client.connectionID)
        switch record {
        case let contact as Contact:
            let body = PFExpertMapping.patchBody(fields: PFExpertMapping.leadFields(contact))
            return try await send(.patch, path: "/leads/\(id)", body: body, itemKey: "lead", remoteID: id)
        case let property as Property:
            let body = PFExpertMapping.patchBody(fields: PFExpertMapping.propertyFields(property))
            return try await send(.patch, path: "/properties/\(id)", body: body, itemKey: "property", remoteID: id)
        default:
            throw ConnectorError.unsupported(.pfExpert, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
    }

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
    /// else the last segment of `Location`, else the id written to.
    private func send(_ method: ConnectorKit.HTTPMethod, path: String, body: JSONValue, itemKey: String, remoteID: String?) async throws
        -> WriteResult
    {
        // A PATCH of `replace` operations sets fields to values: resending it is harmless, so
        // transient failures are retried. A POST is not resent blindly (see ``lookup(_:)``).
        let request = try client.jsonRequest(
            method, try client.url(path), body: body, isIdempotent: method == .patch ? true : nil,
            operationName: "\(method) \(Self.template(path))")
        let response = try await client.send(request)
        var raw: JSONValue?
        if !response.body.isEmpty {
            raw = try client.decode(JSONValue.self, from: response, what: "the answer to \(method) \(Self.template(path))")
        }
        let item = raw?[itemKey] ?? raw
        let location = response.headers["Location"].flatMap { URL(string: $0) }
        let id = item?.text("id") ?? location.flatMap { Self.lastPathSegment($0) } ?? remoteID
        guard let id else {
            throw ConnectorError(
                .invalidResponse, vendor: .pfExpert,
                message: "the answer to \(method) \(path) has neither a record id nor a Location header",
                httpStatus: response.status, connectionID: client.connectionID)
        }
        return WriteResult(remoteID: id, location: location, raw: item)
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

    /// Finds an existing lead (by email or mobile among recent leads) or property (by reference).
    ///
    /// - Returns: the vendor id, or nil when nothing matches.
    /// - Throws: ``ConnectorError``.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        switch record {
        case let contact as Contact: return try await lookupLead(contact)
        case let property as Property: return try await lookupProperty(property)
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

extension PFExpertMapping {
    // MARK: - Canonical → vendor

    /// The lead body fields for a contact: only fields the contact has are written.
    static func leadFields(_ contact: Contact) -> [(name: String, value: JSONValue)] {
        var first = contact.firstName
        var last = contact.lastName
        if !FieldRules.isPresent(first), !FieldRules.isPresent(last), let full = contact.fullName, FieldRules.isPresent(full) {
            // PF leads have no full-name field: split "Jane van Dijk" into "Jane" + "van Dijk".
            let trimmed = full.trimmingCharacters(in: .whitespaces)
            if let space = trimmed.firstIndex(of: " ") {
                first = String(trimmed[..<space])
                last = String(trimmed[trimmed.index(after: space)...]).trimmingCharacters(in: .whitespaces)
            } else {
                first = trimmed
            }
        }
        var fields: [(String, JSONValue)] = []
        func put(_ name: String, _ value: String?) {
            if let value, FieldRules.isPresent(value) { fields.append((name, .string(value))) }
        }
        put("first_name", first)
        put("last_name", last)
        put("email", contact.email)
        put("mobile", contact.mobilePhone)
        put("phone", contact.homePhone ?? contact.officePhone)
        put("address", contact.homeAddress1)
        put("city", contact.homeCity)
        put("country", contact.homeCountry)
        put("status", contact.contactStatus)
        put("source", contact.leadSource)
        if let owner = contact.ownerMemberSourceKey { fields.append(("user", WireValues.numericID(owner))) }
        return fields.map { (name: $0.0, value: $0.1) }
    }

    /// The property body fields for a listing: only fields the listing has are written.
    static func propertyFields(_ property: Property) -> [(name: String, value: JSONValue)] {
        var fields: [(String, JSONValue)] = []
        func put(_ name: String, _ value: String?) {
            if let value, FieldRules.isPresent(value) { fields.append((name, .string(value))) }
        }
        put("reference", property.listingID)
        put("status", vendorStatus(property.standardStatus, propertyType: property.propertyType))
        if let category = category(property.propertyType) { fields.append(("category", .string(category))) }
        if let price = property.listPrice ?? property.currentPrice {
            var priceObject: [String: JSONValue] = ["value": JSONNumber(price).map(JSONValue.number) ?? .null]
            priceObject["offering_type"] = .string(isLease(property.propertyType) ? "rent" : "sale")
            fields.append(("price", .object(priceObject)))
        }
        if let bedrooms = property.bedroomsTotal { fields.append(("bedrooms", .number(JSONNumber(bedrooms)))) }
        if let bathrooms = property.bathroomsTotalInteger { fields.append(("bathrooms", .number(JSONNumber(bathrooms)))) }
        if let size = property.livingArea, let number = JSONNumber(size) { fields.append(("size", .number(number))) }
        put("unit_number", property.unitNumber)
        if let newConstruction = property.newConstructionYN {
            fields.append(("project_status", .string(newConstruction ? "off_plan" : "completed")))
        }
        if let remarks = property.publicRemarks, FieldRules.isPresent(remarks) {
            fields.append(("languages", .object(["en": .object(["description": .string(remarks)])])))
        }
        if let agent = property.listAgentSourceKey { fields.append(("user", WireValues.numericID(agent))) }
        return fields.map { (name: $0.0, value: $0.1) }
    }

    /// RESO StandardStatus back to PF's listing status.
    static func vendorStatus(_ standardStatus: String?, propertyType: String?) -> String? {
        switch standardStatus {
        case "Active": return "available"
        case "Active Under Contract": return "under offer"
        case "Pending": return "reserved"
        case "Closed": return isLease(propertyType) ? "rented" : "sold"
        case "Incomplete", "Coming Soon": return "draft"
        default: return nil
        }
    }

    private static func isLease(_ propertyType: String?) -> Bool {
        propertyType?.lowercased().hasSuffix("lease") == true
    }

    private static func category(_ propertyType: String?) -> String? {
        guard let type = propertyType?.lowercased() else { return nil }
        if type.hasPrefix("residential") { return "residential" }
        if type.hasPrefix("commercial") { return "commercial" }
        return nil
    }

    /// A create body: the fields wrapped in the resource's singular key (`{"lead": {...}}`).
    static func createBody(key: String, fields: [(name: String, value: JSONValue)]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for field in fields { object[field.name] = field.value }
        return .object([key: .object(object)])
    }

    /// An update body in the JSON-Patch-like form PF's PATCH endpoints take:
    /// `{"operations": [{"op": "replace", "path": "/first_name", "value": "Jane"}, ...]}`.
    static func patchBody(fields: [(name: String, value: JSONValue)]) -> JSONValue {
        .object([
            "operations": .array(
                fields.map { field in
                    .object(["op": .string("replace"), "path": .string("/" + field.name), "value": field.value])
                })
        ])
    }
}
