import Foundation
import GRDB
import Synchronization

/// The totals of list queries (`SELECT COUNT(*)` over a resource, which reads every matching
/// index entry: ~13 ms at 100,000 records) kept until something is written.
///
/// A count is reused only on the connection that made it, while that connection's
/// `PRAGMA data_version` is unchanged (SQLite changes it when any other connection, in this
/// process or another, commits: a `realtyhub sync` beside a `realtyhub serve` included) and no
/// write transaction of this store ran (which covers a single-connection store, whose own
/// writes leave `data_version` as it was). A count therefore always matches the snapshot its
/// page is read from. The first list after a write counts again, once per reader connection.
final class ListCountCache: Sendable {
    /// When a count was made: on which connection, at which data version, in which write epoch.
    struct Version: Hashable {
        var connection: UInt
        var dataVersion: Int64
        var epoch: UInt64

        /// The version of `db`'s current read.
        init(_ db: Database, epoch: UInt64) throws {
            connection = UInt(bitPattern: db.sqliteConnection)
            dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
            self.epoch = epoch
        }
    }

    private struct Entry: Hashable {
        var key: String
        var connection: UInt
    }

    private let epoch = Atomic<UInt64>(0)
    private let entries = Mutex<[Entry: (count: Int, version: Version)]>([:])
    private let capacity = 2_000

    /// The current write epoch; read it before counting.
    var current: UInt64 { epoch.load(ordering: .acquiring) }

    /// Forgets every count (called after each write transaction).
    func invalidate() {
        epoch.add(1, ordering: .releasing)
    }

    /// The cached count of `key`, when it was counted at `version`.
    func count(_ key: String, version: Version) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[Entry(key: key, connection: version.connection)], entry.version == version else { return nil }
            return entry.count
        }
    }

    /// Remembers a count made at `version`.
    func store(_ key: String, count: Int, version: Version) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Entry(key: key, connection: version.connection)] = (count, version)
        }
    }
}
