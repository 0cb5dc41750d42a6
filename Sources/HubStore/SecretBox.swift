import Crypto
public import Foundation
import RealtyModel

/// A symmetric key for credentials at rest, named by a key id derived from the key itself, so
/// data sealed under one key is never opened with another by mistake.
public struct SecretKey: Sendable {
    /// The first 8 bytes of SHA-256 of the key, in hex.
    public let id: String
    private let material: Data
    var key: SymmetricKey { SymmetricKey(data: material) }

    /// Wraps 32 bytes of key material.
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when the material is not 32 bytes.
    public init(material: Data) throws {
        guard material.count == 32 else {
            throw StoreError.secretKey("a secret key must be 32 bytes (256 bits), got \(material.count)")
        }
        self.material = material
        id = ByteEncoding.hex(SHA256.hash(data: material).prefix(8))
    }

    /// Parses a key written as base64 (44 characters) or hex (64 characters).
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` naming what is wrong, never echoing the text.
    public init(encoded text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = ByteEncoding.bytes(hex: trimmed) {
            try self.init(material: Data(bytes))
        } else if let data = Data(base64Encoded: trimmed) {
            try self.init(material: data)
        } else {
            throw StoreError.secretKey("the secret key is neither base64 nor 64 hex digits")
        }
    }

    /// A new random key.
    public static func generate() throws -> (key: SecretKey, encoded: String) {
        let material = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return (try SecretKey(material: material), material.base64EncodedString())
    }
}

/// Seals and opens secrets with AES-256-GCM. The first key seals; every key opens what was
/// sealed under it, so keys can rotate: add the new key first, keep the old ones until every
/// secret was sealed again.
public struct SecretBox: Sendable {
    /// A sealed secret: the id of the key that sealed it and nonce + ciphertext + tag.
    public struct Sealed: Sendable, Hashable {
        public var keyID: String
        public var combined: Data

        public init(keyID: String, combined: Data) {
            self.keyID = keyID
            self.combined = combined
        }
    }

    public let keys: [SecretKey]

    /// - Parameter keys: the current key first, then older ones.
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when `keys` is empty.
    public init(keys: [SecretKey]) throws {
        guard !keys.isEmpty else { throw StoreError.secretKey("no secret key is configured") }
        self.keys = keys
    }

    /// The id of the key that seals.
    public var currentKeyID: String { keys[0].id }

    /// Encrypts `plaintext`, binding it to `context` (for example the connection id) so a
    /// ciphertext moved to another row does not open.
    public func seal(_ plaintext: Data, context: String) throws -> Sealed {
        do {
            let box = try AES.GCM.seal(plaintext, using: keys[0].key, authenticating: Data(context.utf8))
            guard let combined = box.combined else { throw StoreError.secretKey("could not encode the sealed secret") }
            return Sealed(keyID: keys[0].id, combined: combined)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.secretKey("encryption failed", underlying: error)
        }
    }

    /// Decrypts a sealed secret.
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when its key is not configured (wrong key) or
    ///   the ciphertext does not authenticate.
    public func open(_ sealed: Sealed, context: String) throws -> Data {
        guard let key = keys.first(where: { $0.id == sealed.keyID }) else {
            throw StoreError.secretKey(
                "stored secrets were encrypted with key id \(sealed.keyID), but the configured key id is \(currentKeyID): set REALTYHUB_SECRET_KEY (or the data folder's key file) to the key this data folder was created with"
            )
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.combined)
            return try AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8))
        } catch {
            throw StoreError.secretKey(
                "a stored secret sealed with key id \(sealed.keyID) failed to authenticate: it was altered or belongs to another record",
                underlying: error)
        }
    }
}

extension SecretBox {
    /// An HMAC-SHA256 of `message` under a key derived (HKDF) from the current key for
    /// `purpose`, so signatures of one purpose never verify for another.
    public func sign(_ message: Data, purpose: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: Self.derive(keys[0], purpose: purpose)))
    }

    /// Whether `signature` is an HMAC of `message` for `purpose` under any configured key
    /// (so signatures made before a key rotation still verify). Constant-time comparison.
    public func verify(_ signature: Data, of message: Data, purpose: String) -> Bool {
        keys.contains { key in
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: Self.derive(key, purpose: purpose))
        }
    }

    private static func derive(_ key: SecretKey, purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key.key, salt: Data("realtyhub".utf8), info: Data(purpose.utf8), outputByteCount: 32)
    }
}
