public import Foundation
import GRDB
public import HubStore

extension SQLiteHubStore {
    /// What a data folder holds, read without changing anything.
    public struct Inspection: Sendable {
        /// Whether the database file exists.
        public var exists: Bool
        /// Applied and known migrations, when the file exists.
        public var schema: SchemaStatus?
        /// Key ids the folder's secrets are sealed with.
        public var keyIDs: [String]
    }

    /// Reads the schema state and the registered key ids of the store in `directory`, read-only.
    /// - Throws: ``StoreError/storage(_:underlying:)`` when the file exists but cannot be read.
    public static func inspect(directory: URL) throws -> Inspection {
        let path = directory.appendingPathComponent(databaseFileName).path
        guard FileManager.default.fileExists(atPath: path) else {
            return Inspection(exists: false, schema: nil, keyIDs: [])
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let migrator = SQLiteMigrations.migrator
            return try queue.read { db in
                let applied = try db.tableExists("grdb_migrations") ? try migrator.appliedMigrations(db) : []
                let appliedAll =
                    try db.tableExists("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") : []
                let unknown = appliedAll.filter { !migrator.migrations.contains($0) }
                let keys =
                    try db.tableExists("secret_key_check")
                    ? try String.fetchAll(db, sql: "SELECT key_id FROM secret_key_check ORDER BY created_at") : []
                return Inspection(exists: true, schema: SchemaStatus(applied: applied + unknown, known: migrator.migrations), keyIDs: keys)
            }
        } catch {
            throw StoreError.storage("cannot read \(path): \(describe(error))", underlying: error)
        }
    }
}
