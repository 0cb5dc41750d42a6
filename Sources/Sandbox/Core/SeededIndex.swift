import Synchronization

/// An index over one integer fact of the seeded records of a ``DerivedCollection`` (a time in
/// seconds, say): the fact of every seeded key, and the seeded keys in (fact, key) order.
///
/// Seeded records never change (a write goes to the collection's overlay), so the index is
/// built once, by computing the fact of each seeded key, and stays valid; readers skip the
/// keys the overlay changed or deleted (``DerivedCollection/touchedSeededKeys()``) and merge
/// in the overlay's records themselves.
struct SeededIndex<Value: Comparable & Sendable>: Sendable {
    /// The first seeded key.
    let firstKey: Int
    /// The fact of seeded key `firstKey + position`, by position.
    let values: [Value]
    /// Seeded positions ordered by (fact, key).
    let order: [Int32]

    /// Builds the index of `count` seeded keys from `firstKey`, computing each fact once.
    init(firstKey: Int, count: Int, fact: (Int) -> Value) {
        self.firstKey = firstKey
        let count = max(0, min(count, Int(Int32.max)))
        var values: [Value] = []
        values.reserveCapacity(count)
        for position in 0..<count { values.append(fact(firstKey + position)) }
        var order = (0..<count).map { Int32($0) }
        order.sort { values[Int($0)] != values[Int($1)] ? values[Int($0)] < values[Int($1)] : $0 < $1 }
        self.values = values
        self.order = order
    }

    var count: Int { values.count }

    /// The index kept in `slot`, built there first when it is empty.
    static func cached(
        in slot: inout SeededIndex?, firstKey: Int, count: Int, fact: (Int) -> Value
    ) -> SeededIndex {
        if let index = slot { return index }
        let index = SeededIndex(firstKey: firstKey, count: count, fact: fact)
        slot = index
        return index
    }

    /// The fact of seeded key `key`, `nil` outside the seeded range.
    func value(of key: Int) -> Value? {
        let position = key - firstKey
        return position >= 0 && position < values.count ? values[position] : nil
    }

    /// The first index into ``order`` whose fact is not below `value` (`orEqual` false: above it).
    func lowerBound(_ value: Value, orEqual: Bool = true) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let middle = (low + high) / 2
            let fact = values[Int(order[middle])]
            if orEqual ? fact < value : fact <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Renderings of seeded records, by key: a seeded record is a pure function of its key, so its
/// rendering (for one fixed way of rendering it) can be kept and served again until the key is
/// changed, which the caller checks with ``DerivedCollection/isPristine(_:)`` before asking.
///
/// Bounded: every cache of the process shares ``budget`` bytes; once they hold it, further
/// renderings are made but not kept.
final class SeedTextCache: Sendable {
    private struct Slots {
        var texts: [Int: String] = [:]
        var bytes = 0
    }

    /// Bytes of renderings kept by every cache of the process together.
    static let budget = 256 * 1024 * 1024
    private static let held = Atomic<Int>(0)
    private let slots = Mutex(Slots())

    init() {}

    deinit {
        let bytes = slots.withLock { $0.bytes }
        Self.held.subtract(bytes, ordering: .relaxed)
    }

    /// The rendering of pristine seeded record `key`: the kept one, or `make()` (kept while the
    /// budget allows).
    func text(_ key: Int, make: () -> String) -> String {
        if let text = slots.withLock({ $0.texts[key] }) { return text }
        let text = make()
        let size = text.utf8.count
        guard Self.held.add(size, ordering: .relaxed).newValue <= Self.budget else {
            Self.held.subtract(size, ordering: .relaxed)
            return text
        }
        let kept = slots.withLock { slots in
            guard slots.texts[key] == nil else { return false }
            slots.texts[key] = text
            slots.bytes += size
            return true
        }
        if !kept { Self.held.subtract(size, ordering: .relaxed) }
        return text
    }
}
