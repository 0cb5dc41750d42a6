import Foundation
public import RealtyModel

/// Deterministic records for tests and benchmarks.
public enum Fixtures {
    /// A lead-type contact with a name, email and phone derived from `index`.
    public static func contact(_ index: Int, source: String = "mycrm", note: String? = nil) -> Contact {
        var contact = Contact(
            metadata: RecordMetadata(
                sourceSystemName: source, sourceKey: "c-\(index)",
                sourceModificationTimestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)),
                raw: .object(["id": .string("c-\(index)"), "email": .string("person\(index)@example.com")])))
        contact.firstName = "First\(index)"
        contact.lastName = "Last\(index % 97)"
        contact.email = "person\(index)@example.com"
        contact.mobilePhone = "+34 600 \(String(format: "%06d", index % 1_000_000))"
        contact.contactType = index % 3 == 0 ? "Lead" : "Client"
        contact.homeCity = ["Madrid", "Marbella", "Paris", "Boston"][index % 4]
        contact.leadSource = "web"
        contact.notes = note
        return contact
    }

    /// A member derived from `index`.
    public static func member(_ index: Int, source: String = "pf-expert") -> Member {
        var member = Member(metadata: RecordMetadata(sourceSystemName: source, sourceKey: "m-\(index)"))
        member.firstName = "Agent\(index)"
        member.lastName = "Smith"
        member.email = "agent\(index)@agency.example"
        member.status = index % 5 == 0 ? "Inactive" : "Active"
        member.languages = ["en", "es"]
        return member
    }

    /// A listing derived from `index`.
    public static func property(_ index: Int, source: String = "apimo") -> Property {
        var property = Property(metadata: RecordMetadata(sourceSystemName: source, sourceKey: "p-\(index)"))
        property.listingID = "L\(index)"
        property.standardStatus = "Active"
        property.listPrice = Double(100_000 + index * 1000)
        property.city = index % 2 == 0 ? "Marbella" : "Paris"
        property.bedroomsTotal = index % 5
        property.newConstructionYN = index % 2 == 0
        return property
    }

    /// Photo `number` of listing `p-<property>` (or of another parent), as a connector reads it:
    /// naming its parent by vendor key, before the store ties it to the parent's hub key.
    public static func photo(
        _ number: Int, of property: Int, parent: String? = nil, source: String = "apimo", url: String? = nil
    ) -> Media {
        let key = "pic-\(property)-\(number)"
        var media = Media(
            metadata: RecordMetadata(sourceSystemName: source, sourceKey: key, raw: .object(["id": .string(key)])))
        media.resourceRecordSourceKey = parent ?? "p-\(property)"
        media.mediaURL = url ?? "https://images.example/\(property)/\(number).jpg"
        media.mediaCategory = "Photo"
        media.order = number
        media.shortDescription = "Photo \(number)"
        media.imageWidth = 1600
        media.imageHeight = 1200
        return media
    }
}
