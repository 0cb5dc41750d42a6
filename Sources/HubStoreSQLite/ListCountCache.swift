import Foundation
import Synchronization

/// The totals of list queries (`SELECT COUNT(*)` over a resource, which reads every matching
/// index entry: ~13 ms at 100,000 records) kept between writes.
///
/// Every write transaction of this store clears the cache, so a process sees its own writes at
/// once. Writes by another process sharing the data folder (a `realtyhub sync` beside a
/// `realtyhub serve`) are not seen by this cache, so an entry also expires after one second:
/// a list's `count` may then lag such a write by up to a second. The records of a page are
/// always read fresh.
final class ListCountCache: Sendable {
    private struct Entry {
        var count: Int
        var epoch: UInt64
        var at: ContinuousClock.Instant
    }

    private let epoch = Atomic<UInt64>(0)
    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration = .seconds(1)
    private let capacity = 2_000

    /// The current write epoch; read it before counting.
    var current: UInt64 { epoch.load(ordering: .acquiring) }

    /// Forgets every count (called after each write transaction).
    func invalidate() {
        epoch.add(1, ordering: .releasing)
    }

    /// The cached count of `key`, when it was counted in the current epoch less than a
    /// second ago.
    func count(_ key: String, epoch: UInt64) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.epoch == epoch, ContinuousClock.now - entry.at < lifetime else { return nil }
            return entry.count
        }
    }

    /// Remembers a count made in `epoch`.
    func store(_ key: String, count: Int, epoch: UInt64) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(count: count, epoch: epoch, at: .now)
        }
    }
}
