import HubStore
import ODataQuery
import RealtyModel

/// `$expand` of one level (C68, C69): after a page is read, one store query per navigation
/// property for the whole page: single-valued targets by `<Key> in (…)`, media by parent
/// (`ResourceName eq '<Set>' and ResourceRecordKey in (…)`, in parent then `Order` order).
/// Targets are live records of the same tenant; a link to nothing expands to `null` (Q19).
struct ODataExpansion: Sendable {
    let call: ODataCall

    /// The source fields expansions read (written only when selected): the hub key fields,
    /// and the vendor key fields with the connection for links not resolved to a hub key.
    static func foreignKeys(_ navigations: [ODataNavigation]) -> [String] {
        var fields: [String] = []
        for navigation in navigations {
            guard case .foreignKey(let field) = navigation.link else { continue }
            fields.append(field)
            if let vendorKey = navigation.vendorKey { fields += [vendorKey, MetadataFieldNames.connectionID] }
        }
        return fields
    }

    /// A record's link through `navigation` by vendor key (connection and the target's vendor
    /// key), when its hub key field is empty.
    static func vendorLink<R: HubRecord>(_ record: R, _ navigation: ODataNavigation) -> VendorLink? {
        guard let vendorKey = navigation.vendorKey, let connection = record.metadata.connectionID,
            case .string(let key) = R.field(named: vendorKey)?.value(in: record) ?? .null
        else { return nil }
        return VendorLink(connection: connection, key: key)
    }

    struct VendorLink: Hashable, Sendable {
        var connection: String
        var key: String
    }

    /// For each record, its expanded navigation properties in `navigations` order.
    func expand<R: HubRecord>(_ records: [R], _ navigations: [ODataNavigation]) async throws -> [[(String, ODataJSON)]] {
        var expanded = [[(String, ODataJSON)]](repeating: [], count: records.count)
        guard !navigations.isEmpty, !records.isEmpty else { return expanded }
        for navigation in navigations {
            switch navigation.link {
            case .foreignKey(let field):
                let links = records.map { record -> String? in
                    guard case .string(let key) = R.field(named: field)?.value(in: record) ?? .null else { return nil }
                    return key
                }
                var unique: [String] = []
                var seen: Set<String> = []
                for case let key? in links where seen.insert(key).inserted { unique.append(key) }
                let targets = unique.isEmpty ? [:] : try await navigation.target.visit(Targets(call: call, keys: unique))
                // Links the sync left as vendor keys: found by connection and vendor key.
                let vendorLinks = records.indices.map { links[$0] == nil ? Self.vendorLink(records[$0], navigation) : nil }
                let unresolved = Set(vendorLinks.compactMap { $0 })
                let byVendorKey =
                    unresolved.isEmpty ? [:] : try await navigation.target.visit(VendorTargets(call: call, links: Array(unresolved)))
                for index in records.indices {
                    let target = links[index].flatMap { targets[$0] } ?? vendorLinks[index].flatMap { byVendorKey[$0] }
                    expanded[index].append((navigation.name, target ?? .null))
                }
            case .children:
                let keys = records.compactMap(\.metadata.key)
                let media = try await children(of: R.resource, keys: keys)
                for (index, record) in records.enumerated() {
                    expanded[index].append((navigation.name, .array(record.metadata.key.flatMap { media[$0] } ?? [])))
                }
            }
        }
        return expanded
    }

    /// The live media of the `parent` records `keys`, by parent key, each list in `Order`.
    private func children(of parent: ResourceName, keys: [String]) async throws -> [String: [ODataJSON]] {
        guard !keys.isEmpty else { return [:] }
        let writer = ODataEntityWriter<Media>(selection: nil, omitNulls: call.preferences.omitNulls)
        var query = ODataRecordQuery(
            filter: ODataFilters.media(of: parent, keys: keys),
            orderBy: [
                ODataOrderKey(ResolvedProperty(resource: .media, name: "ResourceRecordKey", type: .string)),
                ODataOrderKey(ResolvedProperty(resource: .media, name: "Order", type: .integer)),
            ], limit: ODataQueryLimits.maximumLimit)
        var byParent: [String: [ODataJSON]] = [:]
        // A page's media may be more than one store query returns: read on until a short batch.
        while true {
            let batch = try await call.store.odataRecords(Media.self, tenant: call.tenant, query: query).records
            for media in batch {
                guard let parentKey = media.resourceRecordKey else { continue }
                byParent[parentKey, default: []].append(writer.entity(media))
            }
            guard batch.count == query.limit, query.offset + query.limit <= ODataQueryOptions.maximumSkip else { return byParent }
            query.offset += query.limit
        }
    }

    /// The live records of a resource named by connection and vendor key, as entities by link.
    struct VendorTargets: ResourceVisitor {
        let call: ODataCall
        let links: [VendorLink]

        func visit<T: HubRecord>(_ type: T.Type) async throws -> [VendorLink: ODataJSON] {
            let writer = ODataEntityWriter<T>(selection: nil, omitNulls: call.preferences.omitNulls)
            var found: [VendorLink: ODataJSON] = [:]
            let connection = ODataFilters.property(T.resource, MetadataFieldNames.connectionID)
            let vendorKey = ODataFilters.property(T.resource, T.resource.sourceKeyField)
            for (connectionID, group) in Dictionary(grouping: links, by: \.connection) {
                let keys = group.map(\.key)
                for start in stride(from: 0, to: keys.count, by: ODataQueryLimits.maximumLimit) {
                    let chunk = Array(keys[start..<min(start + ODataQueryLimits.maximumLimit, keys.count)])
                    let filter = CheckedFilter.and([
                        .comparison(.eq, connection, .literal(.string(connectionID))),
                        .membership(vendorKey, chunk.map(ODataLiteral.string)),
                    ])
                    let query = ODataRecordQuery(filter: filter, limit: chunk.count)
                    for record in try await call.store.odataRecords(T.self, tenant: call.tenant, query: query).records {
                        if let key = record.metadata.sourceKey {
                            found[VendorLink(connection: connectionID, key: key)] = writer.entity(record)
                        }
                    }
                }
            }
            return found
        }
    }

    /// The live records of a resource among `keys`, as entities by key.
    struct Targets: ResourceVisitor {
        let call: ODataCall
        let keys: [String]

        func visit<T: HubRecord>(_ type: T.Type) async throws -> [String: ODataJSON] {
            let writer = ODataEntityWriter<T>(selection: nil, omitNulls: call.preferences.omitNulls)
            var found: [String: ODataJSON] = [:]
            // A page holds at most the store's maximum of records, so of distinct keys too.
            for start in stride(from: 0, to: keys.count, by: ODataQueryLimits.maximumLimit) {
                let chunk = Array(keys[start..<min(start + ODataQueryLimits.maximumLimit, keys.count)])
                let query = ODataRecordQuery(filter: ODataFilters.keys(T.resource, in: chunk), limit: chunk.count)
                for record in try await call.store.odataRecords(T.self, tenant: call.tenant, query: query).records {
                    if let key = record.metadata.key { found[key] = writer.entity(record) }
                }
            }
            return found
        }
    }
}
