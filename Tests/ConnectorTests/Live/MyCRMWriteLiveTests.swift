import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// MyCRM writes against its emulator over loopback, per module: create → read back → update
/// (only the changed fields) → read back → a stale update refused → delete → gone.
@Suite struct MyCRMWriteLiveTests {
    @Test(arguments: [("Lead", "Leads"), ("Client", "Contacts")])
    func roundTrip(type: String, module: String) async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 5), clock: clock) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            let log = live.sandbox.writeLog
            var contact = Contact()
            contact.firstName = "Ada"
            contact.lastName = "Lovelace"
            contact.email = "ada.\(type.lowercased())@example.com"
            contact.contactType = type
            contact.leadSource = "Website"
            contact.notes = "From the web form."
            let created = try await connector.create(contact)
            let createdRecord = try #require(created.record as? Contact)
            #expect(createdRecord.metadata.sourceKey == created.remoteID && createdRecord.leadSource == "Website")
            let sentCreate = try #require(log.entries(vendor: .mycrm, resource: module, operation: .create).first?.body)
            #expect(sentCreate["leadsource"] == "Web Site", "the picklist's own value is sent")

            // Read back as a read sees it.
            let first = try #require(try await Self.read(connector, created.remoteID))
            #expect(first.email == contact.email && first.leadSource == "Website" && first.contactType == type)

            // Update two fields: only they are sent.
            clock.advance(by: .seconds(5))
            var changed = first
            changed.email = "ada.king@example.com"
            changed.leadSource = "TradeShow"
            let expected = try #require(first.metadata.sourceModificationTimestamp)
            let updated = try await connector.update(
                RecordChange(
                    record: changed, fields: ["Email", "LeadSource"], remoteID: created.remoteID, expectedSourceModification: expected))
            #expect((updated.record as? Contact)?.email == "ada.king@example.com")
            let revise = try #require(log.entries(vendor: .mycrm, resource: module, operation: "revise").last?.body)
            #expect(revise == ["id": .string(created.remoteID), "email": "ada.king@example.com", "leadsource": "Trade Show"])
            let second = try #require(try await Self.read(connector, created.remoteID))
            #expect(second.email == "ada.king@example.com" && second.leadSource == "TradeShow")
            #expect(second.notes == "From the web form." && second.lastName == "Lovelace", "fields not named are untouched")

            // Someone changes it at MyCRM; an update based on the older copy is refused.
            clock.advance(by: .seconds(5))
            var elsewhere = second
            elsewhere.notes = "Called back."
            _ = try await connector.update(RecordChange(record: elsewhere, fields: ["Notes"], remoteID: created.remoteID))
            let revisions = log.entries(vendor: .mycrm, resource: module, operation: "revise").count
            var stale = second
            stale.email = "stale@example.com"
            let stamp = try #require(second.metadata.sourceModificationTimestamp)
            let conflict = await connectorError {
                _ = try await connector.update(
                    RecordChange(record: stale, fields: ["Email"], remoteID: created.remoteID, expectedSourceModification: stamp))
            }
            #expect(conflict?.kind == .changedAtVendor)
            #expect((conflict?.vendorRecord as? Contact)?.notes == "Called back.")
            #expect(log.entries(vendor: .mycrm, resource: module, operation: "revise").count == revisions, "nothing sent")

            // Delete; it is gone, and deleting again succeeds.
            try await connector.delete(Contact.self, remoteID: created.remoteID)
            #expect(log.entries(vendor: .mycrm, resource: module, operation: .delete).map(\.id) == [created.remoteID])
            #expect(try await Self.read(connector, created.remoteID) == nil)
            try await connector.delete(Contact.self, remoteID: created.remoteID)
        }
    }

    @Test func anUpdateLeavesTheVendorsUnmappedFieldsAlone() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 3)) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            let listed = try await live.emulator(.mycrm).control(.list(resource: "contacts"))
            let before = try #require(listed.records?.first)
            let id = try #require(before["id"]?.stringValue)
            var change = Contact()
            change.mobilePhone = "+1 617 555 0199"
            change.contactType = "Contact"
            _ = try await connector.update(RecordChange(record: change, fields: ["MobilePhone"], remoteID: id))
            let after = try #require(
                try await live.emulator(.mycrm).control(.list(resource: "contacts")).records?.first { $0["id"] == before["id"] })
            #expect(after["mobile"] == "+1 617 555 0199")
            for field in ["ssn", "csg_number", "dl_license", "is_customer", "firstname", "mailingzip"] {
                #expect(after[field] == before[field], "\(field) survives")
            }
        }
    }

    /// The record `id` as a full read returns it, or nil when the read does not hold it.
    static func read(_ connector: any Connector, _ id: String) async throws -> Contact? {
        try await connector.readAll(Contact.self).records.first { $0.metadata.sourceKey == id }
    }
}
