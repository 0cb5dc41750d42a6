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

    /// The records of one entity module: seeded records derived on demand plus the changes.
    struct ModuleRecords: Sendable {
        var records: DerivedCollection<MyCRMRecord>
        /// `modifiedAt` and owner of an untouched seeded record, without producing it.
        let facts: @Sendable (Int) -> (modifiedAt: Int, owner: String)
        /// The `select *` row of seeded record `number` written from its seed (no record, no
        /// tree): the text the record's rendering gives; `nil` renders the record.
        var seededRow: (@Sendable (Int) -> String)? = nil
        /// Renderings of pristine seeded records (all fields, `describe` order).
        let renderings = SeedTextCache()
        /// The seeded records by `modifiedAt`, built on the first `sync`.
        var byModified: SeededIndex<Int>?
        /// The seeded records' ``MyCRMRecordStore/lookupColumns`` values, built on the first
        /// lookup (`where email = …`).
        var lookup: SeededLookup?
    }

    /// The columns a lookup index answers `where <column> = …` for: what the connector's
    /// lookup before a create asks (email, then the phone fields).
    static let lookupColumns = ["email", "phone", "mobile", "homephone"]

    /// The records of `module` and the keys a `where` condition can match (a superset, in
    /// record-number order), read from the module's lookup index, which is built on first use
    /// by deriving every seeded record once; `nil` when the condition is not one the index
    /// answers (see ``VTQLEvaluator/lookupHashes(_:columns:idFields:)``).
    func lookupCandidates(
        of module: MyCRMModule, condition: VTQLCondition
    ) -> (records: DerivedCollection<MyCRMRecord>, keys: [Int])? {
        let columns = Self.lookupColumns.filter(module.fieldNames.contains)
        let idFields = Set(module.fields.filter(\.holdsIDs).map(\.name))
        guard let hashes = VTQLEvaluator.lookupHashes(condition, columns: Set(columns), idFields: idFields) else {
            return nil
        }
        return state.withLock { state in
            guard var entry = state.modules[module.name] else { return nil }
            let records = entry.records
            let built = entry.lookup == nil
            let lookup = SeededLookup.cached(in: &entry.lookup, firstKey: records.firstKey, count: records.seededCount) {
                key, hashes in
                guard let fields = records.original(key)?.fields else { return true }
                for column in columns {
                    guard let more = VTQLEvaluator.valueHashes(column, fields[column] ?? "") else { return false }
                    hashes += more
                }
                return true
            }
            if built { state.modules[module.name] = entry }
            return (records, records.candidateKeys(seeded: lookup.seededCandidates(hashes)))
        }
    }

    private struct State {
        var modules: [String: ModuleRecords] = [:]
        /// Deleted records (kept for `sync`), by webservice id.
        var tombstones: [String: MyCRMRecord] = [:]
        var users: [String: User] = [:]
        var nextNumber = 1
        var nextUserNumber = 1
    }

    private let state = Mutex(State())

    init() {}

    /// Installs the seeded records of an entity module: record numbers
    /// `firstNumber ..< firstNumber + count`, produced by `derive(number)` when read.
    /// - Parameter facts: `modifiedAt` and `assigned_user_id` of seeded record `number`,
    ///   computed without producing it (equal to the derived record's).
    func seed(
        module: MyCRMModule, firstNumber: Int, count: Int,
        derive: @escaping @Sendable (Int) -> MyCRMRecord,
        row: (@Sendable (Int) -> String)? = nil,
        facts: @escaping @Sendable (Int) -> (modifiedAt: Int, owner: String)
    ) {
        state.withLock { state in
            state.modules[module.name] = ModuleRecords(
                records: DerivedCollection(firstKey: firstNumber, count: count, derive: derive), facts: facts, seededRow: row)
            state.nextNumber = max(state.nextNumber, firstNumber + max(0, count))
        }
    }

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

    /// The module and record number of a webservice id `NNxMMM`.
    private static func locate(_ id: String) -> (module: String, number: Int)? {
        let parts = id.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[0]), let number = Int(parts[1]),
            let module = MyCRMModule.withPrefix(prefix)
        else { return nil }
        return (module.name, number)
    }

    private static func live(_ id: String, in state: State) -> MyCRMRecord? {
        guard let (module, number) = locate(id), let record = state.modules[module]?.records.record(number),
            record.id == id
        else { return nil }
        return record
    }

    /// A live (not deleted) record of an entity module or a user, by webservice id.
    func live(_ id: String) -> MyCRMRecord? {
        state.withLock { state in
            if let user = state.users[id] { return user.record }
            return Self.live(id, in: state)
        }
    }

    /// Live records of `module`, by record number (materialised: for control reads).
    func liveRecords(of module: String) -> [MyCRMRecord] {
        if module == MyCRMModule.users.name {
            return state.withLock { state in state.users.values.map(\.record).sorted { $0.number < $1.number } }
        }
        return records(of: module)?.all() ?? []
    }

    /// The live records of an entity module as they are now, in record-number order; reading
    /// them later does not hold the store's lock.
    func records(of module: String) -> DerivedCollection<MyCRMRecord>? {
        state.withLock { $0.modules[module]?.records }
    }

    /// Ids of deleted records of `module`, by record number.
    func deletedIDs(of module: String) -> [String] {
        state.withLock { state in
            state.tombstones.values.filter { $0.module == module }.sorted { $0.number < $1.number }.map(\.id)
        }
    }

    /// The `count` live records of `module` changed longest ago, by (`modifiedAt`, number).
    func leastRecentlyModified(of module: String, count: Int) -> [MyCRMRecord] {
        state.withLock { state in
            guard let entry = state.modules[module], count > 0 else { return [] }
            var window: [(modifiedAt: Int, number: Int)] = []
            entry.records.forEachKey { number, stored in
                let modifiedAt = stored?.modifiedAt ?? entry.facts(number).modifiedAt
                Self.keepSmallest((modifiedAt, number), in: &window, capacity: count)
                return true
            }
            return window.compactMap { entry.records.record($0.number) }
        }
    }

    /// The last `count` live records of `module` in record-number order.
    func lastRecords(of module: String, count: Int) -> [MyCRMRecord] {
        guard let records = records(of: module), count > 0 else { return [] }
        let take = min(count, records.count)
        return records.page(offset: records.count - take, limit: take)
    }

    /// Inserts `item` into an ascending window holding at most `capacity` smallest items.
    private static func keepSmallest(
        _ item: (modifiedAt: Int, number: Int), in window: inout [(modifiedAt: Int, number: Int)], capacity: Int
    ) {
        func precedes(_ lhs: (modifiedAt: Int, number: Int), _ rhs: (modifiedAt: Int, number: Int)) -> Bool {
            lhs.modifiedAt != rhs.modifiedAt ? lhs.modifiedAt < rhs.modifiedAt : lhs.number < rhs.number
        }
        window.insertKeepingSmallest(item, capacity: capacity, by: precedes)
    }

    /// The vendor's `sync` over `modules`: the first `limit` changes after `after` (unix seconds)
    /// in `modifiedtime` order, widened to every change sharing the last one's second (so a page
    /// never splits a second and nothing is skipped), then whether changes remain.
    ///
    /// Untouched seeded records are ordered by their derived times without being produced; only
    /// the page's records are.
    /// - Parameters:
    ///   - after: exclusive lower bound, unix seconds.
    ///   - modules: entity modules to include.
    ///   - owner: when set, only records assigned to this user id (the vendor's user sync).
    ///   - limit: changes per page before widening (100).
    func sync(after: Int, modules: Set<String>, owner: String?, limit: Int = 100) -> SyncPage {
        let limit = max(1, limit)
        return state.withLock { state in
            // Per module, the changes after `after` in (modifiedAt, number) order: the first
            // `limit` and every change sharing the last one's second (the page can end no
            // later), and whether more follow. Seeded records come from the module's index,
            // changed and inserted ones from the overlay, deleted ones from the tombstones.
            var candidates: [(modifiedAt: Int, number: Int, record: MyCRMRecord?, module: String)] = []
            var more = false
            for module in modules.sorted() {
                guard var entry = state.modules[module] else { continue }
                let (facts, firstKey, count) = (entry.facts, entry.records.firstKey, entry.records.seededCount)
                let built = entry.byModified == nil
                let index = SeededIndex.cached(in: &entry.byModified, firstKey: firstKey, count: count) { facts($0).modifiedAt }
                if built { state.modules[module] = entry }
                var stored: [(modifiedAt: Int, number: Int, record: MyCRMRecord)] = []
                entry.records.forEachStored { number, record in
                    guard record.modifiedAt > after, owner == nil || record.fields["assigned_user_id"] == owner else { return }
                    stored.append((record.modifiedAt, number, record))
                }
                stored.sort { ($0.modifiedAt, $0.number) < ($1.modifiedAt, $1.number) }
                let touched = entry.records.touchedSeededKeys()
                var taken: [(modifiedAt: Int, number: Int, record: MyCRMRecord?, module: String)] = []
                var next = 0
                var cursor = index.lowerBound(after, orEqual: false)
                // Takes the next change in order, or `nil` when none is left.
                func following() -> (modifiedAt: Int, number: Int, record: MyCRMRecord?)? {
                    while cursor < index.count {
                        let position = Int(index.order[cursor])
                        let number = index.firstKey + position
                        let modifiedAt = index.values[position]
                        if touched.contains(position) || (owner != nil && entry.facts(number).owner != owner) {
                            cursor += 1
                            continue
                        }
                        if next < stored.count, (stored[next].modifiedAt, stored[next].number) < (modifiedAt, number) {
                            next += 1
                            return (stored[next - 1].modifiedAt, stored[next - 1].number, stored[next - 1].record)
                        }
                        cursor += 1
                        return (modifiedAt, number, nil)
                    }
                    guard next < stored.count else { return nil }
                    next += 1
                    return (stored[next - 1].modifiedAt, stored[next - 1].number, stored[next - 1].record)
                }
                while let change = following() {
                    if taken.count >= limit, let last = taken.last, change.modifiedAt > last.modifiedAt {
                        more = true
                        break
                    }
                    taken.append((change.modifiedAt, change.number, change.record, module))
                }
                candidates += taken
            }
            for record in state.tombstones.values where modules.contains(record.module) {
                guard record.modifiedAt > after, owner == nil || record.fields["assigned_user_id"] == owner else { continue }
                candidates.append((record.modifiedAt, record.number, record, record.module))
            }
            candidates.sort { ($0.modifiedAt, $0.number) < ($1.modifiedAt, $1.number) }
            guard !candidates.isEmpty else {
                return SyncPage(updated: [], deleted: [], lastModifiedTime: after, more: false)
            }
            let upTo = candidates[min(limit, candidates.count) - 1].modifiedAt
            var page: [MyCRMRecord] = []
            for candidate in candidates {
                guard candidate.modifiedAt <= upTo else {
                    more = true
                    break
                }
                if let record = candidate.record ?? state.modules[candidate.module]?.records.record(candidate.number) {
                    page.append(record)
                }
            }
            return SyncPage(
                updated: page.filter { !$0.deleted },
                deleted: page.filter(\.deleted).map(\.id),
                lastModifiedTime: upTo,
                more: more
            )
        }
    }

    /// The JSON texts of the live records of an entity module at `offset ..< offset + count` of
    /// record-number order (descending when asked), every field in `describe` order: what
    /// `select * from <Module> [order by id] limit offset, count;` answers per row. Pristine
    /// seeded records are written from their seed (``ModuleRecords/seededRow``) once and kept.
    /// `nil` for a module without records here.
    /// - Parameter fromSeed: `false` renders pristine records from their tree too (for tests
    ///   comparing the two).
    func rowTexts(of module: MyCRMModule, offset: Int, count: Int, descending: Bool, fromSeed: Bool = true) -> [String]? {
        guard let entry = state.withLock({ $0.modules[module.name] }) else { return nil }
        let records = entry.records
        let (sum, overflow) = offset.addingReportingOverflow(count)
        let end = min(records.count, overflow ? Int.max : sum)
        guard offset < end else { return [] }
        let columns = module.fieldNames
        func render(_ record: MyCRMRecord) -> String {
            MyCRMWire.text(record.json(in: module), columns: columns)
        }
        var texts: [String] = []
        texts.reserveCapacity(end - offset)
        for position in offset..<end {
            guard let number = records.key(at: descending ? records.count - 1 - position : position) else { continue }
            if fromSeed, records.isPristine(number) {
                texts.append(
                    entry.renderings.text(number) { entry.seededRow?(number) ?? records.record(number).map(render) ?? "null" })
            } else if let record = records.record(number) {
                texts.append(render(record))
            }
        }
        return texts
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
            Self.put(record, in: &state)
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
            guard var record = Self.live(id, in: state) else { return nil }
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
            Self.put(record, in: &state)
            return record
        }
    }

    /// Marks a live record deleted at `seconds`; `false` if there is no live record `id`.
    func markDeleted(_ id: String, at seconds: Int) -> Bool {
        state.withLock { state in
            guard var record = Self.live(id, in: state) else { return false }
            state.modules[record.module]?.records.remove(record.number)
            record.deleted = true
            record.modifiedAt = max(seconds, record.modifiedAt)
            record.fields["modifiedtime"] = MyCRMRecord.timestamp(record.modifiedAt)
            state.tombstones[id] = record
            return true
        }
    }

    /// Stores a record exactly as given (control inserts): keeps its number, times and fields.
    func restore(_ record: MyCRMRecord) {
        state.withLock { state in
            Self.put(record, in: &state)
            state.nextNumber = max(state.nextNumber, record.number + 1)
        }
    }

    /// Stores `record` over the live record with its number, or as a new one.
    private static func put(_ record: MyCRMRecord, in state: inout State) {
        if state.modules[record.module] == nil {
            state.modules[record.module] = ModuleRecords(
                records: DerivedCollection(firstKey: 1, count: 0) { _ in record },
                facts: { _ in (record.modifiedAt, "") })
        }
        if state.modules[record.module]?.records.update(record.number, to: record) != true {
            state.modules[record.module]?.records.insert(record.number, record)
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
