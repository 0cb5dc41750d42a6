import ConnectorKit
import Foundation
import HubStore

/// Vendor tokens and sessions shared through the store by every hub process of one database,
/// sealed with the credential key, renewed under the store's cross-process lock.
struct StoreSharedSessions: SharedSessionStore {
    let store: any HubStorage
    let secretBox: SecretBox

    private static let namespace = "auth-session"

    func withRenewalLock<T: Sendable>(connectionID: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await store.withCrossProcessLock("auth-session:" + connectionID, body)
    }

    func load(connectionID: String) async throws -> AuthSession? {
        guard let data = try await store.cachedValue(namespace: Self.namespace, key: connectionID, now: Date()) else { return nil }
        let stored = try JSONDecoder().decode(Stored.self, from: data)
        let plaintext = try secretBox.open(
            SecretBox.Sealed(keyID: stored.keyID, combined: stored.sealed), context: "auth-session:\(connectionID)")
        return try JSONDecoder().decode(AuthSession.self, from: plaintext)
    }

    func save(_ session: AuthSession, connectionID: String) async throws {
        let sealed = try secretBox.seal(try JSONEncoder().encode(session), context: "auth-session:\(connectionID)")
        let data = try JSONEncoder().encode(Stored(keyID: sealed.keyID, sealed: sealed.combined))
        // Kept until the session expires (a day when the vendor gives no expiry).
        let expiresAt = session.expiresAt ?? Date().addingTimeInterval(86_400)
        try await store.storeCachedValue(data, namespace: Self.namespace, key: connectionID, expiresAt: expiresAt)
    }

    private struct Stored: Codable {
        var keyID: String
        var sealed: Data
    }
}
