import BostonLogicConnector
import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// Boston Logic writes against the Boston Logic emulator over loopback: for leads, agents,
/// employees, offices and teams, create, read back, patch (only the changed attributes),
/// refused stale patch, delete, gone.
@Suite struct BostonLogicWriteLiveTests {
    static let settings = EmulatorSettings(records: 3)

    static func person(_ tag: String, type: String) -> Member {
        var member = Member()
        member.firstName = "Live"
        member.lastName = tag
        member.email = "live.\(tag.lowercased())@brokerage.example.com"
        member.type = type
        member.jobTitle = "Coordinator"
        return member
    }

    @Test func leadRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.bostonLogic], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.bostonLogic)
            var contact = BostonLogicLiveTests.contact("trip")
            contact.contactStatus = "Contacted"
            contact.leadSource = "Zillow"
            contact.mobilePhone = "617-555-0177"
            let trip = try await liveWriteRoundTrip(connector, clock: clock, record: contact, deletes: true) { lead in
                lead.contactStatus = "Closed"
                lead.homeCity = "Boston"
                return ["ContactStatus", "HomeCity"]
            }
            #expect(trip.created.leadSource == "Zillow")
            #expect(trip.created.metadata.raw?["source"] == .string("zillow"))
            #expect(trip.updated.contactStatus == "Closed")
            let updates = live.sandbox.writeLog.entries(vendor: .bostonLogic, resource: "leads", operation: .update)
            #expect(updates.first?.body == ["status": "closed", "city": "Boston"])
        }
    }

    /// A patch of a seeded lead's status keeps the attributes the hub does not map.
    @Test func unmappedLeadFieldsSurvive() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let connector = try live.connector(.bostonLogic)
            let emulator = try live.emulator(.bostonLogic)
            let before = try #require(try await emulator.control(.list(resource: "leads")).records?.first)
            let id = try #require(before["id"]?.stringValue)
            var contact = Contact()
            contact.contactStatus = "Nurturing"
            _ = try await connector.update(RecordChange(record: contact, fields: ["ContactStatus"], remoteID: id))
            let after = try #require(try await emulator.control(.list(resource: "leads")).records?.first)
            #expect(after["status"] == .string("nurturing"))
            for name in ["lead_type", "phone_type", "team_id", "owner_type", "first_name", "email"] {
                #expect(after[name] == before[name], "\(name)")
            }
        }
    }

    @Test func agentRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.bostonLogic], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.bostonLogic)
            let trip = try await liveWriteRoundTrip(connector, clock: clock, record: Self.person("Agent", type: "Agent"), deletes: true) {
                member in
                member.mobilePhone = "617-555-0123"
                member.status = "Inactive"
                return ["MemberMobilePhone", "MemberStatus"]
            }
            #expect(!trip.remoteID.hasPrefix("employee-"))
            #expect(trip.updated.metadata.raw?["mobile_phone"] == .string("617-555-0123"))
        }
    }

    /// Employees are written to their own list and keep the `employee-` key.
    @Test func employeeRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.bostonLogic], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.bostonLogic)
            let trip = try await liveWriteRoundTrip(
                connector, clock: clock, record: Self.person("Employee", type: "Employee"), deletes: true
            ) { member in
                member.jobTitle = "Office Manager"
                return ["JobTitle"]
            }
            #expect(trip.remoteID.hasPrefix("employee-"))
            #expect(trip.created.type == "Employee")
            #expect(live.sandbox.writeLog.entries(vendor: .bostonLogic, resource: "employees", operation: .create).count == 1)
        }
    }

    @Test func officeRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.bostonLogic], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.bostonLogic)
            var office = Office()
            office.name = "Live Seaport"
            office.city = "Boston"
            office.status = "Active"
            let trip = try await liveWriteRoundTrip(connector, clock: clock, record: office, deletes: true) { office in
                office.phone = "617-555-0200"
                return ["OfficePhone"]
            }
            #expect(trip.updated.phone == "617-555-0200")
            #expect(trip.updated.name == "Live Seaport")
        }
    }

    @Test func teamRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.bostonLogic], settings: Self.settings, clock: clock) { live in
            let connector = try live.connector(.bostonLogic)
            var team = Team()
            team.name = "The Live Team"
            team.leadSourceKey = "1"
            let trip = try await liveWriteRoundTrip(connector, clock: clock, record: team, deletes: true) { team in
                team.status = "Inactive"
                return ["TeamStatus"]
            }
            #expect(trip.created.leadSourceKey == "1")
            #expect(trip.updated.status == "Inactive")
            #expect(try await connector.lookup(team) == nil)
        }
    }

    /// A key with the Read permission only: every write is `.permission`, nothing is written.
    @Test func readOnlyKeyIsRefused() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let connector = try live.connector(.bostonLogic) { configuration in
                configuration.credentials = .bostonLogic(
                    apiKey: BostonLogicEmulator.readOnlyKey(seed: Self.settings.seed), host: "127.0.0.1")
            }
            var office = Office()
            office.name = "Denied"
            let create = await connectorError { _ = try await connector.create(office) }
            #expect(create?.kind == .permission)
            #expect(create?.hubError.code == .vendorPermissionDenied)
            var contact = Contact()
            contact.contactStatus = "New"
            let update = await connectorError {
                _ = try await connector.update(RecordChange(record: contact, fields: ["ContactStatus"], remoteID: "1"))
            }
            #expect(update?.kind == .permission)
            let delete = await connectorError { try await connector.delete(Team.self, remoteID: "1") }
            #expect(delete?.kind == .permission)
            #expect(live.sandbox.writeLog.entries(vendor: .bostonLogic).isEmpty)
        }
    }
}
