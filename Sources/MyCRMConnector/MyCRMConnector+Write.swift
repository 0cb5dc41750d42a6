public import ConnectorKit
import Foundation
public import RealtyModel

extension MyCRMConnector {
    /// Creates a Lead (``Contact`` with `ContactType` `Lead` or none) or a Contact (any other
    /// type): `POST create` with `elementType` and the `element` JSON in the seed's field names.
    ///
    /// The seed marks `firstname`, `lastname` and `assigned_user_id` mandatory. A missing first or
    /// last name is taken from `FullName`; a missing owner becomes the logged-in user. Whatever is
    /// still missing fails as `.validation` before anything is sent.
    ///
    /// - Returns: the new record's webservice id (`10x42`) and the record as created.
    /// - Throws: ``ConnectorError``.
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        guard let contact = record as? Contact else {
            throw ConnectorError.unsupported(.mycrm, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let module = MyCRMMapping.module(for: contact)
        var element = MyCRMMapping.element(from: contact, module: module)
        if element["assigned_user_id"] == nil, let userID = try await currentUserID() {
            element["assigned_user_id"] = .string(userID)
        }
        let missing = MyCRMMapping.missingMandatoryFields(in: element)
        guard missing.isEmpty else {
            throw ConnectorError(
                .validation, vendor: .mycrm, message: "the record lacks fields MyCRM requires for \(module.rawValue)",
                fieldErrors: missing, connectionID: client.connectionID, operation: MyCRMOperation.create.operationName)
        }
        let result = try await call(.create, [("elementType", module.rawValue), ("element", JSONValue.object(element).jsonText)])
        return try writeResult(result, operation: .create)
    }

    /// Updates a Lead or Contact with the fields the contact has, as a partial `revise` (see
    /// ``revise(_:remoteID:)``).
    ///
    /// The webservice's `update` needs the whole element, which means retrieving the record and
    /// sending every field back, the sensitive ones (`ssn`, `dl_license`) included and any field
    /// changed at the vendor since the retrieve overwritten. The hub's writes are partial, so an
    /// update is a `revise`: fields the contact leaves empty keep the vendor's values (an empty
    /// hub field is "not known", not "erase"), and fields the hub does not map are never sent.
    ///
    /// - Parameters:
    ///   - record: the contact.
    ///   - remoteID: the webservice id (`10x42` or `12x7`); its prefix says the module.
    /// - Throws: ``ConnectorError``; `.notFound` when the record is gone.
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        let record = change.record
        let remoteID = change.remoteID
        guard let contact = record as? Contact else {
            throw ConnectorError.unsupported(.mycrm, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        return try await revise(contact, remoteID: remoteID)
    }

    /// Changes only the fields the contact has (`POST revise` with `id` and those fields): one
    /// call, and no overwrite of fields changed meanwhile at the vendor.
    ///
    /// - Parameters:
    ///   - contact: the contact.
    ///   - remoteID: the webservice id.
    /// - Throws: ``ConnectorError``.
    public func revise(_ contact: Contact, remoteID: String) async throws -> WriteResult {
        let module = try await module(ofID: remoteID)
        var element = MyCRMMapping.element(from: contact, module: module)
        element["id"] = .string(remoteID)
        let result = try await call(.revise, [("element", JSONValue.object(element).jsonText)])
        return try writeResult(result, operation: .revise)
    }

    /// Finds an existing Lead (or Contact, by the contact's type) by email, or when the contact
    /// has no email, by any of its phone numbers against the module's phone fields.
    ///
    /// VTQL: `select * from Leads where email = '<escaped>' limit 1;` (values quoted, quotes
    /// doubled). Phones match as written: the server compares text, so a number stored with other
    /// formatting is not found.
    ///
    /// - Returns: the webservice id of the first match, or nil.
    /// - Throws: ``ConnectorError``; `.validation` when a value cannot be put into VTQL safely.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        guard let contact = record as? Contact else {
            throw ConnectorError.unsupported(
                .mycrm, "look up existing \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        guard let statement = try Self.lookupQuery(for: contact) else { return nil }
        return try await query(statement).first?.id
    }

    /// The VTQL statement finding `contact`, or nil when it has neither email nor phone.
    ///
    /// - Throws: ``ConnectorError`` `.validation` when a value cannot be written into VTQL.
    static func lookupQuery(for contact: Contact) throws -> String? {
        let module = MyCRMMapping.module(for: contact)
        var select = VTQLSelect(module: module.rawValue, limit: 1)
        if let email = contact.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty {
            select.conditions = [.equal("email", email)]
        } else {
            let phones = [contact.mobilePhone, contact.homePhone, contact.officePhone]
                .compactMap { $0?.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard !phones.isEmpty else { return nil }
            let columns = module == .contacts ? ["phone", "mobile", "homephone"] : ["phone", "mobile"]
            var seen = Set<String>()
            for phone in phones where seen.insert(phone).inserted {
                for column in columns { select.conditions.append(.equal(column, phone)) }
            }
            select.conjunction = .or
        }
        do {
            return try select.text()
        } catch {
            throw ConnectorError(
                .validation, vendor: .mycrm, message: "cannot look the record up: \(error.message)",
                fieldErrors: [FieldError(field: contact.email != nil ? "Email" : "MobilePhone", message: error.message)])
        }
    }

    /// The module a webservice id belongs to, by its prefix (`10x42` → the prefix `describe`
    /// reports for Leads).
    ///
    /// - Throws: ``ConnectorError`` `.validation` for an id that is not `<prefix>x<number>`;
    ///   `.configuration` for an id of a module this connector does not write.
    func module(ofID id: String) async throws -> MyCRMModule {
        let parts = id.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else {
            throw ConnectorError(
                .validation, vendor: .mycrm, message: "\"\(id)\" is not a MyCRM webservice id (<module>x<number>)",
                connectionID: client.connectionID)
        }
        let prefix = String(parts[0])
        for module in [MyCRMModule.leads, .contacts] {
            let known = try await prefixes.prefix(of: module) { module in
                let description = try await call(.describe, [("elementType", module.rawValue)])
                return description["idPrefix"]?.stringValue
            }
            if known == prefix { return module }
        }
        throw ConnectorError(
            .configuration, vendor: .mycrm, message: "\(id) is not a Leads or Contacts record; only those can be written",
            connectionID: client.connectionID)
    }

    private func writeResult(_ result: JSONValue, operation: MyCRMOperation) throws -> WriteResult {
        guard let id = MyCRMRecord(json: result)?.id else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "\(operation.rawValue) answered a record without an id",
                connectionID: client.connectionID, operation: operation.operationName)
        }
        return WriteResult(remoteID: id, raw: result)
    }
}
