import Foundation
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension Dashboard {
    /// Records shown per page of the records page.
    static let recordsPerPage = 50

    /// What the records page searches by: the kinds of ``RecordSearch``, named in its form.
    enum SearchKind: String, CaseIterable {
        case email, phone, name, reference

        var label: String {
            switch self {
            case .email: return "Email (exact)"
            case .phone: return "Phone (exact)"
            case .name: return "Name (starts with)"
            case .reference: return "Reference (starts with)"
            }
        }

        func search(_ text: String) -> RecordSearch {
            switch self {
            case .email: return .email(text)
            case .phone: return .phone(text)
            case .name: return .namePrefix(text)
            case .reference: return .referencePrefix(text)
            }
        }
    }

    /// The resources whose records `user` may read (the API's collections, in its order).
    static func readableResources(_ user: DashboardUser) -> [ResourceName] {
        ResourceName.apiResources.filter { user.may($0.pathName, .read) }
    }

    /// The records page: a resource picker (only what the client reads; Contacts first chosen
    /// when readable), a search by exact email or phone or by name or reference prefix, and
    /// the results, or without a search the resource's records newest first, 50 a page.
    func recordsPage(_ request: Request, user: DashboardUser) async throws -> Response {
        let readable = Self.readableResources(user)
        guard let first = readable.first else {
            throw DashboardRefusal(
                status: .forbidden, heading: "Not allowed",
                text: "This client may read no records (it lacks a read scope such as contacts:read).")
        }
        let query = try Self.pageQuery(request)
        var resource = readable.contains(.contacts) ? .contacts : first
        if let name = query["resource"], !name.isEmpty {
            resource = try Self.resource(named: name, user: user)
        }
        let kindText = query["kind"] ?? ""
        let kind = kindText.isEmpty ? SearchKind.name : SearchKind(rawValue: kindText)
        guard let kind else {
            throw DashboardRefusal(
                status: .badRequest, heading: "No such search", text: "Records are searched by email, phone, name or reference.")
        }
        let text = (query["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let includeDeleted = query["deleted"] == "1"
        var page = 1
        if let pageText = query["page"], !pageText.isEmpty {
            guard let number = Int(pageText), (1...RecordRoutes.maximumPage).contains(number) else {
                throw DashboardRefusal(
                    status: .badRequest, heading: "No such page", text: "Pages are numbered from 1 to \(RecordRoutes.maximumPage).")
            }
            page = number
        }

        var context: [String: Any] = [
            "resources": readable.map { ["value": $0.pathName, "name": $0.rawValue, "selected": $0 == resource] },
            "kinds": SearchKind.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == kind] },
            "q": text, "includeDeleted": includeDeleted, "resource": resource.rawValue,
        ]
        let listing = RecordListing(
            store: runtime.store, tenant: user.tenantID, search: text.isEmpty ? nil : kind.search(text), page: page,
            includeDeleted: includeDeleted)
        let found: RecordListing.Output
        do {
            found = try await resource.visit(listing)
        } catch let error as StoreError where error.code == .invalidQuery {
            // A search the store refuses (no @ in an email, a kind the resource has no field
            // for, a page out of range) is said in plain words on the page itself.
            context["error"] = "This search cannot run: \(error.message)."
            return render("records", title: "Records", user: user, context: context, status: .badRequest)
        }
        let names = try await connectionNames(user)
        context["rows"] = found.rows.map { row -> [String: Any] in
            var item: [String: Any] = [
                "href": Self.recordPath(resource, key: row.key), "key": row.key, "title": row.title,
                "modified": Self.timestamp(row.modified), "deleted": row.deleted,
            ]
            if let connection = row.connectionID { item["connection"] = Self.connectionCell(connection, names: names) }
            return item
        }
        context["hasRows"] = !found.rows.isEmpty
        context["searched"] = !text.isEmpty
        if !found.rows.isEmpty {
            let start = (page - 1) * Self.recordsPerPage + 1
            // A broad search's total is a lower bound: it says so, and offers to narrow it.
            let total = found.totalIsLowerBound ? "more than \(found.total - 1)" : "\(found.total)"
            context["summary"] = "\(start)–\(start + found.rows.count - 1) of \(total)"
            if found.totalIsLowerBound { context["broad"] = true }
        }
        var link = ["resource": resource.pathName]
        if !text.isEmpty {
            link["kind"] = kind.rawValue
            link["q"] = text
        }
        if includeDeleted { link["deleted"] = "1" }
        if page > 1 { context["previous"] = Self.recordsPath(link, page: page - 1) }
        if page * Self.recordsPerPage < found.total || (found.totalIsLowerBound && found.rows.count == Self.recordsPerPage) {
            context["next"] = Self.recordsPath(link, page: page + 1)
        }
        return render("records", title: "Records", user: user, context: context)
    }

    /// One record: its RESO fields (nulls left out), its metadata, its vendor payload with
    /// sealed members shown as `[sealed]`, and its change list from the change feed.
    func recordPage(resource name: String, key: String, user: DashboardUser) async throws -> Response {
        let resource = try Self.resource(named: name, user: user)
        guard let record = try await resource.visit(RecordReading(store: runtime.store, tenant: user.tenantID, key: key)) else {
            throw DashboardRefusal(
                status: .notFound, heading: "No such record", text: "This tenant has no \(resource.rawValue) record \(key).")
        }
        let events = try await runtime.store.recordEvents(tenant: user.tenantID, resource: resource, key: key, limit: 50)
        let names = try await connectionNames(user)
        var context: [String: Any] = [
            "resource": resource.rawValue, "resourcePath": resource.pathName, "key": key, "title": record.title,
            "keyField": resource.keyField, "sourceKeyField": resource.sourceKeyField,
            "fields": record.fields.map { ["name": $0.name, "value": $0.value] },
            "modified": Self.timestamp(record.metadata.modificationTimestamp),
            "created": Self.timestamp(record.metadata.originalEntryTimestamp), "deleted": record.metadata.deleted,
            "events": events.map { event -> [String: Any] in
                var row: [String: Any] = ["time": Self.timestamp(event.timestamp), "change": event.change.rawValue]
                if let connection = event.connectionID { row["connection"] = Self.connectionCell(connection, names: names) }
                return row
            },
            "hasEvents": !events.isEmpty,
        ]
        if let sourceKey = record.metadata.sourceKey { context["sourceKey"] = sourceKey }
        if let source = record.metadata.sourceSystemName { context["sourceSystem"] = source }
        if let connection = record.metadata.connectionID { context["connection"] = Self.connectionCell(connection, names: names) }
        // `/v1` returns `raw` (`fields=raw`) to any client that reads the resource, sealed
        // members reduced to `{"$sealed": true}`; no further scope guards it, so the page that
        // needs the same read scope shows it, sealed members as `[sealed]`.
        if let raw = record.metadata.raw { context["raw"] = Self.prettyJSON(Self.sealedShown(raw)) }
        return render("record", title: "\(resource.rawValue) \(key)", user: user, context: context)
    }

    /// The resource a page names (its path or RESO name): 404 when there is none, 403 when the
    /// client may not read it.
    static func resource(named name: String, user: DashboardUser) throws -> ResourceName {
        guard let resource = ResourceName(name: name), ResourceName.apiResources.contains(resource) else {
            throw DashboardRefusal(status: .notFound, heading: "No such resource", text: "The hub has no resource \(name).")
        }
        guard user.may(resource.pathName, .read) else { throw forbidden("\(resource.pathName):read") }
        return resource
    }

    /// A GET page's query (`application/x-www-form-urlencoded`: `+` is a space, as a browser's
    /// GET form sends it).
    static func pageQuery(_ request: Request) throws -> [String: String] {
        do {
            return try URLEncodedFormDecoder().decode([String: String].self, from: request.uri.query ?? "")
        } catch {
            throw DashboardRefusal(status: .badRequest, heading: "Not a search", text: "The address's query could not be read.")
        }
    }

    /// The names of the tenant's connections by id, when the client reads connections.
    func connectionNames(_ user: DashboardUser) async throws -> [String: String]? {
        guard user.may("connections", .read) else { return nil }
        let connections = try await runtime.store.listConnections(tenant: user.tenantID)
        return Dictionary(connections.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// A connection as a cell: its name linked to its page when it still exists and the client
    /// reads connections; its id otherwise.
    static func connectionCell(_ id: String, names: [String: String]?) -> [String: Any] {
        // `linked` is always set: a missing key would be looked up in the enclosing row.
        guard let name = names?[id] else { return ["id": id, "linked": false] }
        return ["id": id, "name": name, "href": "/dashboard/connections/\(percentEncoded(id))", "linked": true]
    }

    static func recordPath(_ resource: ResourceName, key: String) -> String {
        "/dashboard/records/\(resource.pathName)/\(percentEncoded(key))"
    }

    /// `/dashboard/records?...` with `parameters` and `page`, in a fixed order.
    static func recordsPath(_ parameters: [String: String], page: Int) -> String {
        var items = ["resource", "kind", "q", "deleted"].compactMap { name in
            parameters[name].map { "\(name)=\(percentEncoded($0))" }
        }
        items.append("page=\(page)")
        return "/dashboard/records?" + items.joined(separator: "&")
    }

    static let unreserved: CharacterSet = {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()

    /// `text` percent-encoded for a path segment or a query value (only unreserved characters kept).
    static func percentEncoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }

    /// `raw` with every sealed envelope replaced by the text `[sealed]`: neither the value nor
    /// its ciphertext is shown.
    static func sealedShown(_ raw: JSONValue) -> JSONValue {
        switch raw {
        case .object(let members):
            if SealedField.isEnvelope(raw) { return .string("[sealed]") }
            return .object(members.mapValues(sealedShown))
        case .array(let items):
            return .array(items.map(sealedShown))
        default:
            return raw
        }
    }

    /// The title of a record in a list: the first of the resource's title fields that is set.
    ///
    /// Reading chosen: a person's full name, else first and last name, else email; an office's
    /// or team's name, else email; a listing's address, else building name, else listing id; an
    /// activity's subject, else type; a photo's description, else category.
    static func title<R: HubRecord>(_ record: R) -> String {
        let values = record.fieldValues
        for group in titleFields(R.resource) {
            let parts = group.compactMap { values[$0].flatMap(text) }.filter { !$0.isEmpty }
            if !parts.isEmpty { return parts.joined(separator: " ") }
        }
        return "—"
    }

    /// The fields a title is read from, per resource: groups in order of preference.
    static func titleFields(_ resource: ResourceName) -> [[String]] {
        switch resource {
        case .contacts: return [["FullName"], ["FirstName", "LastName"], ["Email"]]
        case .member: return [["MemberFullName"], ["MemberFirstName", "MemberLastName"], ["MemberEmail"]]
        case .office: return [["OfficeName"], ["OfficeEmail"]]
        case .teams: return [["TeamName"], ["TeamEmail"]]
        case .teamMembers: return [["TeamMemberType"]]
        case .property: return [["UnparsedAddress"], ["BuildingName"], ["ListingId"]]
        case .development: return [["DevelopmentName"]]
        case .activity: return [["ActivitySubject"], ["ActivityType"]]
        case .media: return [["ShortDescription"], ["MediaCategory"]]
        }
    }

    /// A field's value as text; nil for null.
    static func text(_ value: FieldValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let text), .date(let text): return text
        case .stringList(let items): return items.joined(separator: ", ")
        case .timestamp(let date): return timestamp(date)
        case .integer, .decimal, .boolean: return value.json.jsonText
        }
    }
}

/// One row of the records page.
struct RecordRow: Sendable {
    var key: String
    var title: String
    var connectionID: String?
    var modified: Date?
    var deleted: Bool
}

/// A page of one resource's records, found by a search or listed newest first.
struct RecordListing: ResourceVisitor {
    let store: any HubStorage
    let tenant: String
    let search: RecordSearch?
    let page: Int
    let includeDeleted: Bool

    struct Output: Sendable {
        var rows: [RecordRow]
        var total: Int
        /// Whether `total` is a lower bound (a broad search, see ``RecordSearchQuery/exactTotalLimit``).
        var totalIsLowerBound = false
    }

    func visit<R: HubRecord>(_ type: R.Type) async throws -> Output {
        let found: RecordPage<R>
        if let search {
            found = try await store.search(
                R.self, tenant: tenant,
                query: RecordSearchQuery(search, page: page, perPage: Dashboard.recordsPerPage, includeDeleted: includeDeleted))
        } else {
            // The list reads only what a row shows (not the vendor payloads).
            let fields =
                Dashboard.titleFields(R.resource).flatMap { $0 } + [
                    MetadataFieldNames.connectionID, MetadataFieldNames.modificationTimestamp, MetadataFieldNames.deleted,
                ]
            found = try await store.list(
                R.self, tenant: tenant,
                query: ListQuery(
                    sortOrder: .descending, page: page, perPage: Dashboard.recordsPerPage, fields: fields, includeDeleted: includeDeleted
                ))
        }
        let rows = found.records.compactMap { record -> RecordRow? in
            guard let key = record.metadata.key else { return nil }
            return RecordRow(
                key: key, title: Dashboard.title(record), connectionID: record.metadata.connectionID,
                modified: record.metadata.modificationTimestamp, deleted: record.metadata.deleted)
        }
        return Output(rows: rows, total: found.total, totalIsLowerBound: found.totalIsLowerBound)
    }
}

/// One record as its page shows it.
struct RecordReading: ResourceVisitor {
    let store: any HubStorage
    let tenant: String
    let key: String

    struct Found: Sendable {
        var title: String
        /// The RESO fields that are set, in the resource's order.
        var fields: [(name: String, value: String)]
        var metadata: RecordMetadata
    }

    func visit<R: HubRecord>(_ type: R.Type) async throws -> Found? {
        guard let record = try await store.record(R.self, tenant: tenant, key: key) else { return nil }
        let fields = R.fields.compactMap { field -> (name: String, value: String)? in
            Dashboard.text(field.value(in: record)).map { (field.name, $0) }
        }
        return Found(title: Dashboard.title(record), fields: fields, metadata: record.metadata)
    }
}
