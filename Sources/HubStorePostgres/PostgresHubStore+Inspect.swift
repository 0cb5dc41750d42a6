public import HubStore
public import Logging
import PostgresNIO

extension PostgresHubStore {
    /// What a PostgreSQL database holds, read without changing anything.
    public struct Inspection: Sendable {
        /// Applied and known migrations; `nil` when the database has no realtyhub schema yet.
        public var schema: SchemaStatus?
        /// Key ids the database's secrets are sealed with.
        public var keyIDs: [String]
        /// The server's version string.
        public var serverVersion: String
    }

    /// Connects once and reads the schema state and the registered key ids, read-only.
    /// - Throws: ``StoreError/storage(_:underlying:)`` when the server cannot be reached or read (the
    ///   message never contains the password).
    public static func inspect(_ configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "realtyhub.postgres"))
        async throws -> Inspection
    {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
            do {
                let inspection = try await read(connection, logger: logger)
                try? await connection.close()
                return inspection
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw describe(error, configuration: configuration)
        }
    }

    private static func read(_ connection: PostgresConnection, logger: Logger) async throws -> Inspection {
        var version = ""
        for try await row in try await connection.query("SHOW server_version", logger: logger) {
            version = try row.decode(String.self)
        }
        var hasMigrations = false
        var hasKeys = false
        for try await row in try await connection.query(
            "SELECT to_regclass('schema_migrations') IS NOT NULL, to_regclass('secret_key_check') IS NOT NULL", logger: logger)
        {
            (hasMigrations, hasKeys) = try row.decode((Bool, Bool).self)
        }
        var schema: SchemaStatus?
        if hasMigrations {
            var applied: [String] = []
            for try await row in try await connection.query("SELECT name FROM schema_migrations", logger: logger) {
                applied.append(try row.decode(String.self))
            }
            let known = PostgresMigrations.names
            schema = SchemaStatus(
                applied: known.filter(applied.contains) + applied.filter { !known.contains($0) }.sorted(), known: known)
        }
        var keyIDs: [String] = []
        if hasKeys {
            for try await row in try await connection.query("SELECT key_id FROM secret_key_check ORDER BY created_at", logger: logger) {
                keyIDs.append(try row.decode(String.self))
            }
        }
        return Inspection(schema: schema, keyIDs: keyIDs, serverVersion: version)
    }
}
