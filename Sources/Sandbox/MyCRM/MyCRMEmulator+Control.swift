import RealtyModel

/// Control operations (`POST /_sandbox/control`) on the MyCRM emulator.
///
/// Resources: `leads`, `contacts` (all operations) and `users` (`list` only); names are
/// case-insensitive, so the module names `Leads`/`Contacts`/`Users` work too. Control changes
/// stand for edits made inside the CRM by its own users: they move `modifiedtime` (so `sync` and
/// `where modifiedtime > …` see them) but are not vendor API writes, so they are not in the
/// write log.
extension MyCRMEmulator {
    /// Runs a control operation.
    /// - Parameter request: `mutate`, `insert`, `delete`, `list` or `reset`.
    /// - Returns: the ids touched; for `list`, the live records in the webservice's shape and, in
    ///   `info.deleted`, the ids of deleted records.
    /// - Throws: ``ControlError`` for an unknown resource or an operation it does not support.
    public func control(_ request: ControlRequest) async throws -> ControlResponse {
        switch request {
        case .reset:
            resetToSeed()
            return ControlResponse()
        case .list(let resource):
            let module = try controlModule(resource, allowUsers: true)
            let records = store.liveRecords(of: module.name)
            let deleted = store.deletedIDs(of: module.name)
            return ControlResponse(
                ids: records.map(\.id),
                records: records.map { $0.json(in: module) },
                info: .object(["deleted": .array(deleted.map(JSONValue.string))])
            )
        case .mutate(let resource, let count):
            let module = try controlModule(resource, allowUsers: false)
            let now = nowSeconds
            let chosen = store.leastRecentlyModified(of: module.name, count: max(count, 0))
            var ids: [String] = []
            for record in chosen {
                let note = "Edited in the CRM at \(MyCRMRecord.timestamp(now))."
                let owner = record.fields["assigned_user_id"] ?? ""
                if let changed = store.change(
                    record.id, values: ["description": note], replaceAll: false,
                    module: module, by: owner, at: now)
                {
                    ids.append(changed.id)
                }
            }
            return ControlResponse(ids: ids)
        case .insert(let resource, let count):
            let module = try controlModule(resource, allowUsers: false)
            let owners = store.users().filter(\.isActive).map(\.record.id)
            let seeder = MyCRMSeedData(records: 0, seed: settings.seed, now: nowSeconds)
            var ids: [String] = []
            for index in 0..<max(count, 0) {
                let number = store.reserveNumber()
                var record = withControlRNG { rng in
                    module.name == MyCRMModule.leads.name
                        ? seeder.lead(number: number, index: number + index, owners: owners, using: &rng)
                        : seeder.contact(number: number, index: number + index, owners: owners, using: &rng)
                }
                record.modifiedAt = nowSeconds
                record.fields["createdtime"] = MyCRMRecord.timestamp(record.modifiedAt)
                record.fields["modifiedtime"] = MyCRMRecord.timestamp(record.modifiedAt)
                store.restore(record)
                ids.append(record.id)
            }
            return ControlResponse(ids: ids)
        case .delete(let resource, let count):
            let module = try controlModule(resource, allowUsers: false)
            let now = nowSeconds
            let chosen = store.lastRecords(of: module.name, count: max(count, 0))
            return ControlResponse(ids: chosen.filter { store.markDeleted($0.id, at: now) }.map(\.id))
        case .custom:
            throw ControlError.unsupported(request)
        }
    }

    private func controlModule(_ resource: String, allowUsers: Bool) throws -> MyCRMModule {
        guard let module = MyCRMModule.all.first(where: { $0.name.lowercased() == resource.lowercased() }) else {
            throw ControlError.unknownResource(resource, known: ["leads", "contacts", "users"])
        }
        if module.name == MyCRMModule.users.name, !allowUsers {
            throw ControlError(.unsupportedOperation, "users are read-only in the MyCRM emulator; only list is supported")
        }
        return module
    }
}
