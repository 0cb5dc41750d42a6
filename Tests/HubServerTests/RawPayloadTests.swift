import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import HummingbirdTesting
import RealtyModel
import Testing

@Suite struct RawPayloadTests {
    @Test func rawIsServedWithEveryDigitAndSensitiveFieldsSealed() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        var scope = SyncScope(tenant: "tenant-a", connectionID: harness.connectionID, sourceSystemName: "boston-logic")
        scope.sensitiveFields = SensitiveFields(["ssn", "dl_license"])
        var contact = Fixtures.contact(500)
        contact.metadata.raw = try JSONValue(parsing: StoreContract.rawWithSensitiveFields)
        let key = try await harness.runtime.store.upsert([contact], scope: scope, cursor: nil).items[0].key
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let answer = try await client.execute(uri: "/v1/contacts/\(key)?fields=ContactKey,raw", method: .get, headers: bearer(token))
            #expect(answer.status == .ok)
            let text = answer.text
            #expect(text.contains(#""external_ref":12345678901234567890123"#), "\(text)")
            #expect(text.contains(#""price":1234567.1234567890123456789"#), "\(text)")
            #expect(text.contains(#""ssn":{"$sealed":true}"#), "\(text)")
            #expect(text.contains(#""Password":{"$sealed":true}"#), "\(text)")
            for secret in ["078-05-1120", "hunter2", "D123-4567"] { #expect(!text.contains(secret)) }
            // Neither is the ciphertext returned.
            let stored = try #require(try await harness.runtime.store.record(Contact.self, tenant: "tenant-a", key: key)?.metadata.raw)
            let ciphertext = try #require(stored["ssn"]?["$sealed"]?.stringValue)
            #expect(!text.contains(ciphertext))
            // Without fields=raw, the payload is not in the answer at all.
            let plain = try await client.execute(uri: "/v1/contacts/\(key)", method: .get, headers: bearer(token))
            #expect(!plain.text.contains("external_ref") && !plain.text.contains("$sealed"))
        }
    }
}
