import Foundation
import Synchronization

/// Thread-safe store of the emulator's Leads, Contacts and Users, with the vendor's write rules.
///
/// Record numbers come from one counter shared by every entity module, as vtiger's
/// `vtiger_crmentity` sequence is; users are numbered separately.
final class MyCRMRecordStore: Sendable {
    /// A stored user: its public record plus its access key (never returned by the webservice).
    struct User: Sendable {
        var record: MyCRMRecord
        var accessKey: String
        var userName: String { record.fields["user_name"] ?? "" }
        var isActive: Bool { record.fields["status"] == "Active" }
        var isAdmin: Bool { record.fields["is_admin"] == "on" }
    }

    /// One `sync` answer.
    struct SyncPage: Sendable {
        var updated: [MyCRMRecord]
        var deleted: [String]
        var lastModifiedTime: Int
        var more: Bool
    }

    private struct State {
        var records: [String: MyCRMRecord] = [:]
        var users: [String: User] = [:]
        var nextNumber = 1
        var nextUserNumber = 1
    }

    private let state = Mutex(State())

    init() {}

    // MARK: Users

    /// Adds a user; returns its webservice id.
    @discardableResult
    func addUser(fields: [String: String], accessKey: String, createdAt: Int) -> String {
        state.withLock { state in
            let number = state.nextUserNumber
            state.nextUserNumber += 1
            var values = Dictionary(uniqueKeysWithValues: MyCRMModule.users.fieldNames.map { ($0, "") })
            for (name, value) in fields where values[name] != nil { values[name] = value }
            let id = MyCRMModule.users.id(number)
            values["id"] = id
            values["createdtime"] = MyCRMRecord.timestamp(createdAt)
            values["modifiedtime"] = MyCRMRecord.timestamp(createdAt)
            let record = MyCRMRecord(module: "Users", number: number, fields: values, modifiedAt: createdAt)
            state.users[id] = User(record: record, accessKey: accessKey)
            return id
        }
    }

    /// The user with `userName` (case-sensitive, as the vendor's lookup).
    func user(named userName: String) -> User? {
        state.withLock { state in state.users.values.first { $0.userName == userName } }
    }

    /// The user with webservice id `id`.
    func user(id: String) -> User? {
        state.withLock { $0.users[id] }
    }

    /// Every user, by number.
    func users() -> [User] {
        state.withLock { state in state.users.values.sorted { $0.record.number < $1.record.number } }
    }

    // MARK: Reading

    /// A live (not deleted) record of an entity module or a user, by webservice id.
    func live(_ id: String) -> MyCRMRecord? {
        state.withLock { state in
            if let user = state.users[id] { return user.record }
            guard let record = state.records[id], !record.deleted else { return nil }
            return record
        }
    }

    /// Live records of `module`, by record number.
    func liveRecords(of module: String) -> [MyCRMRecord] {
        state.withLock { state in
            if module == MyCRMModule.users.name {
                return state.users.values.map(\.record).sorted { $0.number < $1.number }
            }
            return state.records.values.filter { $0.module == module && !$0.deleted }.sorted { $0.number < $1.number }
        }
    }

    /// Ids of deleted records of `module`, by record number.
    func deletedIDs(of module: String) -> [String] {
        state.withLock { state in
            state.records.values.filter { $0.module == module && $0.deleted }.sorted { $0.number < $1.number }.map(\.id)
        }
    }

    /// The vendor's `sync` over `modules`: the first `limit` changes after `after` (unix seconds)
    /// in `modifiedtime` order, widened to every change sharing the last one's second (so a page
    /// never splits a second and nothing is skipped), then whether changes remain.
    /// - Parameters:
    ///   - after: exclusive lower bound, unix seconds.
    ///   - modules: entity modules to include.
    ///   - owner: when set, only records assigned to this user id (the vendor's user sync).
    ///   - limit: changes per page before widening (100).
    func sync(after: Int, modules: Set<String>, owner: String?, limit: Int = 100) -> SyncPage {
        state.withLock { state in
            let changes = state.records.values.filter { record in
                modules.contains(record.module) && record.modifiedAt > after
                    && (owner == nil || record.fields["assigned_user_id"] == owner)
            }
            .sorted { ($0.modifiedAt, $0.number) < ($1.modifiedAt, $1.number) }
            guard let last = changes.prefix(limit).last else {
                return SyncPage(updated: [], deleted: [], lastModifiedTime: after, more: false)
            }
            let upTo = last.modifiedAt
            let page = changes.filter { $0.modifiedAt <= upTo }
            return SyncPage(
                updated: page.filter { !$0.deleted },
                deleted: page.filter(\.deleted).map(\.id),
                lastModifiedTime: upTo,
                more: changes.contains { $0.modifiedAt > upTo }
            )
        }
    }

    // MARK: Writing

    /// Stores a new record whose field values are already validated.
    /// - Parameters:
    ///   - module: an entity module.
    ///   - values: editable field values (others are ignored).
    ///   - by: the webservice id of the user writing (for `modifiedby`).
    ///   - at: creation time, unix seconds.
    /// - Returns: the stored record.
    func insert(module: MyCRMModule, values: [String: String], by userID: String, at seconds: Int) -> MyCRMRecord {
        state.withLock { state in
            let number = state.nextNumber
            state.nextNumber += 1
            var fields = Dictionary(uniqueKeysWithValues: module.fieldNames.map { ($0, "") })
            for field in module.editableFields { fields[field.name] = values[field.name] ?? "" }
            fields["id"] = module.id(number)
            fields["createdtime"] = MyCRMRecord.timestamp(seconds)
            fields["modifiedtime"] = MyCRMRecord.timestamp(seconds)
            fields["modifiedby"] = userID
            let record = MyCRMRecord(module: module.name, number: number, fields: fields, modifiedAt: seconds)
            state.records[record.id] = record
            return record
        }
    }

    /// Changes a live record.
    /// - Parameters:
    ///   - id: the record's webservice id.
    ///   - values: the new values of the fields to change.
    ///   - replaceAll: `true` for `update` (editable fields not in `values` become empty),
    ///     `false` for `revise` (only `values` change).
    ///   - module: the record's module.
    ///   - userID: the writer, for `modifiedby`.
    ///   - seconds: modification time.
    /// - Returns: the record after the change, `nil` if there is no live record `id`.
    func change(
        _ id: String, values: [String: String], replaceAll: Bool, module: MyCRMModule, by userID: String, at seconds: Int
    ) -> MyCRMRecord? {
        state.withLock { state in
            guard var record = state.records[id], !record.deleted else { return nil }
            for field in module.editableFields {
                if let value = values[field.name] {
                    record.fields[field.name] = value
                } else if replaceAll {
                    record.fields[field.name] = ""
                }
            }
            record.modifiedAt = max(seconds, record.modifiedAt)
            record.fields["modifiedtime"] = MyCRMRecord.timestamp(record.modifiedAt)
            record.fields["modifiedby"] = userID
            state.records[id] = record
            return record
        }
    }

    /// Marks a live record deleted at `seconds`; `false` if there is no live record `id`.
    func markDeleted(_ id: String, at seconds: Int) -> Bool {
        state.withLock { state in
            guard var record = state.records[id], !record.deleted else { return false }
            record.deleted = true
            record.modifiedAt = max(seconds, record.modifiedAt)
            record.fields["modifiedtime"] = MyCRMRecord.timestamp(record.modifiedAt)
            state.records[id] = record
            return true
        }
    }

    /// Stores a record exactly as given (seeding): keeps its number, times and fields.
    func restore(_ record: MyCRMRecord) {
        state.withLock { state in
            state.records[record.id] = record
            state.nextNumber = max(state.nextNumber, record.number + 1)
        }
    }

    /// Forgets every record and user (back to an empty store, numbering restarts).
    func removeAll() {
        state.withLock { $0 = State() }
    }

    /// Reserves the next record number (seeding).
    func reserveNumber() -> Int {
        state.withLock { state in
            defer { state.nextNumber += 1 }
            return state.nextNumber
        }
    }
}
