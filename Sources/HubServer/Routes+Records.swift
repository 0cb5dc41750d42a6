import HubApp
import HubStore
import Hummingbird
import RealtyModel

extension HubAPI {
    func addRecords(_ table: RouteTable) {
        let store = runtime.store
        for resource in ResourceName.apiResources {
            let name = resource.pathName
            let schema = resource.rawValue
            var listParameters: [RouteSpec.Parameter] = [
                .init(name: "page", location: .query, required: false, schema: Schema.integer, description: "1-based page (default 1)"),
                .init(name: "per_page", location: .query, required: false, schema: Schema.integer, description: "Records per page, 1-100 (default 20)"),
                .init(name: "sort", location: .query, required: false, schema: Schema.string, description: "A field to sort on (default ModificationTimestamp); ties break on the key"),
                .init(name: "sort_order", location: .query, required: false, schema: .object(["type": "string", "enum": ["asc", "desc"]]), description: "asc (default) or desc"),
                .init(name: "fields", location: .query, required: false, schema: Schema.string, description: "Comma-separated RESO names to return (the key is always returned; raw only when named)"),
                .init(name: "expand", location: .query, required: false, schema: Schema.string, description: "Comma-separated relations to embed: " + (resource.relations.map(\.name).joined(separator: ", ").nonEmpty ?? "none")),
                .init(name: "modified_since", location: .query, required: false, schema: Schema.dateTime, description: "Only records the hub saw change at or after this instant"),
                .init(name: "include_deleted", location: .query, required: false, schema: Schema.boolean, description: "Include records deleted at the vendor"),
            ]
            for filter in Self.filterableFields(resource) {
                listParameters.append(.init(name: filter, location: .query, required: false, schema: Schema.string, description: "Equality filter"))
            }
            table.add(RouteSpec(
                method: .get, path: "/v1/\(name)", operationID: "list_\(name)", summary: "List \(resource.rawValue) records", tag: "Records",
                scope: (name, .read), parameters: listParameters,
                replies: [.init(status: 200, description: "A page", schema: Schema.ref("\(schema)List"))] + [Self.reply(400)] + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                return try await resource.visit(RecordRoutes.List(store: store, request: request, tenant: principal.tenantID))
            }
            table.add(RouteSpec(
                method: .get, path: "/v1/\(name)/{key}", operationID: "get_\(name)", summary: "One \(resource.rawValue) record by \(resource.keyField)",
                tag: "Records", scope: (name, .read),
                parameters: [
                    .init(name: "key", location: .path, required: true, schema: Schema.string, description: resource.keyField),
                    listParameters[4], listParameters[5],
                ],
                replies: [.init(status: 200, description: "The record", schema: Schema.ref(schema)), Self.reply(400), Self.reply(404)] + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                let key = try RequestSupport.parameter(context, "key")
                return try await resource.visit(RecordRoutes.Get(store: store, request: request, tenant: principal.tenantID, key: key))
            }
        }
    }

    /// The fields a list can filter on: the indexed ones plus provenance.
    static func filterableFields(_ resource: ResourceName) -> [String] {
        Self.indexedFields(resource) + [MetadataFieldNames.sourceSystemName, MetadataFieldNames.connectionID, resource.sourceKeyField]
    }

    static func indexedFields(_ resource: ResourceName) -> [String] {
        switch resource {
        case .member: return Member.fields.filter(\.isIndexed).map(\.name)
        case .office: return Office.fields.filter(\.isIndexed).map(\.name)
        case .teams: return Team.fields.filter(\.isIndexed).map(\.name)
        case .teamMembers: return TeamMember.fields.filter(\.isIndexed).map(\.name)
        case .contacts: return Contact.fields.filter(\.isIndexed).map(\.name)
        case .property: return Property.fields.filter(\.isIndexed).map(\.name)
        case .development: return Development.fields.filter(\.isIndexed).map(\.name)
        case .activity: return Activity.fields.filter(\.isIndexed).map(\.name)
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
