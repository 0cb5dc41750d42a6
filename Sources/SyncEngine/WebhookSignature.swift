import Crypto
public import Foundation

/// A webhook signing secret in the Standard Webhooks form: `whsec_` followed by the base64 of
/// the key bytes (at least 24, at most 64 here).
public struct WebhookSecret: Sendable, Hashable {
    /// The form shown to users.
    public static let prefix = "whsec_"

    /// The HMAC key's bytes.
    let keyBytes: Data
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The secret as users see it: `whsec_<base64>`.
    public let text: String

    /// A new random secret of 32 bytes.
    public static func generate() -> WebhookSecret {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return WebhookSecret(keyBytes: bytes, text: prefix + bytes.base64EncodedString())
    }

    private init(keyBytes: Data, text: String) {
        self.keyBytes = keyBytes
        self.text = text
    }

    /// Reads a secret given as `whsec_<base64>` or as the bare base64 (as the Standard Webhooks
    /// libraries accept both).
    /// - Throws: ``WebhookSignatureError/invalidSecret(_:)`` naming what is wrong.
    public init(parsing given: String) throws {
        let encoded = given.hasPrefix(Self.prefix) ? String(given.dropFirst(Self.prefix.count)) : given
        guard let bytes = Data(base64Encoded: encoded) else {
            throw WebhookSignatureError.invalidSecret("a webhook secret is whsec_ followed by base64")
        }
        guard (24...64).contains(bytes.count) else {
            throw WebhookSignatureError.invalidSecret("a webhook secret holds 24 to 64 bytes, this one \(bytes.count)")
        }
        self.init(keyBytes: bytes, text: Self.prefix + encoded)
    }

    public static func == (lhs: WebhookSecret, rhs: WebhookSecret) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// Why a signature could not be made or did not verify.
public enum WebhookSignatureError: Error, Equatable, CustomStringConvertible {
    case invalidSecret(String)
    case missingHeader(String)
    case invalidTimestamp(String)
    case timestampOutOfTolerance
    case noMatchingSignature

    public var description: String {
        switch self {
        case .invalidSecret(let message): return message
        case .missingHeader(let name): return "the \(name) header is missing"
        case .invalidTimestamp(let value): return "the webhook-timestamp header \"\(value)\" is not a number of seconds"
        case .timestampOutOfTolerance: return "the webhook-timestamp is more than 5 minutes away from now"
        case .noMatchingSignature: return "no signature in webhook-signature matches the body"
        }
    }
}

/// Signing and verifying webhooks as the Standard Webhooks specification (1.0) has it: the
/// signed content is `<webhook-id>.<webhook-timestamp>.<body>`, the signature the base64 of its
/// HMAC-SHA256 under the secret's key, sent as `v1,<signature>` in `webhook-signature`
/// (several, separated by spaces, while a secret is being rotated).
public enum WebhookSignature {
    /// How far a verified timestamp may be from now.
    public static let tolerance: TimeInterval = 5 * 60

    /// `v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
    public static func sign(id: String, timestamp: Int64, body: Data, secret: WebhookSecret) -> String {
        var authenticator = HMAC<SHA256>(key: secret.key)
        authenticator.update(data: Data("\(id).\(timestamp).".utf8))
        authenticator.update(data: body)
        return "v1," + Data(authenticator.finalize()).base64EncodedString()
    }

    /// The `webhook-signature` header for `secrets` (the current one first, then one being
    /// retired): their signatures separated by spaces.
    public static func header(id: String, timestamp: Int64, body: Data, secrets: [WebhookSecret]) -> String {
        secrets.map { sign(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// Checks a received webhook: the headers are present, the timestamp within
    /// ``tolerance`` of `now`, and one `v1` signature in the header matches `body` under `secret`
    /// (compared in constant time).
    public static func verify(
        body: Data, id: String?, timestamp: String?, signatures: String?, secret: WebhookSecret, now: Date = Date()
    ) throws {
        guard let id else { throw WebhookSignatureError.missingHeader("webhook-id") }
        guard let timestamp else { throw WebhookSignatureError.missingHeader("webhook-timestamp") }
        guard let signatures else { throw WebhookSignatureError.missingHeader("webhook-signature") }
        guard let seconds = Int64(timestamp) else { throw WebhookSignatureError.invalidTimestamp(timestamp) }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else {
            throw WebhookSignatureError.timestampOutOfTolerance
        }
        var authenticator = HMAC<SHA256>(key: secret.key)
        // What was signed is the header's own text.
        authenticator.update(data: Data("\(id).\(timestamp).".utf8))
        authenticator.update(data: body)
        let expected = authenticator.finalize()
        for item in signatures.split(separator: " ") {
            let parts = item.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let given = Data(base64Encoded: String(parts[1])) else { continue }
            // `==` on a MAC compares in constant time.
            if expected == given { return }
        }
        throw WebhookSignatureError.noMatchingSignature
    }
}
