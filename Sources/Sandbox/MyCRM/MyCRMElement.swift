import RealtyModel

/// Reading the `element` parameter of create, update and revise, with the vendor's checks.
enum MyCRMElement {
    /// Which write the element is for; decides how mandatory fields are checked.
    enum Purpose: Sendable {
        /// Every mandatory field must be present and non-empty.
        case create
        /// A whole record: like create (the vendor re-validates the full record).
        case update
        /// A partial change: mandatory fields may be absent, but not emptied.
        case revise
    }

    /// Decodes `element` into its members.
    /// - Throws: `INTERNAL_SERVER_ERROR` when it is missing, not JSON, or not a JSON object. The
    ///   vendor's JSON decoder throws and its catch-all answers that code ("Unknown Error while
    ///   processing request"); the message here also says what was wrong.
    static func members(_ text: String?) throws(MyCRMError) -> [String: JSONValue] {
        guard let text, !text.isEmpty else {
            throw MyCRMError(
                .internalServerError,
                "Unknown Error while processing request: the element parameter is missing")
        }
        guard let json = try? JSONValue(parsing: text) else {
            throw MyCRMError(
                .internalServerError,
                "Unknown Error while processing request: element is not valid JSON")
        }
        guard case .object(let members) = json else {
            throw MyCRMError(
                .internalServerError,
                "Unknown Error while processing request: element must be a JSON object of fieldname: value")
        }
        return members
    }

    /// The field values an element sets on `module`, after the vendor's checks.
    ///
    /// Unknown and read-only fields (`id`, `createdtime`, …) are ignored, as the vendor drops
    /// them. Scalars become strings the way PHP stores them; booleans fields store "1"/"0".
    /// - Parameters:
    ///   - members: the decoded element.
    ///   - module: the module written.
    ///   - purpose: create, update or revise.
    ///   - isAssignableUser: whether a user id may own records (exists and is active).
    /// - Returns: field name → stored value, for the fields the element sets.
    /// - Throws: `MANDATORY_FIELDS_MISSING` ("<field> does not have a value"),
    ///   `INVALID_ID_ATTRIBUTE` / `REFERENCE_INVALID` / `ACCESS_DENIED` for a bad owner,
    ///   `INTERNAL_SERVER_ERROR` for a field given an array or object.
    static func values(
        _ members: [String: JSONValue],
        module: MyCRMModule,
        purpose: Purpose,
        isAssignableUser: (String) -> Bool
    ) throws(MyCRMError) -> [String: String] {
        var values: [String: String] = [:]
        // Checked in name order, so the first failure reported does not depend on hashing.
        for name in members.keys.sorted() {
            guard let json = members[name] else { continue }
            guard let field = module.field(name), field.editable else { continue }
            guard var value = MyCRMWire.fieldString(json) else {
                throw MyCRMError(
                    .internalServerError,
                    "Unknown Error while processing request: \(name) must be a string, number or boolean")
            }
            if field.kind == .boolean { value = normalizedBoolean(value) }
            values[name] = value
        }
        for field in module.mandatoryFields where field.editable {
            let value = values[field.name]
            let missing: Bool =
                switch purpose {
                case .create, .update: value.map(isBlank) ?? true
                case .revise: value.map(isBlank) ?? false
                }
            if missing {
                throw MyCRMError(.mandatoryFieldsMissing, "\(field.name) does not have a value")
            }
        }
        for field in module.fields where field.kind == .owner {
            guard let owner = values[field.name], !owner.isEmpty else { continue }
            guard let prefix = owner.split(separator: "x", omittingEmptySubsequences: false).first,
                VTQLEvaluator.webserviceCRMID(owner) != nil, let prefixNumber = Int(prefix)
            else { throw MyCRMError.incorrectID }
            guard prefixNumber == MyCRMModule.users.idPrefix else {
                throw MyCRMError(.referenceInvalid, "Invalid reference specified for \(field.name)")
            }
            guard isAssignableUser(owner) else {
                throw MyCRMError(.accessDenied, "Cannot assign record to the given user")
            }
        }
        return values
    }

    private static func isBlank(_ value: String) -> Bool {
        value.allSatisfy(\.isWhitespace)
    }

    private static func normalizedBoolean(_ value: String) -> String {
        switch value.lowercased() {
        case "1", "true", "on", "yes": "1"
        default: "0"
        }
    }
}
