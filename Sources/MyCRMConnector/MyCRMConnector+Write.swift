public import ConnectorKit
import Foundation
public import RealtyModel

extension MyCRMConnector {
    /// Creates a Lead (``Contact`` with `ContactType` `Lead`) or a Contact (`Client`, `Contact`
    /// or none): `POST create` with `elementType` and the `element` JSON in the seed's field
    /// names, picklist values through ``MyCRMVocabulary``.
    ///
    /// The seed marks `firstname`, `lastname` and `assigned_user_id` mandatory. A missing first or
    /// last name is taken from `FullName`; a missing owner becomes the logged-in user. Whatever is
    /// still missing, and any value with no picklist row, fails as `.validation` before anything
    /// is sent.
    ///
    /// - Returns: the new record's webservice id (`10x42`) and the record as created (the answer
    ///   is the whole record), mapped like a read.
    /// - Throws: ``ConnectorError``.
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        guard let contact = record as? Contact else {
            throw ConnectorError.unsupported(.mycrm, "create \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let module = MyCRMMapping.module(for: contact)
        try refuse(
            MyCRMVocabulary.problems(contact, fields: contact.presentFieldNames, module: module, operation: .create, valuesOnly: true),
            .create)
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
        return try writeResult(result, module: module, operation: .create)
    }

    /// Changes the fields `change.fields` names on a Lead or Contact with one `revise`: `id`
    /// and those fields' vendor values, `""` for a field the client cleared.
    ///
    /// Reading: the seed documents only `update`, which takes the whole element (the vendor
    /// re-checks every mandatory field), so a partial write with it would be a retrieve, merge
    /// and send-back of every field, the sealed ones (`ssn`, `dl_license`) included. vtiger's
    /// `revise`, registered on every webservice.php deployment (see `vendors/mycrm-webservice.md`),
    /// takes only the changed fields, so fields the hub does not map are never sent.
    ///
    /// With `change.expectedSourceModification` set, the record is first read (`retrieve`) and
    /// its `modifiedtime` compared: a later time means someone changed it at MyCRM, and nothing
    /// is sent. `modifiedtime` has whole seconds, so the expected time is compared truncated to
    /// its second: a vendor change within the same second as the hub's copy is not seen.
    ///
    /// - Returns: the id and the record as the vendor now holds it (revise answers the record).
    /// - Throws: ``ConnectorError``; `.changedAtVendor` (with ``ConnectorError/vendorRecord``)
    ///   on a conflict; `.validation` for unmapped values, emptied mandatory fields or a type
    ///   that would move the record to the other module; `.notFound` when the record is gone.
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        guard let contact = change.record as? Contact else {
            throw ConnectorError.unsupported(.mycrm, "update \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        let module = try await module(ofID: change.remoteID)
        var problems = MyCRMVocabulary.problems(contact, fields: change.fields, module: module, operation: .update)
        if change.changes("ContactType"), contact.contactType.map(FieldRules.isPresent) == true,
            MyCRMMapping.module(for: contact) != module
        {
            problems.append(
                FieldError(
                    field: "ContactType",
                    message:
                        "a MyCRM \(module.rawValue) record cannot become \(contact.contactType ?? ""): the webservice moves no record between Leads and Contacts"
                ))
        }
        try refuse(problems, .revise)
        if let expected = change.expectedSourceModification {
            try await checkUnchanged(change.remoteID, module: module, since: expected)
        }
        var element = MyCRMMapping.changedElement(from: contact, fields: change.fields, module: module)
        element["id"] = .string(change.remoteID)
        let result = try await call(.revise, [("element", JSONValue.object(element).jsonText)])
        return try writeResult(result, module: module, operation: .revise)
    }

    /// Changes only the fields the contact has (`POST revise` with `id` and those fields): one
    /// call, and no overwrite of fields changed meanwhile at the vendor.
    ///
    /// - Parameters:
    ///   - contact: the contact.
    ///   - remoteID: the webservice id.
    /// - Throws: ``ConnectorError``.
    public func revise(_ contact: Contact, remoteID: String) async throws -> WriteResult {
        try await update(RecordChange(record: contact, fields: contact.presentFieldNames, remoteID: remoteID))
    }

    /// Deletes a Lead or Contact (`POST delete` with `id`). A record MyCRM no longer has
    /// (`RECORD_NOT_FOUND`) counts as deleted, so a repeated delete succeeds.
    ///
    /// - Throws: ``ConnectorError``; `.permission` when the user may not delete it.
    public func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        guard R.self == Contact.self else {
            throw ConnectorError.unsupported(.mycrm, "delete \(R.resource.rawValue) records", connectionID: client.connectionID)
        }
        _ = try await module(ofID: remoteID)
        do {
            _ = try await call(.delete, [("id", remoteID)])
        } catch let error as ConnectorError where error.kind == .notFound {
            return
        }
    }

    /// Fields a Leads or Contacts record does not have (the module is the one the contact's
    /// `ContactType` names), picklist values with no row, and, for an update, mandatory fields
    /// emptied. No request is sent.
    public func writeProblems<R: HubRecord>(_ record: R, fields: [String], operation: WriteOperation) -> [FieldError] {
        guard let capability = capabilities.write(R.resource) else {
            return [FieldError(field: R.resource.rawValue, message: "MyCRM cannot write \(R.resource.rawValue) records")]
        }
        let generic = capability.problems(fields: fields, operation: operation, vendor: vendor)
        guard operation != .delete, let contact = record as? Contact else { return generic }
        return generic + MyCRMVocabulary.problems(contact, fields: fields, module: MyCRMMapping.module(for: contact), operation: operation)
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

    /// Throws `.validation` carrying `problems`, when there are any.
    private func refuse(_ problems: [FieldError], _ operation: MyCRMOperation) throws {
        guard !problems.isEmpty else { return }
        throw ConnectorError(
            .validation, vendor: .mycrm, message: problems.map(\.message).joined(separator: "; "), fieldErrors: problems,
            connectionID: client.connectionID, operation: operation.operationName)
    }

    /// Reads the record and throws `.changedAtVendor` when its `modifiedtime` is after
    /// `expected` (compared in whole seconds, the vendor's precision).
    private func checkUnchanged(_ id: String, module: MyCRMModule, since expected: Date) async throws {
        let current = try await call(.retrieve, [("id", id)])
        guard let record = MyCRMRecord(json: current), let modified = record.timestamp("modifiedtime") else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "retrieve answered a record without modifiedtime",
                connectionID: client.connectionID, operation: MyCRMOperation.retrieve.operationName)
        }
        guard modified.timeIntervalSince1970 > expected.timeIntervalSince1970.rounded(.down) else { return }
        var error = ConnectorError(
            .changedAtVendor, vendor: .mycrm,
            message: "\(id) was changed at MyCRM at \(Timestamp.format(modified)), after the hub's copy (\(Timestamp.format(expected)))",
            connectionID: client.connectionID, operation: MyCRMOperation.revise.operationName)
        error.vendorRecord = try? MyCRMMapping.contact(from: record, module: module, connectionID: client.connectionID)
        throw error
    }

    private func writeResult(_ result: JSONValue, module: MyCRMModule, operation: MyCRMOperation) throws -> WriteResult {
        guard let record = MyCRMRecord(json: result), let id = record.id else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "\(operation.rawValue) answered a record without an id",
                connectionID: client.connectionID, operation: operation.operationName)
        }
        let mapped = try? MyCRMMapping.contact(from: record, module: module, connectionID: client.connectionID)
        return WriteResult(remoteID: id, raw: result, record: mapped)
    }
}
