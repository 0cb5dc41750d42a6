import Foundation

/// Sessions shared by every process that uses a connection, with a cross-process renewal
/// lock: when several hub processes share one database, one of them logs in and the others
/// reuse its session. Without it each process logs in on its own, which some vendors punish
/// (MyCRM keeps one login challenge per user, so concurrent logins refuse each other).
///
/// The hub implements it over its store (sealed with the credential key); a ``TokenCache``
/// given one renews under the lock and re-reads the stored session first.
public protocol SharedSessionStore: Sendable {
    /// Runs `body` while no other process runs `body` for the same connection.
    func withRenewalLock<T: Sendable>(connectionID: String, _ body: @Sendable () async throws -> T) async throws -> T
    /// The session last stored for the connection, if any (possibly expired: the cache decides).
    func load(connectionID: String) async throws -> AuthSession?
    /// Stores `session` for the connection, replacing the previous one.
    func save(_ session: AuthSession, connectionID: String) async throws
}

extension AuthSession: Codable {
    private enum CodingKeys: String, CodingKey {
        case secret, obtainedAt, expiresAt, idleTimeout, attributes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            secret: try container.decode(String.self, forKey: .secret),
            obtainedAt: try container.decode(Date.self, forKey: .obtainedAt),
            expiresAt: try container.decodeIfPresent(Date.self, forKey: .expiresAt),
            idleTimeout: try container.decodeIfPresent(Duration.self, forKey: .idleTimeout),
            attributes: try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(secret, forKey: .secret)
        try container.encode(obtainedAt, forKey: .obtainedAt)
        try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(idleTimeout, forKey: .idleTimeout)
        try container.encode(attributes, forKey: .attributes)
    }
}
