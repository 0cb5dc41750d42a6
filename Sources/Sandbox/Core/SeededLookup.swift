/// A lookup index over values of the seeded records of a ``DerivedCollection`` (an email, a
/// phone number): for each seeded key, 32-bit hashes of its values' normalised forms, kept
/// sorted, so the keys whose values may equal a wanted one are found by binary search instead
/// of deriving every record.
///
/// The index answers *candidates*, a superset of the matches: the caller checks each candidate
/// with the same predicate a scan applies (hashes collide; a record whose value the
/// normalisation cannot stand for is listed as ``irregular`` and always a candidate). Seeded
/// records never change (writes go to the overlay), so the index is built once, by deriving
/// each seeded record once; ``DerivedCollection/candidateKeys(seeded:)`` drops the keys the
/// overlay changed or deleted and adds the overlay's records.
struct SeededLookup: Sendable {
    /// The first seeded key.
    let firstKey: Int
    /// `(hash << 32) | position` for every (seeded position, value hash), ascending.
    private let entries: [UInt64]
    /// Seeded positions that are always candidates, ascending.
    private let irregular: [Int32]

    /// Builds the index of `count` seeded keys from `firstKey`.
    /// - Parameter hashes: appends the hashes of seeded record `key`'s values (see
    ///   ``hash(_:_:)``) and answers `true`, or answers `false` when the record must always be
    ///   checked (a value the normalisation cannot stand for).
    init(firstKey: Int, count: Int, hashes: (Int, inout [UInt32]) -> Bool) {
        self.firstKey = firstKey
        let count = max(0, min(count, Int(Int32.max)))
        var entries: [UInt64] = []
        entries.reserveCapacity(count)
        var irregular: [Int32] = []
        var scratch: [UInt32] = []
        for position in 0..<count {
            scratch.removeAll(keepingCapacity: true)
            if !hashes(firstKey + position, &scratch) { irregular.append(Int32(position)) }
            for hash in scratch { entries.append(UInt64(hash) << 32 | UInt64(UInt32(position))) }
        }
        entries.sort()
        self.entries = entries
        self.irregular = irregular
    }

    /// The index kept in `slot`, built there first when it is empty.
    static func cached(
        in slot: inout SeededLookup?, firstKey: Int, count: Int, hashes: (Int, inout [UInt32]) -> Bool
    ) -> SeededLookup {
        if let lookup = slot { return lookup }
        let lookup = SeededLookup(firstKey: firstKey, count: count, hashes: hashes)
        slot = lookup
        return lookup
    }

    /// The seeded keys whose values may hash to one of `hashes`, plus the irregular ones:
    /// ascending, without repeats. Changed and deleted keys are not removed here.
    func seededCandidates(_ hashes: [UInt32]) -> [Int] {
        var positions = Set(irregular.map(Int.init))
        for hash in Set(hashes) {
            let low = UInt64(hash) << 32
            var index = lowerBound(low)
            while index < entries.count, entries[index] >> 32 == UInt64(hash) {
                positions.insert(Int(entries[index] & 0xFFFF_FFFF))
                index += 1
            }
        }
        return positions.sorted().map { firstKey + $0 }
    }

    private func lowerBound(_ value: UInt64) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The 32-bit hash of a normalised value under a tag (a field name, a kind of key): equal
    /// (tag, value) pairs hash equal within the process (`Hasher`, consistent with `==`).
    static func hash(_ tag: String, _ value: some Hashable) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(tag)
        hasher.combine(value)
        let full = UInt64(bitPattern: Int64(hasher.finalize()))
        return UInt32(truncatingIfNeeded: full ^ (full >> 32))
    }
}

/// Seeded keys grouped by the values of a few fields (a location's city, community,
/// sub-community and tower), for filters that read only those fields (`filters[string]`, a
/// substring): the filter is evaluated once per group, on one record of it, instead of once
/// per record. Exact for the seeded records, as every record of a group has the same values.
struct SeededGroups<Signature: Hashable & Sendable>: Sendable {
    /// The first seeded key.
    let firstKey: Int
    /// The groups: one record's key standing for the group, and the seeded positions, ascending.
    let groups: [(representative: Int, positions: [Int32])]
    /// Seeded keys in all.
    let count: Int

    /// Groups `count` seeded keys from `firstKey` by `signature(key)`.
    init(firstKey: Int, count: Int, signature: (Int) -> Signature) {
        self.firstKey = firstKey
        let count = max(0, min(count, Int(Int32.max)))
        self.count = count
        var slots: [Signature: Int] = [:]
        var groups: [(representative: Int, positions: [Int32])] = []
        for position in 0..<count {
            let key = firstKey + position
            let value = signature(key)
            if let slot = slots[value] {
                groups[slot].positions.append(Int32(position))
            } else {
                slots[value] = groups.count
                groups.append((key, [Int32(position)]))
            }
        }
        self.groups = groups
    }

    /// The seeded positions of the groups whose representative satisfies `accepts`, as a bit set.
    func positions(where accepts: (Int) -> Bool) -> SeededKeySet {
        var set = SeededKeySet(count: count)
        for group in groups where accepts(group.representative) {
            for position in group.positions { set.insert(Int(position)) }
        }
        return set
    }
}
