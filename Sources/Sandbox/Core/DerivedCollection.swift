extension SeededGenerator {
    /// Creates the generator of one record: a pure function of the run seed, a label and the
    /// record's index, so record `index` can be produced without producing the ones before it.
    /// - Parameters:
    ///   - seed: the run seed.
    ///   - stream: a label, e.g. `"pf-expert/leads"`.
    ///   - index: the record's index within the stream.
    public init(seed: UInt64, stream: String, index: Int) {
        var mixer = SeededGenerator(seed: seed, stream: stream)
        var scrambled = SeededGenerator(seed: mixer.next() ^ UInt64(bitPattern: Int64(index)))
        self.init(seed: scrambled.next())
    }
}

/// The records of one resource: a seeded part derived on demand from the record's key, plus an
/// overlay of changes (modified records, deleted keys, inserted records).
///
/// The seeded part costs no memory: record `key` of `firstKey ..< firstKey + seededCount` is
/// produced by `derive(key)` each time it is read, unless it was modified or deleted. Only the
/// overlay is stored, so a run with a million records holds only what was changed.
///
/// Keys are integers in ascending order: seeded keys are contiguous, inserted keys are expected
/// above them (any key not in the seeded range is accepted and kept in order). Every method is
/// cheap in the overlay's size; only ``forEach(descending:_:)`` and ``select(where:by:offset:limit:)``
/// visit every record, one at a time.
public struct DerivedCollection<Record> {
    /// The first seeded key.
    public let firstKey: Int
    /// How many keys were seeded.
    public let seededCount: Int
    private let derive: @Sendable (Int) -> Record
    /// Seeded records changed since the start, by key.
    private var modified: [Int: Record] = [:]
    /// Seeded keys deleted since the start, in ascending order.
    private var deleted: [Int] = []
    /// Records outside the seeded range, by key.
    private var inserted: [Int: Record] = [:]
    /// Keys of `inserted`, in ascending order.
    private var insertedKeys: [Int] = []

    /// Creates a collection whose seeded records are `derive(firstKey) … derive(firstKey + count - 1)`.
    public init(firstKey: Int = 1, count: Int, derive: @escaping @Sendable (Int) -> Record) {
        self.firstKey = firstKey
        self.seededCount = max(0, count)
        self.derive = derive
    }

    /// The number of live records.
    public var count: Int { seededCount - deleted.count + insertedKeys.count }

    /// Whether `key` is in the seeded range (deleted or not).
    public func isSeeded(_ key: Int) -> Bool {
        key >= firstKey && key - firstKey < seededCount
    }

    /// The largest key ever used (seeded or inserted), or `firstKey - 1` when none.
    public var lastKey: Int {
        max(firstKey + seededCount - 1, insertedKeys.last ?? Int.min)
    }

    /// The live record with `key`, or `nil`.
    public func record(_ key: Int) -> Record? {
        if isSeeded(key) {
            if Self.position(of: key, in: deleted).found { return nil }
            return modified[key] ?? derive(key)
        }
        return inserted[key]
    }

    /// Whether a live record has `key`.
    public func contains(_ key: Int) -> Bool {
        isSeeded(key) ? !Self.position(of: key, in: deleted).found : inserted[key] != nil
    }

    /// The seeded record with `key` as first produced, ignoring the overlay.
    public func original(_ key: Int) -> Record? {
        isSeeded(key) ? derive(key) : nil
    }

    /// The key of the live record at `position` in ascending key order, or `nil` out of range.
    public func key(at position: Int) -> Int? {
        guard position >= 0, position < count else { return nil }
        let liveSeeded = seededCount - deleted.count
        if position >= liveSeeded { return insertedKeys[position - liveSeeded] }
        // The smallest key with `position` live seeded keys before it.
        var candidate = firstKey + position
        while true {
            let skipped = Self.position(of: candidate + 1, in: deleted).index
            let next = firstKey + position + skipped
            if next == candidate { return candidate }
            candidate = next
        }
    }

    /// Live records at `offset ..< offset + limit` of key order (descending when asked).
    public func page(offset: Int, limit: Int, descending: Bool = false) -> [Record] {
        guard offset >= 0, limit > 0, offset < count else { return [] }
        let end = offset + min(limit, count - offset)
        var out: [Record] = []
        out.reserveCapacity(end - offset)
        for position in offset..<end {
            let ascending = descending ? count - 1 - position : position
            if let key = key(at: ascending), let record = record(key) { out.append(record) }
        }
        return out
    }

    /// Visits every live record in key order, one at a time; stops when `body` returns `false`.
    public func forEach(descending: Bool = false, _ body: (Int, Record) throws -> Bool) rethrows {
        let seededKeys = firstKey..<(firstKey + seededCount)
        if descending {
            for key in insertedKeys.reversed() {
                if let record = inserted[key], try !body(key, record) { return }
            }
            var deletedIndex = deleted.count - 1
            for key in seededKeys.reversed() {
                if deletedIndex >= 0, deleted[deletedIndex] == key {
                    deletedIndex -= 1
                    continue
                }
                if try !body(key, modified[key] ?? derive(key)) { return }
            }
        } else {
            var deletedIndex = 0
            for key in seededKeys {
                if deletedIndex < deleted.count, deleted[deletedIndex] == key {
                    deletedIndex += 1
                    continue
                }
                if try !body(key, modified[key] ?? derive(key)) { return }
            }
            for key in insertedKeys {
                if let record = inserted[key], try !body(key, record) { return }
            }
        }
    }

    /// Visits every live key in ascending order with its stored record when it has one (a
    /// changed or inserted record), `nil` for a seeded record never changed, so a caller can read
    /// cheap derived facts of untouched records without producing them. Stops when `body` is `false`.
    public func forEachKey(_ body: (Int, Record?) throws -> Bool) rethrows {
        var deletedIndex = 0
        for key in firstKey..<(firstKey + seededCount) {
            if deletedIndex < deleted.count, deleted[deletedIndex] == key {
                deletedIndex += 1
                continue
            }
            if try !body(key, modified[key]) { return }
        }
        for key in insertedKeys {
            if let record = inserted[key], try !body(key, record) { return }
        }
    }

    /// Every live record in key order (materialised: for small collections and control reads).
    public func all() -> [Record] {
        var out: [Record] = []
        forEach { _, record in
            out.append(record)
            return true
        }
        return out
    }

    /// The live records matching `predicate`, ordered by `areInIncreasingOrder` (key order when
    /// `nil`), counted exactly, and the window `offset ..< offset + limit` of them.
    ///
    /// Scans the records one at a time and keeps only the window's candidates, never every match.
    public func select(
        where predicate: (Record) -> Bool,
        by areInIncreasingOrder: ((Record, Record) -> Bool)? = nil,
        descending: Bool = false,
        offset: Int,
        limit: Int
    ) -> (count: Int, page: [Record]) {
        Self.select(
            where: predicate, by: areInIncreasingOrder, descending: descending, offset: offset, limit: limit
        ) { descending, body in forEach(descending: descending, body) }
    }

    /// ``select(where:by:descending:offset:limit:)`` over the live records of `keys` only
    /// (ascending, without repeats): the same answer as the scan when every record that
    /// satisfies `predicate` is among them (see ``candidateKeys(seeded:)``).
    public func select(
        keys: [Int],
        where predicate: (Record) -> Bool,
        by areInIncreasingOrder: ((Record, Record) -> Bool)? = nil,
        descending: Bool = false,
        offset: Int,
        limit: Int
    ) -> (count: Int, page: [Record]) {
        Self.select(
            where: predicate, by: areInIncreasingOrder, descending: descending, offset: offset, limit: limit
        ) { descending, body in
            for key in descending ? Array(keys.reversed()) : keys {
                if let record = record(key), !body(key, record) { return }
            }
        }
    }

    /// The live keys a lookup must check: the pristine ones among `seeded` (seeded keys found
    /// in an index over the seeded records) and the key of every changed or inserted record,
    /// ascending, without repeats.
    public func candidateKeys(seeded: [Int]) -> [Int] {
        var keys = Set(seeded.filter(isPristine))
        forEachStored { key, _ in keys.insert(key) }
        return keys.sorted()
    }

    private static func select(
        where predicate: (Record) -> Bool,
        by areInIncreasingOrder: ((Record, Record) -> Bool)?,
        descending: Bool,
        offset: Int,
        limit: Int,
        visit: (Bool, (Int, Record) -> Bool) -> Void
    ) -> (count: Int, page: [Record]) {
        // `visit` runs the closures below at once, never later.
        withoutActuallyEscaping(predicate) { predicate in
            select(
                where: predicate, by: areInIncreasingOrder, descending: descending, offset: offset, limit: limit,
                escapingVisit: visit)
        }
    }

    private static func select(
        where predicate: @escaping (Record) -> Bool,
        by areInIncreasingOrder: ((Record, Record) -> Bool)?,
        descending: Bool,
        offset: Int,
        limit: Int,
        escapingVisit visit: (Bool, (Int, Record) -> Bool) -> Void
    ) -> (count: Int, page: [Record]) {
        let offset = max(0, offset)
        let limit = max(0, limit)
        var matched = 0
        guard let areInIncreasingOrder else {
            var page: [Record] = []
            visit(descending) { _, record in
                guard predicate(record) else { return true }
                if matched >= offset, matched - offset < limit { page.append(record) }
                matched += 1
                return true
            }
            return (matched, page)
        }
        let (capacity, overflow) = offset.addingReportingOverflow(limit)
        let keep = overflow ? Int.max : capacity
        var window: [Record] = []
        visit(false) { _, record in
            guard predicate(record) else { return true }
            matched += 1
            guard keep > 0 else { return true }
            window.insertKeepingSmallest(record, capacity: keep, by: areInIncreasingOrder)
            return true
        }
        guard offset < window.count else { return (matched, []) }
        return (matched, Array(window[offset..<min(window.count, offset + limit)]))
    }

    /// Whether `key` is a seeded record never changed nor deleted: its record is `derive(key)`,
    /// so what is computed from it (a rendering, an index entry) stays valid until a write.
    public func isPristine(_ key: Int) -> Bool {
        isSeeded(key) && modified[key] == nil && !Self.position(of: key, in: deleted).found
    }

    /// Whether nothing was changed, deleted or inserted since the seed.
    public var isUnchanged: Bool { modified.isEmpty && deleted.isEmpty && insertedKeys.isEmpty }

    /// One bit per seeded key (`key - firstKey`), set for the keys changed or deleted: what an
    /// index over the seeded records must skip. Costs one pass over the overlay, not the records.
    public func touchedSeededKeys() -> SeededKeySet {
        var set = SeededKeySet(count: seededCount)
        for key in modified.keys where isSeeded(key) { set.insert(key - firstKey) }
        for key in deleted where isSeeded(key) { set.insert(key - firstKey) }
        return set
    }

    /// Visits the stored records (changed seeded ones and inserted ones), live only, in no
    /// particular order.
    public func forEachStored(_ body: (Int, Record) throws -> Void) rethrows {
        for (key, record) in modified { try body(key, record) }
        for key in insertedKeys { if let record = inserted[key] { try body(key, record) } }
    }

    // MARK: Overlay

    /// Replaces the live record `key`; `false` when there is none.
    @discardableResult
    public mutating func update(_ key: Int, to record: Record) -> Bool {
        if isSeeded(key) {
            guard !Self.position(of: key, in: deleted).found else { return false }
            modified[key] = record
            return true
        }
        guard inserted[key] != nil else { return false }
        inserted[key] = record
        return true
    }

    /// Adds a record under a key outside the seeded range; `false` when the key is taken.
    @discardableResult
    public mutating func insert(_ key: Int, _ record: Record) -> Bool {
        guard !isSeeded(key), inserted[key] == nil else { return false }
        inserted[key] = record
        let slot = Self.position(of: key, in: insertedKeys).index
        insertedKeys.insert(key, at: slot)
        return true
    }

    /// Deletes the live record `key`; returns it, or `nil` when there was none.
    @discardableResult
    public mutating func remove(_ key: Int) -> Record? {
        if isSeeded(key) {
            let (found, slot) = Self.position(of: key, in: deleted)
            guard !found else { return nil }
            let record = modified.removeValue(forKey: key) ?? derive(key)
            deleted.insert(key, at: slot)
            return record
        }
        guard let record = inserted.removeValue(forKey: key) else { return nil }
        let (found, slot) = Self.position(of: key, in: insertedKeys)
        if found { insertedKeys.remove(at: slot) }
        return record
    }

    /// Up to `count` distinct live keys chosen with `rng`, ascending.
    public func pickKeys(_ count: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        let live = self.count
        let wanted = min(max(0, count), live)
        var picked: Set<Int> = []
        if wanted * 2 > live {
            // Most of the collection: shuffle positions instead of rejecting repeats.
            var positions = Array(0..<live)
            positions.shuffle(using: &rng)
            for position in positions.prefix(wanted) { if let key = key(at: position) { picked.insert(key) } }
        } else {
            while picked.count < wanted {
                if let key = key(at: Int.random(in: 0..<live, using: &rng)) { picked.insert(key) }
            }
        }
        return picked.sorted()
    }

    /// Binary search in an ascending array: whether `key` is there, and the index of the first
    /// element not less than `key` (how many elements are below it).
    private static func position(of key: Int, in sorted: [Int]) -> (found: Bool, index: Int) {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < key { low = middle + 1 } else { high = middle }
        }
        return (low < sorted.count && sorted[low] == key, low)
    }
}

extension DerivedCollection: Sendable where Record: Sendable {}

/// A set of seeded positions (`key - firstKey`) as a bit array.
public struct SeededKeySet: Sendable {
    private var words: [UInt64]

    init(count: Int) {
        words = Array(repeating: 0, count: (max(0, count) + 63) / 64)
    }

    mutating func insert(_ position: Int) {
        guard position >= 0, position / 64 < words.count else { return }
        words[position / 64] |= 1 << UInt64(position % 64)
    }

    /// How many positions are in the set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Removes every position of `other`.
    mutating func subtract(_ other: SeededKeySet) {
        for index in 0..<min(words.count, other.words.count) { words[index] &= ~other.words[index] }
    }

    /// The positions in the set from the `skip`-th (0-based, ascending; descending when asked),
    /// at most `limit` of them.
    func positions(skipping skip: Int, limit: Int, descending: Bool = false) -> [Int] {
        var out: [Int] = []
        guard limit > 0 else { return out }
        var skip = max(0, skip)
        let indices = descending ? Array(words.indices.reversed()) : Array(words.indices)
        for index in indices {
            var word = words[index]
            let bits = word.nonzeroBitCount
            if bits <= skip {
                skip -= bits
                continue
            }
            while word != 0 {
                let bit = descending ? 63 - word.leadingZeroBitCount : word.trailingZeroBitCount
                word &= ~(1 << UInt64(bit))
                if skip > 0 {
                    skip -= 1
                    continue
                }
                out.append(index * 64 + bit)
                if out.count == limit { return out }
            }
        }
        return out
    }

    /// Whether `position` is in the set.
    public func contains(_ position: Int) -> Bool {
        guard position >= 0, position / 64 < words.count else { return false }
        return words[position / 64] & (1 << UInt64(position % 64)) != 0
    }
}
