import Foundation
public import HubStorePostgres

/// A database URL as given on the command line or in `REALTYHUB_DATABASE_URL`.
///
/// It holds the password, so it prints only in redacted form (`postgres://user:***@host/db`):
/// `description`, `debugDescription` and every error built from it leave the password out.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let text: String

    public init(_ text: String) {
        self.text = text
    }

    /// The PostgreSQL store configuration the URL names.
    /// - Throws: ``HubStore/StoreError/invalidQuery(_:)`` saying what is wrong, without the password.
    public func postgresConfiguration() throws -> PostgresStoreConfiguration {
        try PostgresStoreConfiguration(url: text)
    }

    /// The URL with its password replaced by `***`.
    public var redacted: String {
        if let configuration = try? postgresConfiguration() { return configuration.redactedURL }
        guard var components = URLComponents(string: text) else { return "(a database URL that cannot be parsed)" }
        if components.percentEncodedPassword != nil { components.percentEncodedPassword = "***" }
        return components.string ?? "(a database URL that cannot be parsed)"
    }

    public var description: String { redacted }
    public var debugDescription: String { "DatabaseURL(\(redacted))" }
}
