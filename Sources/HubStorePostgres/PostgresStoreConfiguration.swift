import Foundation
import HubStore
import NIOSSL
public import PostgresNIO

/// Where the PostgreSQL store lives, parsed from a `postgres://` URL.
///
/// The URL form is `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE` (`postgresql://`
/// also accepted; user and password percent-encoded). Query keys:
/// - `sslmode`: `disable`; `prefer` (the default: TLS when the server offers it, certificate not
///   verified, like libpq); `require` (TLS or fail, certificate not verified, like libpq);
///   `verify-ca` (TLS with the certificate checked against the system roots, any host name);
///   `verify-full` (TLS with certificate and host name checked).
/// - `search_path`: the schema(s) the store's tables live in (default: the server's, `public`).
/// - `max_connections`: the pool size of this process (default 10).
///
/// The password is kept only to connect: ``description`` and ``redactedURL`` print `***`
/// instead, and no error built from this value contains it.
public struct PostgresStoreConfiguration: Sendable, CustomStringConvertible {
    /// The TLS mode, named as libpq names it.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// The `search_path` set on every connection, when given.
    public var searchPath: String?
    /// The most connections this process opens.
    public var maximumConnections: Int
    /// How long connecting may take before the attempt fails.
    public var connectTimeout: Duration = .seconds(10)

    /// Builds a configuration from its parts.
    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        tlsMode: TLSMode = .prefer, searchPath: String? = nil, maximumConnections: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
        self.searchPath = searchPath
        self.maximumConnections = maximumConnections
    }

    /// Parses a `postgres://` URL.
    /// - Throws: ``StoreError/invalidQuery(_:)`` naming what is wrong, with the password
    ///   never echoed.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)) else {
            throw StoreError.invalidQuery("the database URL is not a URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            throw StoreError.invalidQuery(
                "the database URL must start with postgres:// (got \(components.scheme.map { "\($0)://" } ?? "no scheme"))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.invalidQuery("the database URL names no host; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw StoreError.invalidQuery("the database URL names no user; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.removingPercentEncoding ?? path
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.invalidQuery("the database URL names no database; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        self.init(host: host, port: components.port ?? 5432, username: user, password: password, database: database)
        guard (1...65535).contains(port) else { throw StoreError.invalidQuery("the database port must be 1...65535") }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw StoreError.invalidQuery(
                        "sslmode \"\(value)\" is not supported; use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tlsMode = mode
            case "search_path":
                guard !value.isEmpty else { throw StoreError.invalidQuery("search_path must name a schema") }
                searchPath = value
            case "max_connections":
                guard let count = Int(value), (1...1000).contains(count) else {
                    throw StoreError.invalidQuery("max_connections must be a number from 1 to 1000, got \"\(value)\"")
                }
                maximumConnections = count
            default:
                throw StoreError.invalidQuery(
                    "unknown database URL parameter \"\(item.name)\"; known: sslmode, search_path, max_connections")
            }
        }
    }

    /// The URL with the password replaced by `***`.
    public var redactedURL: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        if password != nil { components.percentEncodedPassword = "***" }
        components.host = host
        components.port = port
        components.path = "/" + database
        var items = [URLQueryItem(name: "sslmode", value: tlsMode.rawValue)]
        if let searchPath { items.append(URLQueryItem(name: "search_path", value: searchPath)) }
        components.queryItems = items
        return components.string ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }

    public var description: String { redactedURL }

    /// Where the server is, for error messages (no user, no password).
    var endpoint: String { "\(host):\(port)/\(database)" }

    /// The PostgresNIO client configuration this describes (for tools and tests that need
    /// their own client, such as creating a schema).
    public func clientConfiguration() -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        if let searchPath { configuration.options.additionalStartupParameters = [("search_path", searchPath)] }
        return configuration
    }

    /// The configuration of one connection outside the pool (the first connection `open`
    /// makes, so a wrong address, password or TLS setting fails at once with its real cause).
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let connectionTLS: PostgresConnection.Configuration.TLS
        switch tlsMode {
        case .disable: connectionTLS = .disable
        case .prefer: connectionTLS = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        default: connectionTLS = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: connectionTLS)
        configuration.options.connectTimeout = .nanoseconds(
            connectTimeout.components.seconds * 1_000_000_000
                + connectTimeout.components.attoseconds / 1_000_000_000)
        if let searchPath { configuration.options.additionalStartupParameters = [("search_path", searchPath)] }
        return configuration
    }

    /// The TLS settings `tlsMode` asks for (unused when it is `disable`).
    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: break
        }
        return configuration
    }

    private var tls: PostgresClient.Configuration.TLS {
        switch tlsMode {
        case .disable: return .disable
        case .prefer: return .prefer(tlsConfiguration)
        default: return .require(tlsConfiguration)
        }
    }
}
