import Foundation
import SyncEngine
import Testing

/// Signing and verifying as the Standard Webhooks specification has it, checked against the
/// vectors its reference libraries test with.
@Suite struct WebhookSignatureTests {
    static let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let body = Data(#"{"test": 2432232314}"#.utf8)

    @Test func signsTheSpecificationVector() throws {
        let secret = try WebhookSecret(parsing: Self.secretText)
        #expect(
            WebhookSignature.sign(id: Self.id, timestamp: 1_614_265_330, body: Self.body, secret: secret)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // The bare base64 form reads as the same secret.
        #expect(try WebhookSecret(parsing: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == secret)
    }

    @Test func verifiesWhatItSignsAndRefusesTheRest() throws {
        let secret = try WebhookSecret(parsing: Self.secretText)
        let now = Date(timeIntervalSince1970: 1_614_265_330)
        let signature = WebhookSignature.sign(id: Self.id, timestamp: 1_614_265_330, body: Self.body, secret: secret)
        try WebhookSignature.verify(
            body: Self.body, id: Self.id, timestamp: "1614265330", signatures: signature, secret: secret, now: now)
        // Among others, as during a rotation; unknown versions are skipped.
        try WebhookSignature.verify(
            body: Self.body, id: Self.id, timestamp: "1614265330",
            signatures: "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= \(signature)",
            secret: secret, now: now)
        func refusal(
            body: Data = Self.body, id: String? = Self.id, timestamp: String? = "1614265330", signatures: String? = nil,
            at: Date = now
        ) -> WebhookSignatureError? {
            do {
                try WebhookSignature.verify(
                    body: body, id: id, timestamp: timestamp, signatures: signatures ?? signature, secret: secret, now: at)
                return nil
            } catch {
                return error as? WebhookSignatureError
            }
        }
        #expect(refusal(body: Data(#"{"test": 2432232315}"#.utf8)) == .noMatchingSignature)
        #expect(refusal(id: "msg_other") == .noMatchingSignature)
        #expect(refusal(signatures: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=") == .noMatchingSignature)
        #expect(refusal(signatures: "v1a,\(signature.dropFirst(3))") == .noMatchingSignature)
        #expect(refusal(id: nil) == .missingHeader("webhook-id"))
        #expect(refusal(timestamp: nil) == .missingHeader("webhook-timestamp"))
        #expect(refusal(timestamp: "hello") == .invalidTimestamp("hello"))
        #expect(refusal(at: now.addingTimeInterval(301)) == .timestampOutOfTolerance)
        #expect(refusal(at: now.addingTimeInterval(-301)) == .timestampOutOfTolerance)
        #expect(refusal(at: now.addingTimeInterval(299)) == nil)
    }

    @Test func generatedSecretsAreRandomAndReadBack() throws {
        let one = WebhookSecret.generate()
        let two = WebhookSecret.generate()
        #expect(one != two)
        #expect(one.text.hasPrefix("whsec_") && one.text.count == 6 + 44)
        let read = try WebhookSecret(parsing: one.text)
        let signature = WebhookSignature.sign(id: "evt_1", timestamp: 1, body: Data("{}".utf8), secret: one)
        #expect(WebhookSignature.sign(id: "evt_1", timestamp: 1, body: Data("{}".utf8), secret: read) == signature)
        #expect(
            WebhookSignature.header(id: "evt_1", timestamp: 1, body: Data("{}".utf8), secrets: [one, two])
                == signature + " " + WebhookSignature.sign(id: "evt_1", timestamp: 1, body: Data("{}".utf8), secret: two))
    }

    @Test func refusesMalformedSecrets() {
        #expect(throws: WebhookSignatureError.self) { try WebhookSecret(parsing: "whsec_not base64!") }
        // 16 bytes: shorter than the specification's 24.
        #expect(throws: WebhookSignatureError.self) { try WebhookSecret(parsing: "whsec_AAAAAAAAAAAAAAAAAAAAAA==") }
    }
}
