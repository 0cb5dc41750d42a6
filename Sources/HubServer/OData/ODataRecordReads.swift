import HTTPTypes
import HubOperations
import HubStore
import ODataQuery
import RealtyModel

/// What one `/odata` request carries into the reads: the store, the caller, and the request's
/// URL parts (for `@odata.context` and next links) and preferences.
struct ODataCall: Sendable {
    let store: any ODataRecordStore
    let events: any EventStore
    let tenant: String
    let scopes: ScopeSet
    /// `http://<host>`.
    let origin: String
    /// The path as sent (percent-encoded), for next links.
    let rawPath: String
    let query: ODataQueryString
    let preferences: ODataPreferences

    /// The service root, `http://<host>/odata/`.
    var root: String { origin + "/odata/" }

    /// The page size: 100, or what `Prefer: odata.maxpagesize` asks within 1...1000 (Q10).
    var pageSize: Int { min(max(preferences.maxPageSize ?? Self.defaultPageSize, 1), ODataQueryLimits.maximumLimit) }

    static let defaultPageSize = 100

    /// What `Preference-Applied` reports for `pageSize`-using responses.
    var appliedPreferences: [String] {
        var applied: [String] = []
        if preferences.maxPageSize != nil { applied.append("odata.maxpagesize=\(pageSize)") }
        if preferences.omitNulls { applied.append("omit-values=nulls") }
        return applied
    }

    /// This request's URL with `$skip`/`$top` replaced (a next link).
    func nextLink(replacing: Set<String>, with options: [(String, String)]) -> String {
        origin + rawPath + "?" + query.rewritten(dropping: replacing, adding: options)
    }
}

/// A response body before the route adds the protocol headers.
struct ODataPayload: Sendable {
    var status: HTTPResponse.Status = .ok
    var contentType = "application/json;odata.metadata=minimal"
    var body: [UInt8]
    var preferenceApplied: [String] = []

    static let noContent = ODataPayload(status: .noContent, body: [])
}

/// Filters built by hand over the hub's own properties (keys, media parents).
enum ODataFilters {
    static func property(_ resource: ResourceName, _ name: String, _ type: FieldType = .string) -> CheckedOperand {
        .property(ResolvedProperty(resource: resource, name: name, type: type))
    }

    /// `<Key> eq 'key'`.
    static func key(_ resource: ResourceName, equals key: String) -> CheckedFilter {
        .comparison(.eq, property(resource, resource.keyField), .literal(.string(key)))
    }

    /// `<Key> in ('a','b',…)`.
    static func keys(_ resource: ResourceName, in keys: [String]) -> CheckedFilter {
        .membership(property(resource, resource.keyField), keys.map(ODataLiteral.string))
    }

    /// Media whose parent is a `parent` record among `keys`.
    static func media(of parent: ResourceName, keys: [String]) -> CheckedFilter {
        let parentKey = property(.media, "ResourceRecordKey")
        let keyTest: CheckedFilter =
            keys.count == 1
            ? .comparison(.eq, parentKey, .literal(.string(keys[0]))) : .membership(parentKey, keys.map(ODataLiteral.string))
        return .and([.comparison(.eq, property(.media, "ResourceName"), .literal(.string(parent.rawValue))), keyTest])
    }

    /// Both filters (either may be absent).
    static func combine(_ first: CheckedFilter?, _ second: CheckedFilter?) -> CheckedFilter? {
        guard let first else { return second }
        guard let second else { return first }
        return .and([first, second])
    }
}

/// `GET /odata/<Set>` (and a collection navigation, `Property('k')/Media`): one page of the
/// live records a query selects, with `$count`, `$expand` and a next link while more match.
struct ODataCollectionRead: ResourceVisitor {
    let call: ODataCall
    /// The set named in `@odata.context`.
    let contextSet: String
    /// A filter the path adds (a parent's media), ANDed with `$filter`.
    var pathFilter: CheckedFilter? = nil
    /// The order without `$orderby` (a parent's media: `Order`, C69); the store breaks ties by key.
    var defaultOrder: [ODataOrderKey] = []

    func visit<R: HubRecord>(_ type: R.Type) async throws -> ODataPayload {
        let options = try ODataOptions.parse(call.query.systemOptions, for: R.self)
        try ODataScopes.check(call.scopes, resource: R.resource, options: options)
        let writer = ODataEntityWriter<R>(selection: options.select, omitNulls: call.preferences.omitNulls)
        let pageSize = call.pageSize
        let skip = options.skip ?? 0
        let limit = min(pageSize, options.top ?? Int.max)
        // Whether rows beyond this page could still be asked for (no $top, or one not used up).
        let canContinue = limit > 0 && (options.top.map { $0 > limit } ?? true)
        // One row more than the page tells whether there is a next page; at the store's maximum
        // a one-row probe after the page does.
        let asked = canContinue ? min(limit + 1, ODataQueryLimits.maximumLimit) : limit
        var query = ODataRecordQuery(
            filter: ODataFilters.combine(pathFilter, options.filter), orderBy: options.orderBy.isEmpty ? defaultOrder : options.orderBy,
            fields: writer.storeFields(adding: ODataExpansion.foreignKeys(options.expand)), limit: asked, offset: skip,
            countTotal: options.count)
        let page = try await call.store.odataRecords(R.self, tenant: call.tenant, query: query)
        var records = page.records
        var more = false
        if canContinue {
            if records.count > limit {
                more = true
                records.removeLast(records.count - limit)
            } else if records.count == limit, asked == limit, skip + limit <= ODataQueryOptions.maximumSkip {
                query.limit = 1
                query.offset = skip + limit
                query.fields = [R.resource.keyField]
                query.countTotal = false
                more = try await !call.store.odataRecords(R.self, tenant: call.tenant, query: query).records.isEmpty
            }
        }
        let expanded = try await ODataExpansion(call: call).expand(records, options.expand)
        var members: [(String, ODataJSON)] = [
            ("@odata.context", .string(call.root + "$metadata#" + contextSet + Self.selectSuffix(options)))
        ]
        if options.count { members.append(("@odata.count", .integer(Int64(page.total ?? 0)))) }
        var values: [ODataJSON] = []
        values.reserveCapacity(records.count)
        for (index, record) in records.enumerated() { values.append(writer.entity(record, expanded: expanded[index])) }
        members.append(("value", .array(values)))
        if more {
            // An offset link (C65: $top reduced by what this page served). Keyset $skiptoken
            // links, stable while records change (C64), are for later.
            var next = [("$skip", String(skip + limit))]
            if let top = options.top { next.append(("$top", String(top - limit))) }
            members.append(("@odata.nextLink", .string(call.nextLink(replacing: ["$skip", "$top"], with: next))))
        }
        return ODataPayload(body: ODataJSON.object(members).bytes, preferenceApplied: call.appliedPreferences)
    }

    /// `(A,B)` after the set in a context URL when `$select` lists properties.
    static func selectSuffix(_ options: ODataQueryOptions) -> String {
        guard case .properties(let names)? = options.select else { return "" }
        return "(" + names.joined(separator: ",") + ")"
    }
}

/// `GET /odata/<Set>/$count`: the number of live records `$filter` selects, as plain text.
struct ODataCountRead: ResourceVisitor {
    let call: ODataCall

    func visit<R: HubRecord>(_ type: R.Type) async throws -> ODataPayload {
        let options = try ODataOptions.parse(call.query.systemOptions, for: R.self)
        try ODataScopes.check(call.scopes, resource: R.resource, options: options)
        let query = ODataRecordQuery(filter: options.filter, fields: [R.resource.keyField], limit: 0, countTotal: true)
        let total = try await call.store.odataRecords(R.self, tenant: call.tenant, query: query).total ?? 0
        return ODataPayload(contentType: "text/plain", body: Array(String(total).utf8))
    }
}

/// `GET /odata/<Set>('<key>')`: one live record, with `$select` and `$expand` (C28, C30).
struct ODataEntityRead: ResourceVisitor {
    let call: ODataCall
    let key: String
    /// Whether a missing record is a 204 (the target of a navigation link) rather than a 404.
    var missingIsEmpty = false

    /// The options that apply to one entity.
    static let allowed: Set<String> = ["$select", "$expand"]

    func visit<R: HubRecord>(_ type: R.Type) async throws -> ODataPayload {
        let given = call.query.systemOptions
        if let other = given.first(where: { !Self.allowed.contains($0.name) }) {
            throw ODataError.invalidOption(
                "\(other.name) does not apply to one entity; only $select and $expand do (query the collection instead)",
                target: other.name)
        }
        let options = try ODataOptions.parse(given, for: R.self)
        try ODataScopes.check(call.scopes, resource: R.resource, options: options)
        let writer = ODataEntityWriter<R>(selection: options.select, omitNulls: call.preferences.omitNulls)
        let query = ODataRecordQuery(
            filter: ODataFilters.key(R.resource, equals: key),
            fields: writer.storeFields(adding: ODataExpansion.foreignKeys(options.expand)),
            limit: 1)
        guard let record = try await call.store.odataRecords(R.self, tenant: call.tenant, query: query).records.first else {
            if missingIsEmpty { return .noContent }
            throw ODataError.notFound("no \(R.resource.rawValue) with \(R.resource.keyField) '\(key)'")
        }
        let expanded = try await ODataExpansion(call: call).expand([record], options.expand)
        let context = call.root + "$metadata#" + R.resource.rawValue + ODataCollectionRead.selectSuffix(options) + "/$entity"
        let body = writer.entity(record, leading: [("@odata.context", .string(context))], expanded: expanded.first ?? [])
        return ODataPayload(body: body.bytes, preferenceApplied: call.preferences.omitNulls ? ["omit-values=nulls"] : [])
    }
}

/// `GET /odata/<Set>('<key>')/<Navigation>` (C71): the target entity (204 when the link is
/// empty), or the collection of media as `{"value": […]}`.
struct ODataNavigationRead: ResourceVisitor {
    let call: ODataCall
    let key: String
    let property: String

    func visit<R: HubRecord>(_ type: R.Type) async throws -> ODataPayload {
        guard let navigation = ODataNavigationTable.hub.navigation(named: property, of: R.resource) else {
            throw ODataError.notFound("\(R.resource.rawValue) has no navigation property '\(property)'")
        }
        try ODataScopes.check(call.scopes, R.resource)
        try ODataScopes.check(call.scopes, navigation.target)
        let foreignKey: String?
        switch navigation.link {
        case .foreignKey(let field): foreignKey = field
        case .children: foreignKey = nil
        }
        let query = ODataRecordQuery(
            filter: ODataFilters.key(R.resource, equals: key), fields: [R.resource.keyField] + ODataExpansion.foreignKeys([navigation]),
            limit: 1)
        guard let parent = try await call.store.odataRecords(R.self, tenant: call.tenant, query: query).records.first else {
            throw ODataError.notFound("no \(R.resource.rawValue) with \(R.resource.keyField) '\(key)'")
        }
        guard let foreignKey else {
            let filter = ODataFilters.media(of: R.resource, keys: [key])
            let order = [ODataOrderKey(ResolvedProperty(resource: .media, name: "Order", type: .integer))]
            return try await navigation.target.visit(
                ODataCollectionRead(call: call, contextSet: navigation.target.rawValue, pathFilter: filter, defaultOrder: order))
        }
        if case .string(let targetKey) = R.field(named: foreignKey)?.value(in: parent) ?? .null {
            return try await navigation.target.visit(ODataEntityRead(call: call, key: targetKey, missingIsEmpty: true))
        }
        // A link the sync left as a vendor key: the target's hub key first.
        guard let link = ODataExpansion.vendorLink(parent, navigation),
            let targetKey = try await navigation.target.visit(VendorKeyLookup(call: call, link: link))
        else { return .noContent }
        return try await navigation.target.visit(ODataEntityRead(call: call, key: targetKey, missingIsEmpty: true))
    }
}

/// The hub key of the live record a vendor link names (same connection, vendor key), if any.
struct VendorKeyLookup: ResourceVisitor {
    let call: ODataCall
    let link: ODataExpansion.VendorLink

    func visit<R: HubRecord>(_ type: R.Type) async throws -> String? {
        let filter = CheckedFilter.and([
            .comparison(.eq, ODataFilters.property(R.resource, MetadataFieldNames.connectionID), .literal(.string(link.connection))),
            .comparison(.eq, ODataFilters.property(R.resource, R.resource.sourceKeyField), .literal(.string(link.key))),
        ])
        let query = ODataRecordQuery(filter: filter, fields: [R.resource.keyField], limit: 1)
        return try await call.store.odataRecords(R.self, tenant: call.tenant, query: query).records.first?.metadata.key
    }
}
