import Foundation
public import RealtyModel

/// Sealing a vendor payload's sensitive fields (see ``RealtyModel/SensitiveFields``) inside
/// `raw` before it is stored.
///
/// Each sensitive member's value (any JSON: text, number, object) is replaced by
/// `{"$sealed": "<key id>:<base64 of nonce + ciphertext + tag>"}`, AES-256-GCM under the data
/// folder's key and bound to the member's name, so a sealed value moved to another member does
/// not open. The content hash is computed over canonical fields only, so the random nonce never
/// makes an unchanged record look changed.
///
/// A vendor object that itself has the single member `$sealed` is taken for an envelope and left
/// as it is, and a member named `$sealed` is never sealed; no vendor document describes such a
/// member.
extension SecretBox {
    /// `raw` with every member named in `fields` (at any depth) sealed; `raw` itself when it has
    /// none, so the common case allocates nothing.
    ///
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when encryption fails.
    public func sealingSensitiveFields(of raw: JSONValue, fields: SensitiveFields) throws -> JSONValue {
        try sealed(raw, fields: fields) ?? raw
    }

    /// `text`, the JSON text of a payload, with every member named in `fields` (at any depth)
    /// sealed in place; the rest of the text is kept byte for byte. `text` itself when it has
    /// none. The same sealing as ``sealingSensitiveFields(of:fields:)``, without a tree.
    ///
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when encryption fails.
    public func sealingSensitiveFields(ofText text: String, fields: SensitiveFields) throws -> String {
        let sealed = try JSONMemberRewriter.replacingValues(
            in: text, where: { name in Self.mayBeSealed(name) && fields.contains(utf8: name) },
            with: { name, valueText in
                // A matched value is small: parse it to skip nulls and envelopes as the tree path does.
                guard let value = try? JSONValue(parsing: valueText), !value.isNull, !SealedField.isEnvelope(value) else { return nil }
                return try sealField(value, name: name).jsonText
            })
        return sealed ?? text
    }

    /// Whether a member with this UTF-8 name may be sealed: any but the envelope's own marker.
    private static func mayBeSealed(_ name: UnsafeRawBufferPointer) -> Bool {
        !name.elementsEqual(SealedField.marker.utf8)
    }

    /// `raw` with every sealed envelope opened back to the vendor's value.
    ///
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` for an envelope sealed under a key that is not
    ///   configured, or one that does not authenticate.
    public func openingSensitiveFields(of raw: JSONValue) throws -> JSONValue {
        switch raw {
        case .object(var members):
            for (name, value) in members {
                if SealedField.isEnvelope(value), case .string(let text)? = value[SealedField.marker] {
                    members[name] = try openField(text, name: name)
                } else {
                    members[name] = try openingSensitiveFields(of: value)
                }
            }
            return .object(members)
        case .array(let elements):
            return .array(try elements.map { try openingSensitiveFields(of: $0) })
        default:
            return raw
        }
    }

    /// The sealed copy of `value`, or nil when nothing in it is sensitive.
    private func sealed(_ value: JSONValue, fields: SensitiveFields) throws -> JSONValue? {
        switch value {
        case .object(let members):
            if SealedField.isEnvelope(value) { return nil }
            var changed: [String: JSONValue]?
            for (name, member) in members {
                let replacement: JSONValue?
                if name != SealedField.marker, fields.contains(name), !member.isNull, !SealedField.isEnvelope(member) {
                    replacement = try sealField(member, name: name)
                } else {
                    replacement = try sealed(member, fields: fields)
                }
                if let replacement {
                    if changed == nil { changed = members }
                    changed?[name] = replacement
                }
            }
            return changed.map(JSONValue.object)
        case .array(let elements):
            var changed: [JSONValue]?
            for (index, element) in elements.enumerated() {
                if let replacement = try sealed(element, fields: fields) {
                    if changed == nil { changed = elements }
                    changed?[index] = replacement
                }
            }
            return changed.map(JSONValue.array)
        default:
            return nil
        }
    }

    private static func context(_ name: String) -> String { "raw-field:\(name)" }

    private func sealField(_ value: JSONValue, name: String) throws -> JSONValue {
        let box = try seal(Data(value.jsonText.utf8), context: Self.context(name))
        return .object([SealedField.marker: .string("\(box.keyID):\(box.combined.base64EncodedString())")])
    }

    private func openField(_ text: String, name: String) throws -> JSONValue {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let combined = Data(base64Encoded: String(parts[1])) else {
            throw StoreError.secretKey("the sealed field \(name) is not in the form <key id>:<base64>")
        }
        let plaintext = try open(Sealed(keyID: String(parts[0]), combined: combined), context: Self.context(name))
        do {
            return try JSONValue(parsing: plaintext)
        } catch {
            throw StoreError.secretKey("the sealed field \(name) opened to something that is not JSON")
        }
    }
}
