import RealtyModel

/// JSON CSDL (OData CSDL JSON 4.01), rendered from the same description as the XML. Written by
/// hand rather than through `JSONValue`, which sorts keys: here member order is the property
/// order clients show, and `$Kind`/`$Key` read best first.
extension ODataMetadata {
    static let coreVocabularyJSON = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.json"

    static func renderJSON(_ schemas: [Schema]) -> String {
        var out = "{\"$Version\":\"4.01\",\"$EntityContainer\":"
        JSONValue.writeString("\(resoNamespace).\(containerName)", into: &out)
        out += ",\"$Reference\":{"
        JSONValue.writeString(coreVocabularyJSON, into: &out)
        out += ":{\"$Include\":[{\"$Namespace\":"
        JSONValue.writeString(coreNamespace, into: &out)
        out += ",\"$Alias\":"
        JSONValue.writeString(coreAlias, into: &out)
        out += "}]}}"
        for schema in schemas {
            out += ","
            JSONValue.writeString(schema.namespace, into: &out)
            out += ":{"
            var members: [String] = schema.entityTypes.map(entityTypeJSON)
            if !schema.entitySets.isEmpty {
                var container = "\"\(containerName)\":{\"$Kind\":\"EntityContainer\""
                for set in schema.entitySets {
                    container += ","
                    JSONValue.writeString(set.name, into: &container)
                    container += ":{\"$Collection\":true,\"$Type\":"
                    JSONValue.writeString(set.type, into: &container)
                    container += "}"
                }
                members.append(container + "}")
            }
            out += members.joined(separator: ",") + "}"
        }
        return out + "}"
    }

    /// One entity type as `"Name":{...}`. In JSON CSDL an absent `$Nullable` means false (the
    /// opposite of XML), so nullable members say `true`.
    private static func entityTypeJSON(_ type: EntityType) -> String {
        var out = ""
        JSONValue.writeString(type.name, into: &out)
        out += ":{\"$Kind\":\"EntityType\",\"$Key\":["
        JSONValue.writeString(type.key, into: &out)
        out += "]"
        for property in type.properties {
            out += ","
            JSONValue.writeString(property.name, into: &out)
            out += ":{"
            if property.isCollection { out += "\"$Collection\":true," }
            out += "\"$Type\":"
            JSONValue.writeString(property.type, into: &out)
            if property.isNullable { out += ",\"$Nullable\":true" }
            if property.scaleVariable { out += ",\"$Scale\":\"variable\"" }
            if let precision = property.precision { out += ",\"$Precision\":\(precision)" }
            if let lookup = property.lookupName {
                out += ","
                JSONValue.writeString("@" + lookupNameTerm, into: &out)
                out += ":"
                JSONValue.writeString(lookup, into: &out)
            }
            if property.isExtension {
                out += ","
                JSONValue.writeString("@\(coreAlias).Description", into: &out)
                out += ":"
                JSONValue.writeString(extensionDescription, into: &out)
            }
            out += "}"
        }
        for navigation in type.navigations {
            out += ","
            JSONValue.writeString(navigation.name, into: &out)
            out += ":{\"$Kind\":\"NavigationProperty\""
            if navigation.isCollection { out += ",\"$Collection\":true" }
            out += ",\"$Type\":"
            JSONValue.writeString(navigation.targetType, into: &out)
            // A single-valued navigation may lead nowhere (the key unresolved): nullable, as
            // the XML's default says.
            if !navigation.isCollection { out += ",\"$Nullable\":true" }
            if let constraint = navigation.constraint {
                out += ",\"$ReferentialConstraint\":{"
                JSONValue.writeString(constraint.property, into: &out)
                out += ":"
                JSONValue.writeString(constraint.referenced, into: &out)
                out += "}"
            }
            out += "}"
        }
        return out + "}"
    }
}
