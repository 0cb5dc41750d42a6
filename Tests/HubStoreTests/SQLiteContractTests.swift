import Foundation
import HubStore
import HubStoreSQLite
import HubTestSupport
import RealtyModel
import Testing

@Suite struct SQLiteContractTests {
    static func newStore() throws -> SQLiteHubStore {
        try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
    }

    @Test(arguments: StoreContract.checks.map(\.name))
    func contract(_ name: String) async throws {
        let check = try #require(StoreContract.checks.first { $0.name == name })
        try await check.run(try Self.newStore())
    }
}

@Suite struct SealedRawFieldTests {
    @Test func sealedFieldsOpenWithTheDataFolderKeyOnly() async throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let store = try SQLiteHubStore.inMemory(secretBox: box)
        _ = try await store.createTenant(id: "t1", name: "T1")
        var scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        scope.sensitiveFields = SensitiveFields(["ssn", "dl_license"])
        var contact = Fixtures.contact(3)
        let original = try JSONValue(parsing: StoreContract.rawWithSensitiveFields)
        contact.metadata.raw = original
        let key = try await store.upsert([contact], scope: scope, cursor: nil).items[0].key
        let raw = try #require(try await store.record(Contact.self, tenant: "t1", key: key)?.metadata.raw)
        #expect(raw != original)
        // Nothing the vendor sent is lost: the key opens it back, digit for digit.
        #expect(try box.openingSensitiveFields(of: raw) == original)
        #expect(try box.openingSensitiveFields(of: raw).jsonText == original.jsonText)
        // Another key does not open it, and a sealed value moved to another member does not either.
        let other = try SecretBox(keys: [SecretKey.generate().key])
        #expect(throws: StoreError.self) { _ = try other.openingSensitiveFields(of: raw) }
        guard case .object(var members) = raw else {
            Issue.record("raw is not an object")
            return
        }
        members["Password"] = members["ssn"]
        #expect(throws: StoreError.self) { _ = try box.openingSensitiveFields(of: .object(members)) }
        // The output form shows that a field was there, never its value or ciphertext.
        let shown = SealedField.redacted(raw)
        #expect(shown["ssn"] == .object(["$sealed": .bool(true)]))
        #expect(!shown.jsonText.contains(raw["ssn"]?["$sealed"]?.stringValue ?? "?"))
    }

    @Test func recordsWithoutSensitiveFieldsAreStoredUntouched() throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let raw = try JSONValue(parsing: #"{"id":"1","nested":{"a":[1,2.50,{"b":null}]}}"#)
        #expect(try box.sealingSensitiveFields(of: raw, fields: SensitiveFields(["ssn"])) == raw)
        // A null sensitive field has nothing to hide and stays null.
        let withNull = try JSONValue(parsing: #"{"ssn":null}"#)
        #expect(try box.sealingSensitiveFields(of: withNull, fields: SensitiveFields(["ssn"])) == withNull)
    }
}

@Suite struct SealedRawTextTests {
    static let fields = SensitiveFields(["ssn", "dl_license"])

    @Test func sealingTheVendorsTextMatchesSealingTheTree() throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let text = StoreContract.rawTextWithSensitiveFields
        let original = try JSONValue(parsing: text)
        let sealedText = try box.sealingSensitiveFields(ofText: text, fields: Self.fields)
        let sealedTree = try box.sealingSensitiveFields(of: original, fields: Self.fields)
        let fromText = try JSONValue(parsing: sealedText)
        // The same members sealed, and both open back to exactly what the vendor sent.
        for path in [["ssn"], ["Password"], ["docs", "0", "dl_license"]] {
            #expect(SealedField.isEnvelope(Self.value(fromText, path)) && SealedField.isEnvelope(Self.value(sealedTree, path)), "\(path)")
        }
        #expect(try box.openingSensitiveFields(of: fromText) == original)
        #expect(try box.openingSensitiveFields(of: sealedTree) == original)
        for secret in ["078-05-1120", "hunter2", "D123-4567"] { #expect(!sealedText.contains(secret)) }
        // Everything else is the vendor's own text, spacing and escapes included.
        #expect(sealedText.hasPrefix(#"{ "id" : "c-3", "external_ref": 12345678901234567890123,"#))
        #expect(sealedText.contains(#", "Pass\u0077ord" :{"$sealed":"#))
        #expect(sealedText.hasSuffix(#"  "ssn_note": "kept" }"#))
    }

    @Test func nullsEnvelopesAndTheMarkerAreLeftAsTheTreePathLeavesThem() throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let fields = SensitiveFields(["ssn", "sealed"])
        for text in [
            #"{"ssn":null,"a":1}"#, #"{"ssn":{"$sealed":"k1:AAAA"}}"#, #"{"$sealed":"k1:AAAA"}"#, #"{"x":{"$sealed":true}}"#,
            #"{"id":"1","nested":{"a":[1,2.50,{"b":null}]}}"#,
        ] {
            #expect(try box.sealingSensitiveFields(ofText: text, fields: fields) == text, "\(text)")
            let tree = try JSONValue(parsing: text)
            #expect(try box.sealingSensitiveFields(of: tree, fields: fields) == tree, "\(text)")
        }
    }

    @Test func aPreparedRecordStoresTheKeptTextItself() throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let text = #"{ "id" : "c-3",  "email": "a@b.example" }"#
        var contact = Fixtures.contact(3)
        contact.metadata.raw = try JSONValue(parsing: text)
        contact.metadata.keepRawText(text)
        let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        let prepared = try PreparedRecord.batch([contact], scope: scope)
        #expect(try prepared[0].sealedRaw(box, fields: Self.fields) == text)
        contact.metadata.raw?["email"] = "c@d.example"
        let changed = try PreparedRecord.batch([contact], scope: scope)
        #expect(try changed[0].sealedRaw(box, fields: Self.fields) == #"{"email":"c@d.example","id":"c-3"}"#)
    }

    static func value(_ json: JSONValue, _ path: [String]) -> JSONValue {
        path.reduce(json) { value, step in
            if let index = Int(step) { return value.arrayValue.flatMap { index < $0.count ? $0[index] : nil } ?? .null }
            return value[step] ?? .null
        }
    }
}
