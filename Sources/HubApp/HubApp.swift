import Foundation
import HubStore
public import HubStoreSQLite

/// The composition root: the operations the CLI (and later the server) perform, built from a
/// ``HubConfiguration``.
public enum HubApp {
    /// Opens the store, running migrations and checking the secret key.
    ///
    /// - Parameter createKey: whether a missing key file may be created (true for commands
    ///   that set a data folder up).
    /// - Throws: ``StoreError`` naming what is wrong (key, schema, file).
    public static func openStore(_ configuration: HubConfiguration, createKey: Bool = true) async throws -> SQLiteHubStore {
        let (box, _) = try SecretKeyLoader.load(configuration, create: createKey)
        let store = try SQLiteHubStore(directory: configuration.dataDirectory, secretBox: box)
        try await store.checkSecretKey()
        return store
    }
}

/// What `migrate` did.
public struct MigrationReport: Sendable {
    public var dataDirectory: String
    public var applied: [String]
    public var latest: String? { applied.last }
}

extension HubApp {
    /// Creates or upgrades the data folder: key file, database, schema.
    public static func migrate(_ configuration: HubConfiguration) async throws -> MigrationReport {
        let store = try await openStore(configuration, createKey: true)
        let status = try await store.schemaStatus()
        return MigrationReport(dataDirectory: configuration.dataDirectory.path, applied: status.applied)
    }
}
