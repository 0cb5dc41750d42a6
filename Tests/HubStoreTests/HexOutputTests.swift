import Foundation
import HubStore
import Testing

/// The stored and wire forms that are hex (client secret hashes, key ids, request
/// fingerprints, hub keys) stay byte-identical now that they share `ByteEncoding.hex`.
@Suite struct HexOutputTests {
    @Test func clientSecretHashIsSaltHexDollarDigestHex() {
        let stored = APIClientSecret.hash("s3cret", salt: Array(0..<16))
        #expect(stored == "000102030405060708090a0b0c0d0e0f$bb913cc836b213896ba4e54fc1d1c54bc72242421085f10ac4944db11bd9f191")
        #expect(APIClientSecret.verify("s3cret", hash: stored))
        #expect(!APIClientSecret.verify("s3cret!", hash: stored))
        #expect(!APIClientSecret.verify("s3cret", hash: "zz$00"))
        #expect(APIClientSecret.generate().count == 43)
    }

    @Test func secretKeyIDIsTheFirstEightDigestBytes() throws {
        let key = try SecretKey(material: Data(repeating: 7, count: 32))
        #expect(key.id == "4bb06f8e4e3a7715")
        let fromHex = try SecretKey(encoded: String(repeating: "07", count: 32))
        #expect(fromHex.id == key.id)
        let fromUpperHex = try SecretKey(encoded: String(repeating: "0A", count: 32))
        #expect(fromUpperHex.id == (try SecretKey(material: Data(repeating: 10, count: 32))).id)
    }

    @Test func requestFingerprintIsLowercaseHex() {
        #expect(RequestFingerprint.of([Data("a".utf8), Data()]) == "c4855ea937d9bc672a18f1a2318fd6dc7dd449d0dd34f06cea68e8f1a5d0ae34")
    }

    @Test func hubKeysAreLowercaseVersion7UUIDs() {
        let key = HubKey.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let groups = key.split(separator: "-").map(\.count)
        #expect(groups == [8, 4, 4, 4, 12])
        #expect(key.hasPrefix("018bcfe5-6800-7"))
        #expect(key == key.lowercased())
        #expect(UUID(uuidString: key) != nil)
    }
}
