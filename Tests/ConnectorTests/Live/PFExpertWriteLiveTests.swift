import ConnectorKit
import Foundation
import PFExpertConnector
import RealtyModel
import Sandbox
import Testing

/// PF Expert writes against the PF Expert emulator over loopback: create, read back, update
/// (only the changed fields), refused stale update, delete, as far as PF allows each resource.
@Suite struct PFExpertWriteLiveTests {
    static let settings = EmulatorSettings(records: 3)

    /// Leads: created with a hub status, updated to another; PF has no lead delete.
    @Test func leadRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.pfExpert], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.pfExpert)
            var contact = PFExpertLiveTests.contact("trip")
            contact.contactStatus = "Qualified"
            contact.mobilePhone = "+971500000009"
            let trip = try await liveWriteRoundTrip(connector, clock: clock, record: contact, deletes: false) { lead in
                lead.contactStatus = "Won"
                lead.homeCity = "Dubai"
                return ["ContactStatus", "HomeCity"]
            }
            #expect(trip.created.contactStatus == "Qualified")
            #expect(trip.created.metadata.raw?["status"] == .string("qualified"))
            #expect(trip.updated.contactStatus == "Won")
            let creates = live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "leads", operation: .create)
            #expect(creates.first?.body["lead"]?["status"] == .string("qualified"))
            // Only the changed fields were sent.
            let updates = live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "leads", operation: .update)
            #expect(
                updates.first?.body
                    == [
                        "operations": [
                            ["op": "replace", "path": "/city", "value": "Dubai"], ["op": "replace", "path": "/status", "value": "won"],
                        ]
                    ])
            await #expect {
                try await connector.delete(Contact.self, remoteID: trip.remoteID)
            } throws: { $0 is ConnectorError }
        }
    }

    /// An update of a seeded lead's status leaves the fields the hub does not map as they were.
    @Test func unmappedLeadFieldsSurvive() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let connector = try live.connector(.pfExpert)
            let emulator = try live.emulator(.pfExpert)
            let before = try #require(try await emulator.control(.list(resource: "leads")).records?.first)
            let id = try #require(before["id"]?.stringValue)
            var contact = Contact()
            contact.contactStatus = "Lost"
            let result = try await connector.update(RecordChange(record: contact, fields: ["ContactStatus"], remoteID: id))
            #expect((result.record as? Contact)?.contactStatus == "Lost")
            let after = try #require(try await emulator.control(.list(resource: "leads")).records?.first)
            #expect(after["status"] == .string("lost"))
            for name in ["quality", "preferences", "passport_number", "first_name", "email", "source_channel", "title"] {
                #expect(after[name] == before[name], "\(name)")
            }
        }
    }

    /// Properties: created with type, price and a location found by tower and city; updated;
    /// deleted (and deleting again is fine).
    @Test func propertyRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.pfExpert], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.pfExpert)
            let location = try #require(try await live.emulator(.pfExpert).control(.list(resource: "locations")).records?.first)
            var listing = Property()
            listing.listingID = "LIVE-1"
            listing.standardStatus = "Active"
            listing.propertyType = "Residential"
            listing.propertySubType = "villa"
            listing.listPrice = 2_500_000
            listing.bedroomsTotal = 4
            listing.city = location["city"]?.stringValue
            listing.buildingName = location["tower"]?.stringValue
            let trip = try await liveWriteRoundTrip(connector, clock: clock, record: listing, deletes: true) { property in
                property.listPrice = 2_400_000
                property.standardStatus = "Pending"
                return ["ListPrice", "StandardStatus"]
            }
            #expect(trip.created.buildingName == listing.buildingName)
            #expect(trip.created.propertySubType == "villa")
            #expect(trip.updated.listPrice == 2_400_000)
            #expect(trip.updated.standardStatus == "Pending")
            // The type's id, which the hub does not map, is kept by the price update.
            #expect(trip.updated.metadata.raw?["type"] == trip.created.metadata.raw?["type"])
            #expect(live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "properties", operation: .delete).count == 1)
        }
    }

    /// A property whose location PF does not know is refused before anything is written.
    @Test func unknownLocationIsRefused() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let connector = try live.connector(.pfExpert)
            var listing = Property()
            listing.propertyType = "Commercial Lease"
            listing.propertySubType = "office-space"
            listing.listPrice = 90_000
            listing.city = "Atlantis"
            let error = await connectorError { _ = try await connector.create(listing) }
            #expect(error?.kind == .validation)
            #expect(error?.fieldErrors.map(\.field) == ["City"])
            #expect(live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "properties").isEmpty)
        }
    }

    /// Users: created as the seed's example shows, read back, found by email.
    @Test func userCreate() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let connector = try live.connector(.pfExpert)
            var member = Member()
            member.firstName = "Nadia"
            member.lastName = "Haddad"
            member.email = "nadia.haddad@example.com"
            member.type = "manager"
            member.status = "Active"
            member.jobTitle = "Sales Manager"
            let created = try await connector.create(member)
            let record = try #require(created.record as? Member)
            let read = try await connector.readAll(Member.self).records.first { $0.metadata.sourceKey == created.remoteID }
            #expect(read.map { sameFields($0, record) } == true)
            #expect(record.type == "manager")
            #expect(record.status == "Active")
            #expect(try await connector.lookup(member) == created.remoteID)
            let error = await connectorError { _ = try await connector.update(member, remoteID: created.remoteID) }
            #expect(error?.kind == .configuration)
        }
    }
}
