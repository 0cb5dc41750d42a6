import Foundation
import HubStore
import RealtyModel
import Testing

@Suite struct ContentHashTests {
    func contact() -> Contact {
        var contact = Contact(metadata: RecordMetadata(sourceKey: "1"))
        contact.firstName = "Ana"
        contact.email = "ana@example.com"
        contact.birthdate = "2000-01-01"
        return contact
    }

    @Test func sameContentSameHash() {
        var other = contact()
        other.metadata = RecordMetadata(key: "different", sourceKey: "2", modificationTimestamp: Date(), raw: .string("noise"))
        #expect(contact().contentHash == other.contentHash, "metadata and raw are not content")
        #expect(contact().contentHash.count == 64)
    }

    @Test func anyCanonicalChangeChangesTheHash() {
        let base = contact().contentHash
        var hashes: Set<String> = [base]
        for field in Contact.fields {
            var changed = contact()
            let value: FieldValue
            switch field.type {
            case .string: value = .string("changed-\(field.name)")
            case .date: value = .date("1999-12-31")
            default: continue
            }
            #expect(field.set(value, in: &changed))
            let hash = changed.contentHash
            #expect(hash != base, "changing \(field.name) must change the hash")
            hashes.insert(hash)
        }
        #expect(hashes.count == Contact.fields.count + 1)
        var cleared = contact()
        cleared.email = nil
        #expect(cleared.contentHash != base)
        var moved = contact()
        moved.firstName = nil
        moved.lastName = "Ana"
        #expect(moved.contentHash != base, "the same value in another field is another content")
    }

    @Test func hashIsPinned() {
        // The canonical encoding is part of the stored data: changing it would mark every
        // stored record as changed on the next sync. This pins it.
        #expect(contact().contentHash == pinnedContactHash)
    }

    let pinnedContactHash = "6b748b5cd12ef058381f8dd5659894e1288255b5c5597ad9ba5678872b6fd6f2"
}
