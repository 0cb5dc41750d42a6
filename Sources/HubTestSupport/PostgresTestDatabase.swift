import Foundation
public import HubStore
public import HubStorePostgres
import Logging
import PostgresNIO

/// The PostgreSQL server the tests may use, named by `REALTYHUB_TEST_DATABASE_URL`
/// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`; `.ci/run` starts one and sets it).
///
/// Each test gets its own schema (created empty, selected with `search_path`, dropped
/// afterwards), so tests run in parallel on one database without seeing each other.
public enum PostgresTestDatabase {
    /// The URL from `REALTYHUB_TEST_DATABASE_URL`, or nil when the PostgreSQL tests are to be skipped.
    public static let url: String? = ProcessInfo.processInfo.environment["REALTYHUB_TEST_DATABASE_URL"]
        .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }

    /// Whether `REALTYHUB_TEST_DATABASE_URL` is set.
    public static var isConfigured: Bool { url != nil }

    /// Why PostgreSQL tests are skipped, printed when they are.
    public static let skipNote =
        "PostgreSQL tests SKIPPED: REALTYHUB_TEST_DATABASE_URL is not set (e.g. postgres://user:pass@127.0.0.1:5432/db; .ci/run starts a server and sets it)"

    /// The configuration for the test server.
    /// - Throws: when the variable is unset or malformed.
    public static func configuration() throws -> PostgresStoreConfiguration {
        guard let url else { throw StoreError.storage(skipNote) }
        return try PostgresStoreConfiguration(url: url)
    }

    /// Runs `body` with a configuration whose `search_path` is a new, empty schema, and drops
    /// the schema afterwards (also when `body` throws).
    public static func withSchema<T: Sendable>(_ body: (PostgresStoreConfiguration) async throws -> T) async throws -> T {
        try await withSchemaURL { configuration, _ in try await body(configuration) }
    }

    /// Like ``withSchema(_:)``, also passing the test URL with `search_path` set to the schema
    /// (for child processes given `--database`).
    public static func withSchemaURL<T: Sendable>(
        _ body: (PostgresStoreConfiguration, String) async throws -> T
    ) async throws -> T {
        guard let url else { throw StoreError.storage(skipNote) }
        var configuration = try configuration()
        let schema = "rh_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(configuration, "CREATE SCHEMA \(schema)")
        configuration.searchPath = schema
        var components = URLComponents(string: url)
        let items = (components?.queryItems ?? []).filter { $0.name != "search_path" }
        components?.queryItems = items + [URLQueryItem(name: "search_path", value: schema)]
        let schemaURL = components?.string ?? url
        do {
            let result = try await body(configuration, schemaURL)
            try await admin(configuration, "DROP SCHEMA \(schema) CASCADE")
            return result
        } catch {
            try? await admin(configuration, "DROP SCHEMA \(schema) CASCADE")
            throw error
        }
    }

    /// Runs `body` with a new migrated store in its own schema, then closes it and drops the schema.
    public static func withStore<T: Sendable>(
        secretBox: SecretBox? = nil, _ body: (PostgresHubStore) async throws -> T
    ) async throws -> T {
        let box = try secretBox ?? SecretBox(keys: [SecretKey.generate().key])
        return try await withSchema { configuration in
            let store = try await PostgresHubStore.open(configuration, secretBox: box)
            do {
                let result = try await body(store)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// Runs one administrative statement (schema names here are generated, never input) on a
    /// connection of its own.
    public static func admin(_ configuration: PostgresStoreConfiguration, _ sql: String) async throws {
        var plain = configuration
        plain.searchPath = nil
        let connection = try await PostgresConnection.connect(
            configuration: try plain.connectionConfiguration(), id: 0, logger: Logger(label: "realtyhub.test-admin"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "realtyhub.test-admin"))
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
