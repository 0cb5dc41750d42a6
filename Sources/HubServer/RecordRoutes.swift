import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

/// A related record `expand=` can embed.
struct Relation: Sendable {
    /// The name in `expand=` and the key the related record is embedded under.
    var name: String
    /// The field holding the related record's hub key.
    var keyField: String
    /// The field holding the related record's vendor key, used when the hub key is not set.
    var sourceKeyField: String?
    var target: ResourceName
    /// Whether the relation embeds the record's children, an array of `target` records naming
    /// the record as their parent (`ResourceName` and `ResourceRecordKey`), instead of one record.
    var isChildren = false

    /// A record's media (`expand=media`): its live Media in `Order`.
    static func media(of resource: ResourceName) -> Relation {
        Relation(name: "media", keyField: resource.keyField, sourceKeyField: nil, target: .media, isChildren: true)
    }
}

extension ResourceName {
    /// The API's collections of records, with their scope resource names.
    static let apiResources: [ResourceName] = [
        .member, .office, .teams, .teamMembers, .contacts, .property, .development, .activity, .media,
    ]

    /// What `expand=` can embed in a record of this resource.
    var relations: [Relation] {
        switch self {
        case .member:
            return [
                Relation(name: "office", keyField: "OfficeKey", sourceKeyField: "SourceSystemOfficeKey", target: .office),
                .media(of: .member),
            ]
        case .teams:
            return [
                Relation(name: "lead", keyField: "TeamLeadKey", sourceKeyField: "SourceSystemTeamLeadKey", target: .member),
                Relation(name: "office", keyField: "OfficeKey", sourceKeyField: nil, target: .office),
            ]
        case .teamMembers:
            return [
                Relation(name: "team", keyField: "TeamKey", sourceKeyField: "SourceSystemTeamKey", target: .teams),
                Relation(name: "member", keyField: "MemberKey", sourceKeyField: "SourceSystemMemberKey", target: .member),
            ]
        case .contacts:
            return [Relation(name: "owner", keyField: "OwnerMemberKey", sourceKeyField: "SourceSystemOwnerMemberKey", target: .member)]
        case .property:
            return [
                Relation(name: "agent", keyField: "ListAgentKey", sourceKeyField: "SourceSystemListAgentKey", target: .member),
                Relation(name: "office", keyField: "ListOfficeKey", sourceKeyField: nil, target: .office),
                Relation(name: "development", keyField: "DevelopmentKey", sourceKeyField: nil, target: .development),
                .media(of: .property),
            ]
        case .activity:
            return [
                Relation(name: "contact", keyField: "ContactKey", sourceKeyField: "SourceSystemContactKey", target: .contacts),
                Relation(name: "owner", keyField: "OwnerMemberKey", sourceKeyField: "SourceSystemOwnerMemberKey", target: .member),
                Relation(name: "listing", keyField: "ListingKey", sourceKeyField: "SourceSystemListingKey", target: .property),
            ]
        case .office, .development, .media: return []
        }
    }
}

/// Calls a generic function with the record type of a resource.
protocol ResourceVisitor {
    associatedtype Output
    func visit<R: HubRecord>(_ type: R.Type) async throws -> Output
}

extension ResourceName {
    func visit<V: ResourceVisitor>(_ visitor: V) async throws -> V.Output {
        switch self {
        case .member: return try await visitor.visit(Member.self)
        case .office: return try await visitor.visit(Office.self)
        case .teams: return try await visitor.visit(Team.self)
        case .teamMembers: return try await visitor.visit(TeamMember.self)
        case .contacts: return try await visitor.visit(Contact.self)
        case .property: return try await visitor.visit(Property.self)
        case .development: return try await visitor.visit(Development.self)
        case .activity: return try await visitor.visit(Activity.self)
        case .media: return try await visitor.visit(Media.self)
        }
    }
}

/// A record as the API writes it: RESO names, limited to the projection, with expansions.
struct RecordJSON<R: HubRecord>: Encodable {
    let record: R
    let only: Set<String>
    let expanded: [(String, any Encodable)]

    func encode(to encoder: any Encoder) throws {
        // Sealed vendor fields leave the hub as `{"$sealed": true}`: neither value nor ciphertext.
        var record = record
        if only.contains(MetadataFieldNames.raw), let raw = record.metadata.raw { record.metadata.raw = SealedField.redacted(raw) }
        try record.encodeRESO(to: encoder, only: only)
        guard !expanded.isEmpty else { return }
        var container = encoder.container(keyedBy: RESOCodingKey.self)
        for (name, value) in expanded {
            try container.encode(AnyEncodable(value: value), forKey: RESOCodingKey(name))
        }
    }
}

struct RecordListJSON<R: HubRecord>: Encodable {
    let count: Int
    let page: Int
    let perPage: Int
    let value: [RecordJSON<R>]

    enum CodingKeys: String, CodingKey {
        case count, page, value
        case perPage = "per_page"
    }
}

/// The list and get routes of every record resource.
struct RecordRoutes {
    let store: any HubStorage

    /// Parameters that are not equality filters.
    static let reserved: Set<String> = ["page", "per_page", "sort", "sort_order", "fields", "expand", "modified_since", "include_deleted"]

    /// What the API returns when `fields=` is absent: everything but the vendor's raw payload.
    static func defaultProjection<R: HubRecord>(_ type: R.Type) -> Set<String> {
        ResourceNames.of(R.self).defaultProjection
    }

    /// The highest page a list serves.
    static let maximumPage = 1_000_000

    /// A comma-separated list parameter's items, exactly as the document's comma-separated
    /// array states it: no empty item (`a,,b` and `a,` are refused).
    static func commaList(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    static func projection<R: HubRecord>(_ type: R.Type, _ request: Request) throws -> Set<String> {
        guard let text = try RequestSupport.query(request, "fields") else { return defaultProjection(R.self) }
        let names = commaList(text)
        guard !names.isEmpty else { throw APIError.badRequest("fields must name at least one field", field: "fields") }
        let known = ResourceNames.of(R.self).projectable
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw APIError(
                .badRequest, .invalidQuery, "fields: \(R.resource.rawValue) has no field \(unknown)",
                details: [FieldError(field: "fields", message: "unknown field \(unknown)")])
        }
        return Set(names)
    }

    static func relations(_ resource: ResourceName, _ request: Request) throws -> [Relation] {
        guard let text = try RequestSupport.query(request, "expand") else { return [] }
        let names = commaList(text)
        let available = resource.relations
        return try names.map { name in
            guard let relation = available.first(where: { $0.name == name }) else {
                let choices = available.map(\.name)
                throw APIError(
                    .badRequest, .invalidQuery,
                    "expand: \(resource.pathName) cannot expand \(name)"
                        + (choices.isEmpty ? " (it has no relations)" : "; choose from \(choices.joined(separator: ", "))"),
                    details: [FieldError(field: "expand", message: "unknown relation \(name)")])
            }
            return relation
        }
    }

    static func listQuery(_ request: Request, integerFilters: Set<String> = [], decimalFilters: Set<String> = []) throws -> ListQuery {
        var query = ListQuery()
        query.page = try RequestSupport.intQuery(request, "page", default: 1, range: 1...maximumPage)
        query.perPage = try RequestSupport.intQuery(request, "per_page", default: 20, range: 1...HubServerLimits.maximumPerPage)
        query.sort = try RequestSupport.query(request, "sort")
        if let order = try RequestSupport.query(request, "sort_order") {
            guard let parsed = SortOrder(rawValue: order) else {
                throw APIError.badRequest("sort_order must be asc or desc", field: "sort_order")
            }
            query.sortOrder = parsed
        }
        if let since = try RequestSupport.query(request, "modified_since") {
            guard let date = Timestamp.parse(since) else {
                throw APIError.badRequest(
                    "modified_since must be an ISO 8601 timestamp such as 2026-11-22T10:00:00Z", field: "modified_since")
            }
            query.modifiedSince = date
        }
        query.includeDeleted = try RequestSupport.boolQuery(request, "include_deleted") ?? false
        for (name, value) in request.uri.queryParameters where !reserved.contains(String(name)) {
            let key = String(name)
            guard query.filters[key] == nil else { throw APIError.badRequest("the filter \(key) is given more than once", field: key) }
            // Whole-number filters are bounded as the document says (what JSON numbers hold exactly).
            if integerFilters.contains(key), let number = Int64(String(value)),
                !(-Schema.maxSafeInteger...Schema.maxSafeInteger).contains(number)
            {
                throw APIError.badRequest(
                    "the filter \(key) must be between -\(Schema.maxSafeInteger) and \(Schema.maxSafeInteger)", field: key)
            }
            if decimalFilters.contains(key), let number = Double(String(value)), !(-1e300...1e300).contains(number) {
                throw APIError.badRequest("the filter \(key) must be between -1e300 and 1e300", field: key)
            }
            query.filters[key] = String(value)
        }
        return query
    }

    /// Every list parameter of `request` for `R`, checked: the store query (its projection
    /// widened to the columns the expansions need), the projection to answer and the relations
    /// to embed.
    /// - Throws: ``APIError`` 400 naming the offending parameter.
    static func listRequest<R: HubRecord>(_ type: R.Type, _ request: Request) throws -> (
        query: ListQuery, only: Set<String>, relations: [Relation]
    ) {
        let integerFilters = Set(R.fields.filter { $0.isIndexed && $0.type == .integer }.map(\.name))
        let decimalFilters = Set(R.fields.filter { $0.isIndexed && $0.type == .decimal }.map(\.name))
        var query = try listQuery(request, integerFilters: integerFilters, decimalFilters: decimalFilters)
        let only = try projection(R.self, request)
        let relations = try Self.relations(R.resource, request)
        // Expansions need their key fields even when the projection leaves them out.
        let needed = only.union(relations.flatMap { [$0.keyField] + ($0.sourceKeyField.map { [$0] } ?? []) })
            .union(relations.isEmpty ? [] : [MetadataFieldNames.connectionID])
        query.fields = needed == defaultProjection(R.self) ? nil : Array(needed).sorted()
        return (query, only, relations)
    }

    struct List: ResourceVisitor {
        let store: any HubStorage
        let request: Request
        let tenant: String

        func visit<R: HubRecord>(_ type: R.Type) async throws -> Response {
            let (query, only, relations) = try RecordRoutes.listRequest(R.self, request)
            if relations.isEmpty, let rows = store as? any RowStreamingStore, RecordRowWriter<R>.supports(only) {
                var plain = query
                plain.fields = only.sorted()
                do {
                    let bytes = try await rows.listRows(R.self, tenant: tenant, query: plain) { plan, total, rows in
                        try RecordRowWriter(plan, only: only).page(total: total, page: query.page, perPage: query.perPage, rows: rows)
                    }
                    return JSONResponse.make(.ok, bytes: bytes)
                } catch is RowJSON.Declined {
                    // A value the typed path writes differently: answer through it.
                }
            }
            let page = try await store.list(R.self, tenant: tenant, query: query)
            var items: [RecordJSON<R>] = []
            items.reserveCapacity(page.records.count)
            for record in page.records {
                let expanded = try await RecordRoutes.expand(record, relations, store: store, tenant: tenant)
                items.append(RecordJSON(record: record, only: only, expanded: expanded))
            }
            let body = RecordListJSON(count: page.total, page: page.page, perPage: page.perPage, value: items)
            return JSONResponse.make(.ok, bytes: Array(try apiEncoder().encode(body)))
        }
    }

    struct Get: ResourceVisitor {
        let store: any HubStorage
        let request: Request
        let tenant: String
        let key: String

        func visit<R: HubRecord>(_ type: R.Type) async throws -> Response {
            let only = try RecordRoutes.projection(R.self, request)
            let relations = try RecordRoutes.relations(R.resource, request)
            if relations.isEmpty, let rows = store as? any RowStreamingStore, RecordRowWriter<R>.supports(only) {
                do {
                    let found = try await rows.recordRows(R.self, tenant: tenant, key: key) {
                        plan, rows -> (bytes: [UInt8], hash: String?)? in
                        guard try rows.next() else { return nil }
                        let writer = try RecordRowWriter(plan, only: only)
                        var bytes: [UInt8] = []
                        try writer.write(rows, into: &bytes)
                        return (bytes, try writer.contentHash(rows))
                    }
                    guard let found else { throw APIError.notFound("no \(R.resource.rawValue) record \(key)") }
                    var headers = HTTPFields()
                    if let hash = found.hash { headers[.eTag] = HubRuntime.etag(hash) }
                    return JSONResponse.make(.ok, bytes: found.bytes, headers: headers)
                } catch is RowJSON.Declined {
                    // A value the typed path writes differently: answer through it.
                }
            }
            guard let record = try await store.record(R.self, tenant: tenant, key: key) else {
                throw APIError.notFound("no \(R.resource.rawValue) record \(key)")
            }
            let expanded = try await RecordRoutes.expand(record, relations, store: store, tenant: tenant)
            // The content hash is the record's version: a write's If-Match names it.
            var headers = HTTPFields()
            if let hash = record.metadata.contentHash { headers[.eTag] = HubRuntime.etag(hash) }
            return JSONResponse.make(
                .ok, bytes: Array(try apiEncoder().encode(RecordJSON(record: record, only: only, expanded: expanded))), headers: headers)
        }
    }

    /// Finds a related record: by hub key when set, else by the vendor key through the same
    /// connection.
    struct Related: ResourceVisitor {
        let store: any HubStorage
        let tenant: String
        let key: String?
        let sourceKey: String?
        let connectionID: String?

        func visit<R: HubRecord>(_ type: R.Type) async throws -> (any Encodable)? {
            if let key, let record = try await store.record(R.self, tenant: tenant, key: key) {
                return RecordJSON(record: record, only: RecordRoutes.defaultProjection(R.self), expanded: [])
            }
            guard let sourceKey, let connectionID else { return nil }
            let page = try await store.list(
                R.self, tenant: tenant,
                query: ListQuery(
                    filters: [R.resource.sourceKeyField: sourceKey, MetadataFieldNames.connectionID: connectionID], perPage: 1))
            return page.records.first.map { RecordJSON(record: $0, only: RecordRoutes.defaultProjection(R.self), expanded: []) }
        }
    }

    static func expand<R: HubRecord>(_ record: R, _ relations: [Relation], store: any HubStorage, tenant: String) async throws -> [(
        String, any Encodable
    )] {
        guard !relations.isEmpty else { return [] }
        let values = record.fieldValues
        var expanded: [(String, any Encodable)] = []
        for relation in relations {
            if relation.isChildren {
                expanded.append((relation.name, try await children(of: record, store: store, tenant: tenant)))
                continue
            }
            let key = values[relation.keyField]?.stringValue
            let sourceKey = relation.sourceKeyField.flatMap { values[$0]?.stringValue }
            let found = try await relation.target.visit(
                Related(
                    store: store, tenant: tenant, key: key, sourceKey: sourceKey, connectionID: record.metadata.connectionID))
            if let found { expanded.append((relation.name, found)) }
        }
        return expanded
    }
}

extension RecordRoutes {
    /// The live media of `record`, in `Order` (then key), every page of them.
    static func children<R: HubRecord>(of record: R, store: any HubStorage, tenant: String) async throws -> [RecordJSON<Media>] {
        guard let key = record.metadata.key else { return [] }
        var query = ListQuery(
            filters: ["ResourceName": R.resource.rawValue, "ResourceRecordKey": key], perPage: ListQuery.maximumPerPage)
        query.sort = "Order"
        var media: [RecordJSON<Media>] = []
        while true {
            let page = try await store.list(Media.self, tenant: tenant, query: query)
            media += page.records.map { RecordJSON(record: $0, only: defaultProjection(Media.self), expanded: []) }
            guard !page.records.isEmpty, media.count < page.total else { return media }
            query.page += 1
        }
    }
}

extension FieldValue {
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
