import ODataQuery
import RealtyModel

/// The RESO Web API's `$metadata` (CSDL XML and JSON CSDL) and service document, built once from
/// the model and served from memory, the same for every client (docs/reso-web-api.md §2–§4, Q2).
///
/// Both documents render one description (``Schema``), so they cannot disagree. Each resource's
/// properties are the query layer's (`ODataProperties.types(of:)`): what `$metadata` advertises
/// is exactly what `$filter`, `$select` and `$orderby` accept, and `raw` is neither (Q7).
enum ODataMetadata {
    /// CSDL XML (`application/xml`), built once from the model.
    static let xml: [UInt8] = Array(renderXML(schemas).utf8)
    /// JSON CSDL (`application/json`), built once.
    static let json: [UInt8] = Array(renderJSON(schemas).utf8)
    /// The entity set names served, in metadata order (Property, Member, Office, Teams,
    /// TeamMembers, Contacts, Media, Development, Activity, EntityEvent).
    static let entitySets: [String] = setOrder.map(\.name)

    /// The service document for a service root URL such as `http://127.0.0.1:8080/odata/`:
    /// `{"@odata.context":"<root>$metadata","value":[{"name","kind":"EntitySet","url"}...]}`,
    /// each `url` relative to the root (OData JSON Format, service document).
    static func serviceDocument(root: String) -> [UInt8] {
        var out = "{\"@odata.context\":"
        JSONValue.writeString(root + "$metadata", into: &out)
        out += ",\"value\":["
        for (index, name) in entitySets.enumerated() {
            if index > 0 { out += "," }
            out += "{\"name\":"
            JSONValue.writeString(name, into: &out)
            out += ",\"kind\":\"EntitySet\",\"url\":"
            JSONValue.writeString(name, into: &out)
            out += "}"
        }
        out += "]}"
        return Array(out.utf8)
    }

    // MARK: - The description both documents render

    static let resoNamespace = "org.reso.metadata"
    static let hubNamespace = "RealtyHub.metadata"
    static let containerName = "Default"
    static let extensionDescription = "RealtyHub extension"
    static let lookupNameTerm = "RESO.OData.Metadata.LookupName"
    static let coreNamespace = "Org.OData.Core.V1"
    static let coreAlias = "Core"
    static let entityEventSet = "EntityEvent"

    /// A structural property with its CSDL facets and annotations.
    struct Property {
        var name: String
        /// `Edm.String`, `Edm.Int64`, ...; for a collection, the item type.
        var type: String
        var isCollection = false
        /// Whether the value (for a collection, each item) may be null.
        var isNullable = true
        var scaleVariable = false
        var precision: Int?
        var lookupName: String?
        var isExtension = false
    }

    /// A navigation property; `constraint` is (our field, the target's key).
    struct Navigation {
        var name: String
        var targetType: String
        var isCollection: Bool
        var constraint: (property: String, referenced: String)?
    }

    struct EntityType {
        var name: String
        var namespace: String
        var key: String
        var properties: [Property]
        var navigations: [Navigation]
        var qualifiedName: String { namespace + "." + name }
    }

    struct Schema {
        var namespace: String
        var entityTypes: [EntityType]
        /// Entity sets (name, qualified type) when this schema holds the container.
        var entitySets: [(name: String, type: String)]
    }

    /// Entity sets in the order the service document and the container list them.
    private static let setOrder: [(name: String, resource: ResourceName?)] = [
        ("Property", .property), ("Member", .member), ("Office", .office), ("Teams", .teams),
        ("TeamMembers", .teamMembers), ("Contacts", .contacts), ("Media", .media), ("Development", .development),
        ("Activity", .activity), (entityEventSet, nil),
    ]

    /// The hub's own resources (not in the Data Dictionary) live in their own namespace (§2.1).
    static func namespace(of resource: ResourceName) -> String {
        switch resource {
        case .development, .activity: return hubNamespace
        default: return resoNamespace
        }
    }

    static func qualifiedName(of resource: ResourceName) -> String { namespace(of: resource) + "." + resource.rawValue }

    static let schemas: [Schema] = {
        var reso: [EntityType] = []
        var hub: [EntityType] = []
        for (_, resource) in setOrder {
            guard let resource else {
                reso.append(entityEventType)
                continue
            }
            let type = entityType(resource)
            if type.namespace == resoNamespace { reso.append(type) } else { hub.append(type) }
        }
        let sets = setOrder.map { set in
            (name: set.name, type: set.resource.map(qualifiedName(of:)) ?? "\(resoNamespace).\(entityEventSet)")
        }
        return [
            Schema(namespace: resoNamespace, entityTypes: reso, entitySets: sets),
            Schema(namespace: hubNamespace, entityTypes: hub, entitySets: []),
        ]
    }()

    /// A resource's entity type: key first, then the metadata every record carries, then the
    /// canonical fields in `fields` order; types from the query layer.
    static func entityType(_ resource: ResourceName) -> EntityType {
        func fieldNames<R: HubRecord>(_: R.Type) -> [String] { R.fields.map(\.name) }
        let names = MetadataFieldNames(resource)
        let types = ODataProperties.types(of: resource)
        let ordered = [names.key] + names.all.filter { $0 != names.key && $0 != MetadataFieldNames.raw } + fieldNames(resource.recordType)
        var seen: Set<String> = []
        var properties: [Property] = []
        for name in ordered where seen.insert(name).inserted {
            guard let fieldType = types[name] else { continue }
            var property = Property(fieldType, named: name)
            if name == names.key || name == MetadataFieldNames.deleted { property.isNullable = false }
            property.lookupName = lookupNames[resource]?[name]
            property.isExtension = !(ddNames(resource).contains(name))
            properties.append(property)
        }
        let navigations = (ODataNavigationTable.hubTable[resource] ?? []).map { navigation in
            switch navigation.link {
            case .foreignKey(let field):
                return Navigation(
                    name: navigation.name, targetType: qualifiedName(of: navigation.target), isCollection: false,
                    constraint: (field, navigation.target.keyField))
            case .children:
                return Navigation(name: navigation.name, targetType: qualifiedName(of: navigation.target), isCollection: true)
            }
        }
        return EntityType(
            name: resource.rawValue, namespace: namespace(of: resource), key: names.key, properties: properties,
            navigations: navigations)
    }

    /// RESO's `EntityEvent` (§3): the feed over the hub's change events.
    static let entityEventType = EntityType(
        name: entityEventSet, namespace: resoNamespace, key: "EntityEventSequence",
        properties: [
            Property(name: "EntityEventSequence", type: "Edm.Int64", isNullable: false),
            Property(name: "ResourceName", type: "Edm.String", isNullable: false),
            Property(name: "ResourceRecordKey", type: "Edm.String", isNullable: false),
            Property(name: "ResourceRecordUrl", type: "Edm.String", isNullable: false),
            Property(name: "EventType", type: "Edm.String", isNullable: false, isExtension: true),
            Property(name: "ConnectionId", type: "Edm.String", isExtension: true),
            Property(name: "ModificationTimestamp", type: "Edm.DateTimeOffset", isNullable: false, precision: 3, isExtension: true),
        ],
        navigations: [])

    // MARK: - Data Dictionary facts

    /// The lookup each string lookup field names (§4): DD's lookup name, not the field's.
    /// ContactType and Language are DD multi-value lookups, but the hub holds one value, so they
    /// stay single `Edm.String` (Q5: we serve our own types); DevelopmentStatus likewise.
    static let lookupNames: [ResourceName: [String: String]] = [
        .property: [
            "StandardStatus": "StandardStatus", "PropertyType": "PropertyType", "PropertySubType": "PropertySubType",
            "City": "City", "StateOrProvince": "StateOrProvince", "Country": "Country", "LivingAreaUnits": "AreaUnits",
            "DevelopmentStatus": "DevelopmentStatus",
        ],
        .member: ["MemberStatus": "MemberStatus", "MemberType": "MemberType", "MemberLanguages": "Languages"],
        .office: ["OfficeStateOrProvince": "StateOrProvince", "OfficeCountry": "Country", "OfficeStatus": "OfficeStatus"],
        .teams: ["TeamStatus": "TeamStatus"],
        .teamMembers: ["TeamMemberType": "TeamMemberType"],
        .contacts: [
            "HomeStateOrProvince": "StateOrProvince", "HomeCountry": "Country", "ContactType": "ContactType",
            "ContactStatus": "ContactStatus", "Language": "Languages",
        ],
        .media: ["ResourceName": "ResourceName", "MediaCategory": "MediaCategory"],
    ]

    /// The names that exist in the resource in DD 2.0 (§2.2); every other property is a
    /// RealtyHub extension. Listed positively, so a new field counts as an extension until
    /// someone checks it against the Data Dictionary.
    static func ddNames(_ resource: ResourceName) -> Set<String> {
        let names = MetadataFieldNames(resource)
        var metadata: Set<String> = [names.key, MetadataFieldNames.sourceSystemName, MetadataFieldNames.modificationTimestamp]
        // DD has SourceSystemKey, not SourceSystem{Prefix}Key, on Property, Teams and TeamMembers.
        if [.member, .office, .contacts, .media].contains(resource) { metadata.insert(names.sourceKey) }
        // DD's Media has no OriginalEntryTimestamp.
        if resource != .media { metadata.insert(MetadataFieldNames.originalEntryTimestamp) }
        switch resource {
        case .property:
            return metadata.union([
                "ListingId", "StandardStatus", "PropertyType", "PropertySubType", "ListPrice", "UnparsedAddress", "City",
                "StateOrProvince", "PostalCode", "Country", "Latitude", "Longitude", "BedroomsTotal", "BathroomsTotalInteger",
                "LivingArea", "LivingAreaUnits", "PublicRemarks", "ListAgentKey", "ListOfficeKey", "NewConstructionYN",
                "BuildingName", "UnitNumber", "DevelopmentStatus",
            ])
        case .member:
            return metadata.union([
                "MemberFirstName", "MemberLastName", "MemberFullName", "MemberEmail", "MemberMobilePhone", "MemberDirectPhone",
                "MemberOfficePhone", "MemberStatus", "MemberType", "MemberLanguages", "JobTitle", "OfficeKey",
            ])
        case .office:
            return metadata.union([
                "OfficeName", "OfficeEmail", "OfficePhone", "OfficeAddress1", "OfficeCity", "OfficeStateOrProvince",
                "OfficePostalCode", "OfficeCountry", "OfficeStatus",
            ])
        case .teams:
            return metadata.union(["TeamName", "TeamEmail", "TeamStatus", "TeamLeadKey"])
        case .teamMembers:
            return metadata.union(["TeamKey", "MemberKey", "TeamMemberType"])
        case .contacts:
            return metadata.union([
                "FirstName", "LastName", "FullName", "Email", "MobilePhone", "HomePhone", "OfficePhone", "Pager", "HomeAddress1",
                "HomeAddress2", "HomeCity", "HomeStateOrProvince", "HomePostalCode", "HomeCountry", "Company", "ContactType",
                "ContactStatus", "LeadSource", "ReferredBy", "Language", "Notes", "SpousePartnerName", "Birthdate",
                "OwnerMemberKey",
            ])
        case .media:
            return metadata.union([
                "ResourceName", "ResourceRecordKey", "SourceSystemResourceRecordKey", "MediaURL", "MediaCategory", "Order",
                "ShortDescription", "ImageWidth", "ImageHeight", "MediaModificationTimestamp",
            ])
        case .development, .activity:
            // Not Data Dictionary resources: every property is the hub's.
            return []
        }
    }
}

extension ODataMetadata.Property {
    /// The CSDL type and facets of a model field type (§4). No `MaxLength` anywhere (Q6).
    init(_ fieldType: FieldType, named name: String) {
        self.init(name: name, type: "Edm.String")
        switch fieldType {
        case .string: type = "Edm.String"
        case .integer: type = "Edm.Int64"
        case .decimal:
            // Without a Scale facet CSDL means whole numbers.
            type = "Edm.Decimal"
            scaleVariable = true
        case .boolean: type = "Edm.Boolean"
        case .timestamp:
            // Payloads carry milliseconds; without Precision CSDL means whole seconds.
            type = "Edm.DateTimeOffset"
            precision = 3
        case .date: type = "Edm.Date"
        case .stringList:
            // Payloads write `[]` for no values, never null items.
            type = "Edm.String"
            isCollection = true
            isNullable = false
        }
    }

    /// The type as CSDL XML writes it: `Collection(Edm.String)` for a collection.
    var xmlType: String { isCollection ? "Collection(\(type))" : type }
}

// MARK: - CSDL XML

extension ODataMetadata {
    static let edmxNamespace = "http://docs.oasis-open.org/odata/ns/edmx"
    static let edmNamespace = "http://docs.oasis-open.org/odata/ns/edm"
    static let coreVocabularyXML = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"

    /// CSDL XML 4.0 (only 4.0 constructs, so RESO's 4.0 schema validation and python-odata read it).
    static func renderXML(_ schemas: [Schema]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<edmx:Edmx xmlns:edmx=\"\(edmxNamespace)\" Version=\"4.0\">\n"
        out += "  <edmx:Reference Uri=\"\(coreVocabularyXML)\">\n"
        out += "    <edmx:Include Namespace=\"\(coreNamespace)\" Alias=\"\(coreAlias)\"/>\n"
        out += "  </edmx:Reference>\n"
        out += "  <edmx:DataServices>\n"
        for schema in schemas {
            out += "    <Schema xmlns=\"\(edmNamespace)\" Namespace=\"\(escaped(schema.namespace))\">\n"
            for type in schema.entityTypes { writeXML(type, into: &out) }
            if !schema.entitySets.isEmpty {
                out += "      <EntityContainer Name=\"\(containerName)\">\n"
                for set in schema.entitySets {
                    out += "        <EntitySet Name=\"\(escaped(set.name))\" EntityType=\"\(escaped(set.type))\"/>\n"
                }
                out += "      </EntityContainer>\n"
            }
            out += "    </Schema>\n"
        }
        out += "  </edmx:DataServices>\n</edmx:Edmx>\n"
        return out
    }

    private static func writeXML(_ type: EntityType, into out: inout String) {
        out += "      <EntityType Name=\"\(escaped(type.name))\">\n"
        out += "        <Key><PropertyRef Name=\"\(escaped(type.key))\"/></Key>\n"
        for property in type.properties {
            out += "        <Property Name=\"\(escaped(property.name))\" Type=\"\(escaped(property.xmlType))\""
            if !property.isNullable { out += " Nullable=\"false\"" }
            if property.scaleVariable { out += " Scale=\"variable\"" }
            if let precision = property.precision { out += " Precision=\"\(precision)\"" }
            var annotations: [(term: String, value: String)] = []
            if let lookup = property.lookupName { annotations.append((lookupNameTerm, lookup)) }
            if property.isExtension { annotations.append(("\(coreAlias).Description", extensionDescription)) }
            if annotations.isEmpty {
                out += "/>\n"
                continue
            }
            out += ">\n"
            for annotation in annotations {
                out += "          <Annotation Term=\"\(escaped(annotation.term))\" String=\"\(escaped(annotation.value))\"/>\n"
            }
            out += "        </Property>\n"
        }
        for navigation in type.navigations {
            let target = navigation.isCollection ? "Collection(\(navigation.targetType))" : navigation.targetType
            out += "        <NavigationProperty Name=\"\(escaped(navigation.name))\" Type=\"\(escaped(target))\""
            guard let constraint = navigation.constraint else {
                out += "/>\n"
                continue
            }
            out += ">\n"
            out += "          <ReferentialConstraint Property=\"\(escaped(constraint.property))\""
            out += " ReferencedProperty=\"\(escaped(constraint.referenced))\"/>\n"
            out += "        </NavigationProperty>\n"
        }
        out += "      </EntityType>\n"
    }

    /// Text for an XML attribute value (names are identifiers today; escaping keeps it so).
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
