import Foundation
import FoundationXML
import ODataQuery
import RealtyModel
import Testing

@testable import HubServer

/// `$metadata` read back the way a client reads it: the XML through `XMLParser` (keys,
/// navigation targets, entity sets resolve; known properties' exact facets), the JSON CSDL
/// through `JSONSerialization` and compared with the XML type by type, the service document,
/// and the properties against what the query layer accepts.
@Suite struct ODataMetadataTests {
    static let csdl: CSDLDocument = CSDLDocument.parse(ODataMetadata.xml)

    // MARK: - XML

    @Test func xmlIsCSDLFourWithTheOASISNamespaces() throws {
        let document = Self.csdl
        #expect(document.errors.isEmpty, "\(document.errors)")
        #expect(document.edmxVersion == "4.0")
        #expect(document.edmxNamespace == "http://docs.oasis-open.org/odata/ns/edmx")
        #expect(document.schemaElementNamespaces == ["http://docs.oasis-open.org/odata/ns/edm"])
        #expect(document.schemaNamespaces == ["org.reso.metadata", "RealtyHub.metadata"])
        #expect(document.includes.contains { $0.namespace == "Org.OData.Core.V1" && $0.alias == "Core" })
        #expect(document.containers == ["org.reso.metadata.Default"])
        // String lookups only (python-odata would also need a Value on every member), no
        // MaxLength (Q6).
        #expect(document.elementCounts["EnumType", default: 0] == 0)
        #expect(!document.attributeNames.contains("MaxLength"))
    }

    @Test func everyEntityTypeHasAKeyOnADeclaredNonNullableProperty() throws {
        #expect(Self.csdl.types.count == 10)
        for (name, type) in Self.csdl.types {
            #expect(type.keys.count == 1, "\(name) keys: \(type.keys)")
            for key in type.keys {
                let property = try #require(type.property(key), "\(name): key \(key) is not a property")
                #expect(property.attributes["Nullable"] == "false", "\(name).\(key)")
                #expect(type.properties.first?.name == key, "\(name): the key comes first")
            }
            #expect(Set(type.properties.map(\.name)).count == type.properties.count, "\(name): a property twice")
        }
    }

    @Test func everyNavigationTargetExistsAndItsConstraintResolves() throws {
        var navigations = 0
        for (name, type) in Self.csdl.types {
            for navigation in type.navigations {
                navigations += 1
                let isCollection = navigation.type.hasPrefix("Collection(")
                let targetName = isCollection ? String(navigation.type.dropFirst("Collection(".count).dropLast()) : navigation.type
                let target = try #require(Self.csdl.types[targetName], "\(name).\(navigation.name) → \(navigation.type)")
                if isCollection {
                    #expect(navigation.constraints.isEmpty, "\(name).\(navigation.name)")
                } else {
                    // python-odata reads the first constraint's Property.
                    let constraint = try #require(navigation.constraints.first, "\(name).\(navigation.name) has no constraint")
                    #expect(type.property(constraint.property) != nil, "\(name).\(navigation.name): \(constraint.property)")
                    #expect(target.keys == [constraint.referenced], "\(name).\(navigation.name): \(constraint.referenced)")
                }
            }
        }
        #expect(navigations == ODataNavigationTable.hubTable.values.map(\.count).reduce(0, +))
    }

    @Test func everyEntitySetResolvesToAQualifiedType() throws {
        let sets = Self.csdl.entitySets
        #expect(sets.map(\.name) == ODataMetadata.entitySets)
        #expect(
            ODataMetadata.entitySets == [
                "Property", "Member", "Office", "Teams", "TeamMembers", "Contacts", "Media", "Development", "Activity", "EntityEvent",
            ])
        for set in sets {
            #expect(Self.csdl.types[set.type] != nil, "\(set.name) → \(set.type)")
            #expect(set.type.hasSuffix("." + set.name))
        }
        #expect(Set(Self.csdl.types.keys) == Set(sets.map(\.type)))
    }

    @Test func knownPropertiesHaveTheirExactFacets() throws {
        let property = try #require(Self.csdl.types["org.reso.metadata.Property"])
        let listPrice = try #require(property.property("ListPrice"))
        #expect(listPrice.attributes == ["Name": "ListPrice", "Type": "Edm.Decimal", "Scale": "variable"])
        #expect(listPrice.annotations.isEmpty)
        let modified = try #require(property.property("ModificationTimestamp"))
        #expect(modified.attributes == ["Name": "ModificationTimestamp", "Type": "Edm.DateTimeOffset", "Precision": "3"])
        let deleted = try #require(property.property("DeletedYN"))
        #expect(deleted.attributes == ["Name": "DeletedYN", "Type": "Edm.Boolean", "Nullable": "false"])
        #expect(deleted.annotations == ["Core.Description": "RealtyHub extension"])
        #expect(property.property("StandardStatus")?.annotations == ["RESO.OData.Metadata.LookupName": "StandardStatus"])
        #expect(property.property("LivingAreaUnits")?.annotations == ["RESO.OData.Metadata.LookupName": "AreaUnits"])
        #expect(property.property("CurrentPrice")?.annotations == ["Core.Description": "RealtyHub extension"])
        #expect(property.property("ListingKey")?.attributes == ["Name": "ListingKey", "Type": "Edm.String", "Nullable": "false"])
        #expect(property.property("raw") == nil)

        let listAgent = try #require(property.navigations.first { $0.name == "ListAgent" })
        #expect(listAgent.type == "org.reso.metadata.Member")
        #expect(listAgent.constraints.map(\.property) == ["ListAgentKey"])
        #expect(listAgent.constraints.map(\.referenced) == ["MemberKey"])
        #expect(property.navigations.first { $0.name == "Media" }?.type == "Collection(org.reso.metadata.Media)")
        #expect(property.navigations.first { $0.name == "Development" }?.type == "RealtyHub.metadata.Development")

        let member = try #require(Self.csdl.types["org.reso.metadata.Member"])
        let languages = try #require(member.property("MemberLanguages"))
        #expect(languages.attributes["Type"] == "Collection(Edm.String)")
        #expect(languages.annotations == ["RESO.OData.Metadata.LookupName": "Languages"])

        // Q5: the hub's single values stay single strings, still naming DD's lookup.
        let contacts = try #require(Self.csdl.types["org.reso.metadata.Contacts"])
        #expect(contacts.property("Language")?.attributes["Type"] == "Edm.String")
        #expect(contacts.property("Language")?.annotations == ["RESO.OData.Metadata.LookupName": "Languages"])
        #expect(contacts.property("Birthdate")?.attributes["Type"] == "Edm.Date")

        let development = try #require(Self.csdl.types["RealtyHub.metadata.Development"])
        #expect(development.namespace == "RealtyHub.metadata")
        #expect(development.properties.allSatisfy { $0.annotations["Core.Description"] == "RealtyHub extension" })
        #expect(
            Self.csdl.types["RealtyHub.metadata.Activity"]?.navigations.first { $0.name == "Listing" }?.type == "org.reso.metadata.Property"
        )
        #expect(Self.csdl.types["org.reso.metadata.Development"] == nil)
    }

    @Test func entityEventHasRESOsFieldsAndTheHubsExtensions() throws {
        let event = try #require(Self.csdl.types["org.reso.metadata.EntityEvent"])
        #expect(event.keys == ["EntityEventSequence"])
        #expect(
            event.properties.map(\.name) == [
                "EntityEventSequence", "ResourceName", "ResourceRecordKey", "ResourceRecordUrl", "EventType", "ConnectionId",
                "ModificationTimestamp",
            ])
        #expect(event.property("EntityEventSequence")?.attributes["Type"] == "Edm.Int64")
        #expect(event.property("ModificationTimestamp")?.attributes["Precision"] == "3")
        let extensions = event.properties.filter { $0.annotations["Core.Description"] == "RealtyHub extension" }.map(\.name)
        #expect(extensions == ["EventType", "ConnectionId", "ModificationTimestamp"])
    }

    /// The extension annotations match §2.2: spot checks on both sides of the line.
    @Test func extensionsAreMarkedAndDataDictionaryNamesAreNot() throws {
        func isExtension(_ type: String, _ name: String) throws -> Bool {
            let property = try #require(Self.csdl.types["org.reso.metadata.\(type)"]?.property(name), "\(type).\(name)")
            return property.annotations["Core.Description"] == "RealtyHub extension"
        }
        for (type, name) in [
            ("Property", "SourceSystemListingKey"), ("Property", "DevelopmentKey"), ("Property", "ConnectionId"),
            ("Property", "ContentHash"), ("Member", "SourceSystemOfficeKey"), ("Teams", "SourceSystemTeamKey"),
            ("Teams", "OfficeKey"), ("Contacts", "UtmSource"), ("Media", "OriginalEntryTimestamp"),
            ("Media", "SourceEntryTimestamp"),
        ] {
            #expect(try isExtension(type, name), "\(type).\(name) should be an extension")
        }
        for (type, name) in [
            ("Property", "ListingKey"), ("Property", "ListPrice"), ("Property", "ModificationTimestamp"),
            ("Property", "SourceSystemName"), ("Member", "SourceSystemMemberKey"), ("Member", "MemberLanguages"),
            ("Contacts", "ContactType"), ("Media", "MediaKey"), ("Media", "Order"), ("TeamMembers", "TeamMemberType"),
        ] {
            #expect(try !isExtension(type, name), "\(type).\(name) is a Data Dictionary name")
        }
    }

    // MARK: - The query layer's properties

    /// Every property a query may name is declared, with its type, and nothing else is.
    @Test func propertiesAreExactlyTheQueryableOnes() throws {
        for resource in ResourceName.allCases {
            let name = ODataMetadata.qualifiedName(of: resource)
            let type = try #require(Self.csdl.types[name], "\(name)")
            let queryable = ODataProperties.types(of: resource)
            #expect(Set(type.properties.map(\.name)) == Set(queryable.keys), "\(name)")
            #expect(!type.properties.contains { $0.name == MetadataFieldNames.raw })
            for property in type.properties {
                guard let fieldType = queryable[property.name] else { continue }
                #expect(property.attributes["Type"] == Self.edmType(fieldType), "\(name).\(property.name)")
            }
            // Key, then the metadata in coding order, then the fields in the model's order.
            let names = MetadataFieldNames(resource)
            let metadata = names.all.filter { $0 != MetadataFieldNames.raw }
            #expect(Array(type.properties.map(\.name).prefix(metadata.count)) == metadata, "\(name)")
        }
    }

    static func edmType(_ type: FieldType) -> String {
        switch type {
        case .string: return "Edm.String"
        case .integer: return "Edm.Int64"
        case .decimal: return "Edm.Decimal"
        case .boolean: return "Edm.Boolean"
        case .timestamp: return "Edm.DateTimeOffset"
        case .date: return "Edm.Date"
        case .stringList: return "Collection(Edm.String)"
        }
    }

    // MARK: - JSON CSDL

    /// The JSON CSDL describes the same types, properties (types, facets, nullability,
    /// annotations), keys, navigations and entity sets as the XML.
    @Test func jsonDescribesTheSameModelAsTheXML() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(ODataMetadata.json)) as? [String: Any])
        #expect(root["$Version"] as? String == "4.01")
        #expect(root["$EntityContainer"] as? String == "org.reso.metadata.Default")
        let reference = try #require(root["$Reference"] as? [String: Any])
        let includes = reference.values.compactMap { ($0 as? [String: Any])?["$Include"] as? [[String: Any]] }.joined()
        #expect(includes.contains { $0["$Namespace"] as? String == "Org.OData.Core.V1" && $0["$Alias"] as? String == "Core" })

        var jsonTypes: Set<String> = []
        for namespace in Self.csdl.schemaNamespaces {
            let schema = try #require(root[namespace] as? [String: Any], "\(namespace)")
            for (name, value) in schema {
                guard let member = value as? [String: Any], member["$Kind"] as? String == "EntityType" else { continue }
                let qualified = namespace + "." + name
                jsonTypes.insert(qualified)
                let xmlType = try #require(Self.csdl.types[qualified], "\(qualified) is only in the JSON")
                try Self.compare(json: member, xml: xmlType, name: qualified)
            }
        }
        #expect(jsonTypes == Set(Self.csdl.types.keys))

        let container = try #require((root["org.reso.metadata"] as? [String: Any])?["Default"] as? [String: Any])
        #expect(container["$Kind"] as? String == "EntityContainer")
        for set in Self.csdl.entitySets {
            let entry = try #require(container[set.name] as? [String: Any], "\(set.name)")
            #expect(entry["$Collection"] as? Bool == true)
            #expect(entry["$Type"] as? String == set.type)
        }
        #expect(container.keys.filter { !$0.hasPrefix("$") }.count == Self.csdl.entitySets.count)
    }

    static func compare(json: [String: Any], xml: CSDLDocument.EntityType, name: String) throws {
        #expect(json["$Key"] as? [String] == xml.keys, "\(name) key")
        let members = json.filter { !$0.key.hasPrefix("$") && !$0.key.hasPrefix("@") }
        let properties = members.filter { ($0.value as? [String: Any])?["$Kind"] as? String != "NavigationProperty" }
        #expect(Set(properties.keys) == Set(xml.properties.map(\.name)), "\(name) properties")
        for property in xml.properties {
            let entry = try #require(properties[property.name] as? [String: Any], "\(name).\(property.name)")
            let isCollection = entry["$Collection"] as? Bool ?? false
            let type = entry["$Type"] as? String ?? "Edm.String"
            // JSON CSDL: an absent $Nullable means false; XML: an absent Nullable means true.
            let nullable = entry["$Nullable"] as? Bool ?? false
            var converted = ["Name": property.name, "Type": isCollection ? "Collection(\(type))" : type]
            if !nullable { converted["Nullable"] = "false" }
            if let scale = entry["$Scale"] { converted["Scale"] = "\(scale)" }
            if let precision = entry["$Precision"] { converted["Precision"] = "\(precision)" }
            #expect(converted == property.attributes, "\(name).\(property.name)")
            var annotations: [String: String] = [:]
            for (key, value) in entry where key.hasPrefix("@") { annotations[String(key.dropFirst())] = value as? String }
            #expect(annotations == property.annotations, "\(name).\(property.name) annotations")
        }
        let navigations = members.filter { ($0.value as? [String: Any])?["$Kind"] as? String == "NavigationProperty" }
        #expect(Set(navigations.keys) == Set(xml.navigations.map(\.name)), "\(name) navigations")
        for navigation in xml.navigations {
            let entry = try #require(navigations[navigation.name] as? [String: Any])
            let type = entry["$Type"] as? String ?? ""
            let written = entry["$Collection"] as? Bool == true ? "Collection(\(type))" : type
            #expect(written == navigation.type, "\(name).\(navigation.name)")
            let constraint = entry["$ReferentialConstraint"] as? [String: String] ?? [:]
            #expect(constraint == Dictionary(uniqueKeysWithValues: navigation.constraints.map { ($0.property, $0.referenced) }))
        }
    }

    // MARK: - Service document

    @Test func serviceDocumentListsEveryEntitySet() throws {
        let root = "http://127.0.0.1:8080/odata/"
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(ODataMetadata.serviceDocument(root: root))) as? [String: Any])
        #expect(Set(document.keys) == ["@odata.context", "value"])
        #expect(document["@odata.context"] as? String == "http://127.0.0.1:8080/odata/$metadata")
        let entries = try #require(document["value"] as? [[String: String]])
        #expect(entries.count == 10)
        #expect(entries.map { $0["name"] } == ODataMetadata.entitySets)
        for entry in entries {
            #expect(entry == ["name": entry["name"] ?? "", "kind": "EntitySet", "url": entry["name"] ?? ""])
        }
        #expect(entries.first == ["name": "Property", "kind": "EntitySet", "url": "Property"])
        #expect(entries.last == ["name": "EntityEvent", "kind": "EntitySet", "url": "EntityEvent"])
        // A root with characters JSON escapes stays valid JSON.
        let odd = ODataMetadata.serviceDocument(root: "http://h/\"q\\/")
        let parsed = try JSONSerialization.jsonObject(with: Data(odd)) as? [String: Any]
        #expect(parsed?["@odata.context"] as? String == "http://h/\"q\\/$metadata")
    }
}

/// CSDL XML as the tests read it: entity types by qualified name, entity sets, references.
struct CSDLDocument: Sendable {
    struct Property: Sendable {
        var name: String
        var attributes: [String: String]
        var annotations: [String: String] = [:]
    }
    struct Constraint: Sendable {
        var property: String
        var referenced: String
    }
    struct Navigation: Sendable {
        var name: String
        var type: String
        var constraints: [Constraint] = []
    }
    struct EntityType: Sendable {
        var namespace: String
        var keys: [String] = []
        var properties: [Property] = []
        var navigations: [Navigation] = []
        func property(_ name: String) -> Property? { properties.first { $0.name == name } }
    }
    struct Include: Sendable {
        var namespace: String
        var alias: String?
    }
    struct EntitySet: Sendable {
        var name: String
        var type: String
    }

    var edmxVersion: String?
    var edmxNamespace: String?
    var schemaNamespaces: [String] = []
    var schemaElementNamespaces: Set<String> = []
    var includes: [Include] = []
    var types: [String: EntityType] = [:]
    var entitySets: [EntitySet] = []
    var containers: [String] = []
    var elementCounts: [String: Int] = [:]
    var attributeNames: Set<String> = []
    var errors: [String] = []

    static func parse(_ bytes: [UInt8]) -> CSDLDocument {
        let reader = CSDLReader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        if !parser.parse() { reader.document.errors.append("parse failed: \(String(describing: parser.parserError))") }
        return reader.document
    }
}

/// The `XMLParser` delegate filling a ``CSDLDocument``.
private final class CSDLReader: NSObject, XMLParserDelegate {
    var document = CSDLDocument()
    private var namespace = ""
    private var typeName: String?
    private var propertyIndex: Int?
    private var navigationIndex: Int?

    func parser(
        _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        document.elementCounts[element, default: 0] += 1
        document.attributeNames.formUnion(attributes.keys)
        switch element {
        case "Edmx":
            document.edmxVersion = attributes["Version"]
            document.edmxNamespace = namespaceURI
        case "Include":
            document.includes.append(CSDLDocument.Include(namespace: attributes["Namespace"] ?? "", alias: attributes["Alias"]))
        case "Schema":
            namespace = attributes["Namespace"] ?? ""
            document.schemaNamespaces.append(namespace)
            document.schemaElementNamespaces.insert(namespaceURI ?? "")
        case "EntityType":
            let name = namespace + "." + (attributes["Name"] ?? "")
            if document.types[name] != nil { document.errors.append("\(name) declared twice") }
            document.types[name] = CSDLDocument.EntityType(namespace: namespace)
            typeName = name
        case "PropertyRef":
            if let typeName { document.types[typeName]?.keys.append(attributes["Name"] ?? "") }
        case "Property":
            guard let typeName else { return }
            document.types[typeName]?.properties.append(.init(name: attributes["Name"] ?? "", attributes: attributes))
            propertyIndex = (document.types[typeName]?.properties.count ?? 0) - 1
        case "NavigationProperty":
            guard let typeName else { return }
            document.types[typeName]?.navigations.append(.init(name: attributes["Name"] ?? "", type: attributes["Type"] ?? ""))
            navigationIndex = (document.types[typeName]?.navigations.count ?? 0) - 1
        case "ReferentialConstraint":
            guard let typeName, let navigationIndex else { return }
            document.types[typeName]?.navigations[navigationIndex].constraints.append(
                .init(property: attributes["Property"] ?? "", referenced: attributes["ReferencedProperty"] ?? ""))
        case "Annotation":
            guard let typeName, let propertyIndex else {
                document.errors.append("an annotation outside a property")
                return
            }
            document.types[typeName]?.properties[propertyIndex].annotations[attributes["Term"] ?? ""] = attributes["String"]
        case "EntityContainer":
            document.containers.append(namespace + "." + (attributes["Name"] ?? ""))
        case "EntitySet":
            document.entitySets.append(.init(name: attributes["Name"] ?? "", type: attributes["EntityType"] ?? ""))
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        switch element {
        case "EntityType": typeName = nil
        case "Property": propertyIndex = nil
        case "NavigationProperty": navigationIndex = nil
        default: break
        }
    }
}
