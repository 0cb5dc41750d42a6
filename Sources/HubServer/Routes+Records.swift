import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension HubAPI {
    func addRecords(_ table: RouteTable) {
        let store = runtime.store
        for resource in ResourceName.apiResources {
            let name = resource.pathName
            let schema = resource.rawValue
            let fieldsParameter = RouteSpec.Parameter(
                name: "fields", location: .query, required: false, schema: Schema.commaList(Self.projectableNames(resource), minItems: 1),
                description: "Comma-separated RESO names to return (the key is always returned; raw only when named)")
            // Resources without relations take no expand parameter.
            let expandParameter: [RouteSpec.Parameter] =
                resource.relations.isEmpty
                ? []
                : [
                    .init(
                        name: "expand", location: .query, required: false,
                        schema: Schema.commaList(resource.relations.map(\.name), minItems: 0),
                        description: "Comma-separated relations to embed: " + resource.relations.map(\.name).joined(separator: ", "))
                ]
            var listParameters: [RouteSpec.Parameter] =
                [
                    .init(
                        name: "page", location: .query, required: false, schema: Schema.integer(1...Int64(RecordRoutes.maximumPage)),
                        description: "1-based page (default 1)"),
                    .init(
                        name: "per_page", location: .query, required: false,
                        schema: Schema.integer(1...Int64(HubServerLimits.maximumPerPage)),
                        description: "Records per page, 1-\(HubServerLimits.maximumPerPage) (default 20)"),
                    .init(
                        name: "sort", location: .query, required: false,
                        schema: ["type": "string", "enum": .array(Self.sortableFields(resource).map(JSONValue.string))],
                        description: "A field to sort on (default ModificationTimestamp); ties break on the key"),
                    .init(
                        name: "sort_order", location: .query, required: false,
                        schema: .object(["type": "string", "enum": ["asc", "desc"]]), description: "asc (default) or desc"),
                    fieldsParameter,
                ] + expandParameter + [
                    .init(
                        name: "modified_since", location: .query, required: false, schema: Schema.dateTime,
                        description: "Only records the hub saw change at or after this instant"),
                    .init(
                        name: "include_deleted", location: .query, required: false, schema: Schema.boolean,
                        description: "Include records deleted at the vendor"),
                ]
            for (filter, type) in Self.filterableFields(resource) {
                listParameters.append(
                    .init(name: filter, location: .query, required: false, schema: Self.filterSchema(type), description: "Equality filter"))
            }
            table.add(
                RouteSpec(
                    method: .get, path: "/v1/\(name)", operationID: "list_\(name)", summary: "List \(resource.rawValue) records",
                    tag: "Records",
                    scope: (name, .read), parameters: listParameters,
                    replies: [.init(status: 200, description: "A page", schema: Schema.ref("\(schema)List"))] + [Self.reply(400)]
                        + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                return try await resource.visit(RecordRoutes.List(store: store, request: request, tenant: principal.tenantID))
            }
            table.add(
                RouteSpec(
                    method: .get, path: "/v1/\(name)/{key}", operationID: "get_\(name)",
                    summary: "One \(resource.rawValue) record by \(resource.keyField)",
                    tag: "Records", scope: (name, .read),
                    parameters: [
                        .init(name: "key", location: .path, required: true, schema: Schema.string, description: resource.keyField),
                        fieldsParameter,
                    ] + expandParameter,
                    replies: [.init(status: 200, description: "The record", schema: Schema.ref(schema)), Self.reply(400), Self.reply(404)]
                        + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                let key = try RequestSupport.parameter(context, "key")
                return try await resource.visit(RecordRoutes.Get(store: store, request: request, tenant: principal.tenantID, key: key))
            }
        }
    }

    /// The fields a list can filter on, with their types: the indexed ones plus provenance
    /// (what the store's list plan accepts).
    static func filterableFields(_ resource: ResourceName) -> [(String, FieldType)] {
        OpenAPIDocument.fieldTypes(resource, indexedOnly: true)
            + [
                (MetadataFieldNames.sourceSystemName, .string), (MetadataFieldNames.connectionID, .string),
                (resource.sourceKeyField, .string),
            ]
    }

    /// A filter value's schema: as the store parses it (booleans are true or false).
    static func filterSchema(_ type: FieldType) -> JSONValue {
        switch type {
        case .integer: return Schema.integer(-Schema.maxSafeInteger...Schema.maxSafeInteger)
        case .decimal: return ["type": "number", "minimum": -1e300, "maximum": 1e300]
        default: return Schema.field(type)
        }
    }

    /// The fields a list can sort on (what the store's list plan accepts).
    static func sortableFields(_ resource: ResourceName) -> [String] {
        let names = MetadataFieldNames(resource)
        let fields = OpenAPIDocument.fieldTypes(resource).filter { $0.1 != .stringList }.map(\.0)
        return Set(
            [
                names.key, MetadataFieldNames.modificationTimestamp, MetadataFieldNames.originalEntryTimestamp,
                MetadataFieldNames.sourceModificationTimestamp, names.sourceKey,
            ] + fields
        ).sorted()
    }

    /// The names `fields=` accepts.
    static func projectableNames(_ resource: ResourceName) -> [String] {
        (MetadataFieldNames(resource).all + OpenAPIDocument.fieldTypes(resource).map(\.0)).sorted()
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
