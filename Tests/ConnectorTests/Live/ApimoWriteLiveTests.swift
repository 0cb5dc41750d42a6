import ApimoConnector
import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// Apimo writes against its emulator over loopback: contacts and actions created, read back,
/// updated by a read-modify-write `PUT` (an unmapped vendor field survives), read back, a stale
/// update refused; properties updated the same way. Apimo documents no delete: it is refused.
@Suite struct ApimoWriteLiveTests {
    static let settings = EmulatorSettings(records: 6, apimoRatePerSecond: 10_000, apimoDailyQuota: 100_000)

    static func connector(_ live: LiveSandbox) throws -> any Connector {
        try ApimoLive.connector(live, agencies: ["14"]) { configuration in
            configuration.limits = .init(requestsPerSecond: 0, dailyQuota: 0)
        }
    }

    @Test func contactRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.apimo], settings: Self.settings, clock: clock) { live in
            let connector = try Self.connector(live)
            let log = live.sandbox.writeLog
            var contact = Contact()
            contact.firstName = "Léa"
            contact.lastName = "Martin"
            contact.email = "lea.martin@example.fr"
            contact.contactType = "Contact"
            contact.notes = "Cherche un T3."
            let created = try await connector.create(contact)
            #expect((created.record as? Contact)?.metadata.sourceKey == created.remoteID)
            #expect(log.entries(vendor: .apimo, resource: "contacts", operation: .create).map(\.id) == [created.remoteID])

            let first = try #require(try await Self.read(Contact.self, connector, created.remoteID))
            #expect(first.email == "lea.martin@example.fr" && first.notes == "Cherche un T3." && first.contactType == "Contact")

            clock.advance(by: .seconds(5))
            var changed = first
            changed.email = "lea@example.fr"
            let expected = try #require(first.metadata.sourceModificationTimestamp)
            let updated = try await connector.update(
                RecordChange(record: changed, fields: ["Email"], remoteID: created.remoteID, expectedSourceModification: expected))
            #expect((updated.record as? Contact)?.email == "lea@example.fr")
            let put = try #require(log.entries(vendor: .apimo, resource: "contacts", operation: .update).last?.body)
            #expect(put["email"] == "lea@example.fr" && put["comment"] == "Cherche un T3." && put["active"] == true)
            let second = try #require(try await Self.read(Contact.self, connector, created.remoteID))
            #expect(second.email == "lea@example.fr" && second.notes == "Cherche un T3.")

            // A change made elsewhere after the hub's copy: the stale update is refused.
            clock.advance(by: .seconds(5))
            var elsewhere = second
            elsewhere.notes = "Rappeler lundi."
            _ = try await connector.update(RecordChange(record: elsewhere, fields: ["Notes"], remoteID: created.remoteID))
            let puts = log.entries(vendor: .apimo, resource: "contacts", operation: .update).count
            let stamp = try #require(second.metadata.sourceModificationTimestamp)
            let conflict = await connectorError {
                _ = try await connector.update(
                    RecordChange(record: second, fields: ["Email"], remoteID: created.remoteID, expectedSourceModification: stamp))
            }
            #expect(conflict?.kind == .changedAtVendor)
            #expect((conflict?.vendorRecord as? Contact)?.notes == "Rappeler lundi.")
            #expect(log.entries(vendor: .apimo, resource: "contacts", operation: .update).count == puts)

            // No delete is documented: refused before anything is sent.
            #expect(connector.writeProblems(second, fields: [], operation: .delete).map(\.field) == ["Contacts"])
            let delete = await connectorError { try await connector.delete(Contact.self, remoteID: created.remoteID) }
            #expect(delete?.kind == .configuration)
        }
    }

    @Test func aSeededContactKeepsItsUnmappedFields() async throws {
        try await withLiveSandbox([.apimo], settings: Self.settings) { live in
            let connector = try Self.connector(live)
            let listed = try await live.emulator(.apimo).control(.list(resource: "contacts"))
            let before = try #require(listed.records?.first { $0["agency"] == "14" })
            let id = try #require(before["id"]?.stringValue)
            let current = try #require(try await Self.read(Contact.self, connector, id))
            var changed = current
            changed.mobilePhone = "+33 6 00 00 00 01"
            _ = try await connector.update(RecordChange(record: changed, fields: ["MobilePhone"], remoteID: id))
            let after = try #require(
                try await live.emulator(.apimo).control(.list(resource: "contacts")).records?.first { $0["id"] == before["id"] })
            #expect(after["mobile"] == "+33 6 00 00 00 01")
            for field in ["title", "city", "user", "firstname", "address", "zipcode", "language"] {
                #expect(after[field] == before[field], "\(field) survives")
            }
        }
    }

    @Test func actionRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.apimo], settings: Self.settings, clock: clock) { live in
            let connector = try Self.connector(live)
            let apimo = try #require(connector as? ApimoConnector)
            let users = try await connector.readAll(Member.self).records
            let user = try #require(users.first?.metadata.sourceKey)
            var activity = Activity()
            activity.activityType = "call"
            activity.ownerMemberSourceKey = user
            activity.subject = "Premier appel"
            activity.startTimestamp = clock.now
            let created = try await connector.create(activity)
            let first = try #require(
                try await apimo.actions(agencyID: "14", userID: user).first { $0.metadata.sourceKey == created.remoteID })
            #expect(first.activityType == "call" && first.subject == "Premier appel")

            clock.advance(by: .seconds(5))
            var changed = first
            changed.activityType = "visit"
            let expected = try #require(first.metadata.sourceModificationTimestamp)
            _ = try await connector.update(
                RecordChange(record: changed, fields: ["ActivityType"], remoteID: created.remoteID, expectedSourceModification: expected))
            let second = try #require(
                try await apimo.actions(agencyID: "14", userID: user).first { $0.metadata.sourceKey == created.remoteID })
            #expect(second.activityType == "visit" && second.subject == "Premier appel")

            clock.advance(by: .seconds(5))
            var elsewhere = second
            elsewhere.subject = "Appel modifié"
            _ = try await connector.update(RecordChange(record: elsewhere, fields: ["ActivitySubject"], remoteID: created.remoteID))
            let stamp = try #require(second.metadata.sourceModificationTimestamp)
            let conflict = await connectorError {
                _ = try await connector.update(
                    RecordChange(record: second, fields: ["ActivityType"], remoteID: created.remoteID, expectedSourceModification: stamp))
            }
            #expect(conflict?.kind == .changedAtVendor)
            #expect((conflict?.vendorRecord as? Activity)?.subject == "Appel modifié")
        }
    }

    @Test func propertyUpdateRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.apimo], settings: Self.settings, clock: clock) { live in
            let connector = try Self.connector(live)
            let first = try #require(try await connector.readAll(Property.self).records.first)
            let id = try #require(first.metadata.sourceKey)
            let before = try #require(
                try await live.emulator(.apimo).control(.list(resource: "properties")).records?.first { $0["id"] == .string(id) })

            clock.advance(by: .seconds(5))
            var changed = first
            changed.listPrice = 312_000
            changed.standardStatus = "Withdrawn"
            let expected = try #require(first.metadata.sourceModificationTimestamp)
            let updated = try await connector.update(
                RecordChange(record: changed, fields: ["ListPrice", "StandardStatus"], remoteID: id, expectedSourceModification: expected))
            #expect((updated.record as? Property)?.listPrice == 312_000)
            let second = try #require(try await connector.readAll(Property.self).records.first { $0.metadata.sourceKey == id })
            #expect(second.listPrice == 312_000 && second.standardStatus == "Withdrawn" && second.propertyType == first.propertyType)
            let after = try #require(
                try await live.emulator(.apimo).control(.list(resource: "properties")).records?.first { $0["id"] == .string(id) })
            for field in ["comments", "pictures", "agreement", "city", "area", "reference", "category"] {
                #expect(after[field] == before[field], "\(field) survives")
            }
            #expect(after["price"]?["currency"] == before["price"]?["currency"])

            clock.advance(by: .seconds(5))
            var elsewhere = second
            elsewhere.bedroomsTotal = 7
            _ = try await connector.update(RecordChange(record: elsewhere, fields: ["BedroomsTotal"], remoteID: id))
            let stamp = try #require(second.metadata.sourceModificationTimestamp)
            let conflict = await connectorError {
                _ = try await connector.update(
                    RecordChange(record: second, fields: ["ListPrice"], remoteID: id, expectedSourceModification: stamp))
            }
            #expect(conflict?.kind == .changedAtVendor)
            #expect((conflict?.vendorRecord as? Property)?.bedroomsTotal == 7)
        }
    }

    static func read<R: HubRecord>(_ type: R.Type, _ connector: any Connector, _ id: String) async throws -> R? {
        try await connector.readAll(R.self).records.first { $0.metadata.sourceKey == id }
    }
}
