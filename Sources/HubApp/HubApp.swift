import Foundation
public import HubStore
import HubStorePostgres
import HubStoreSQLite
public import Logging

/// The composition root: the operations the CLI (and later the server) perform, built from a
/// ``HubConfiguration``.
public enum HubApp {
    /// Opens the store, running migrations and checking the secret key.
    ///
    /// - Parameter createKey: whether a missing key file may be created (true for commands
    ///   that set a data folder up).
    /// - Throws: ``StoreError`` naming what is wrong (key, schema, file).
    ///   The store is PostgreSQL when the configuration names a database, else the data folder's
    ///   SQLite file; call `close()` on it when done.
    public static func openStore(
        _ configuration: HubConfiguration, createKey: Bool = true, logger: Logger = HubApp.quietLogger
    ) async throws -> any HubStorage {
        let (box, _) = try SecretKeyLoader.load(configuration, create: createKey)
        if let database = configuration.database {
            let store = try await PostgresHubStore.open(try database.postgresConfiguration(), secretBox: box, logger: logger)
            do {
                try await store.checkSecretKey()
            } catch {
                await store.close()
                throw error
            }
            return store
        }
        let store = try SQLiteHubStore(directory: configuration.dataDirectory, secretBox: box)
        try await store.checkSecretKey()
        return store
    }

    /// A logger for warnings and errors only, the default of operations given none.
    public static var quietLogger: Logger {
        var logger = Logger(label: "realtyhub")
        logger.logLevel = .warning
        return logger
    }
}

/// What `migrate` did.
public struct MigrationReport: Sendable {
    /// The data folder, or the database URL with its password redacted.
    public var dataDirectory: String
    public var applied: [String]
    public var latest: String? { applied.last }
}

extension HubApp {
    /// Creates or upgrades the data folder: key file, database, schema.
    public static func migrate(_ configuration: HubConfiguration) async throws -> MigrationReport {
        let store = try await openStore(configuration, createKey: true)
        let status: SchemaStatus
        do {
            status = try await store.schemaStatus()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        return MigrationReport(
            dataDirectory: configuration.database?.redacted ?? configuration.dataDirectory.path, applied: status.applied)
    }
}
