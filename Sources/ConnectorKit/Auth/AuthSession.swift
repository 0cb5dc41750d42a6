public import Foundation

/// A credential obtained from a vendor: a bearer token or a session id, with its lifetime.
///
/// `description` never shows the secret.
public struct AuthSession: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret value (bearer token, session name).
    public var secret: String
    /// When the vendor obtained it (our clock).
    public var obtainedAt: Date
    /// When it stops being valid (absolute expiry), if known.
    public var expiresAt: Date?
    /// How long it may go unused before the vendor drops it (MyCRM's idle timeout), if any.
    public var idleTimeout: Duration?
    /// Non-secret facts from the login (MyCRM `userId`, token type), for connectors.
    public var attributes: [String: String]
    /// A serial number the cache assigns, so a stale session can be told from a fresh one.
    public internal(set) var generation: Int

    /// Creates a session.
    ///
    /// - Parameters:
    ///   - secret: the token or session id.
    ///   - obtainedAt: when it was obtained.
    ///   - expiresAt: its absolute expiry, if known.
    ///   - idleTimeout: its idle timeout, if any.
    ///   - attributes: non-secret facts.
    public init(
        secret: String, obtainedAt: Date, expiresAt: Date? = nil, idleTimeout: Duration? = nil,
        attributes: [String: String] = [:]
    ) {
        self.secret = secret
        self.obtainedAt = obtainedAt
        self.expiresAt = expiresAt
        self.idleTimeout = idleTimeout
        self.attributes = attributes
        self.generation = 0
    }

    public var description: String {
        var parts = ["secret: \(Redactor.mask)", "generation: \(generation)"]
        if let expiresAt { parts.append("expires: \(expiresAt)") }
        if let idleTimeout { parts.append("idle timeout: \(ConnectorError.format(idleTimeout))") }
        return "AuthSession(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }
}
