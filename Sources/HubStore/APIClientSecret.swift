import Crypto
import Foundation
import RealtyModel

/// Generation and checking of API client secrets.
///
/// Secrets are 32 random bytes, so a salted SHA-256 is enough to keep them useless if the
/// database leaks (a slow password hash protects low-entropy human passwords, which these are
/// not); comparison is constant-time.
public enum APIClientSecret {
    /// A new secret: 43 characters of URL-safe base64 without padding.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return ByteEncoding.base64URL(bytes)
    }

    /// The stored form of `secret`: `"<salt hex>$<SHA-256(salt ‖ secret) hex>"`.
    public static func hash(_ secret: String, salt: [UInt8]? = nil) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return ByteEncoding.hex(salt) + "$" + ByteEncoding.hex(SHA256.hash(data: salt + Array(secret.utf8)))
    }

    /// Whether `secret` matches the stored `hash`.
    public static func verify(_ secret: String, hash stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 2, let salt = ByteEncoding.bytes(hex: parts[0]),
            let expected = ByteEncoding.bytes(hex: parts[1])
        else {
            return false
        }
        let actual = Array(SHA256.hash(data: salt + Array(secret.utf8)))
        guard actual.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(actual, expected) { difference |= a ^ b }
        return difference == 0
    }
}
