import BostonLogicConnector
import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// Boston Logic's connector against the Boston Logic emulator over loopback. Boston Logic
/// authenticates with an API key bound to a host (no token to renew) and documents no paging
/// or change filter, so every read is a whole pass.
@Suite struct BostonLogicLiveTests {
    static let quickRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    static func contact(_ tag: String) -> Contact {
        var contact = Contact()
        contact.firstName = "Live"
        contact.lastName = "Test \(tag)"
        contact.email = "live.\(tag)@example.com"
        return contact
    }

    /// Offices, members (agents and employees), teams and leads: exactly the emulator's records.
    @Test func fullReadsReturnEveryRecordOnce() async throws {
        try await withLiveSandbox([.bostonLogic], settings: EmulatorSettings(records: 17)) { live in
            let connector = try live.connector(.bostonLogic)
            let offices = try await connector.readAll(Office.self)
            let members = try await connector.readAll(Member.self)
            let teams = try await connector.readAll(Team.self)
            let leads = try await connector.readAll(Contact.self)

            let officeCount = try await emulatorCount(live, .bostonLogic, "offices")
            let agentCount = try await emulatorCount(live, .bostonLogic, "agents")
            let employeeCount = try await emulatorCount(live, .bostonLogic, "employees")
            let teamCount = try await emulatorCount(live, .bostonLogic, "teams")
            #expect(offices.records.count == officeCount)
            let people = agentCount + employeeCount
            #expect(members.records.count == people)
            #expect(Set(members.records.compactMap(\.metadata.sourceKey)).count == people)
            #expect(teams.records.count == teamCount)
            let leadIDs = try await live.emulator(.bostonLogic).control(.list(resource: "leads")).ids
            #expect(leads.records.count == leadIDs.count)
            #expect(Set(leads.records.compactMap(\.metadata.sourceKey)) == Set(leadIDs))
            #expect(leads.records.allSatisfy { $0.metadata.raw != nil })
        }
    }

    /// Boston Logic declares no incremental read; an incremental request is a whole pass that
    /// includes the changed records.
    @Test func incrementalIsAWholePass() async throws {
        try await withLiveSandbox([.bostonLogic], settings: EmulatorSettings(records: 10)) { live in
            let connector = try live.connector(.bostonLogic)
            #expect(connector.capabilities.read(.contacts)?.incremental == false)
            let changed = try await live.emulator(.bostonLogic).control(.mutate(resource: "leads", count: 2)).ids
            let leads = try await connector.readAll(Contact.self, mode: .incremental)
            let leadCount = try await emulatorCount(live, .bostonLogic, "leads")
            #expect(leads.records.count == leadCount)
            #expect(Set(leads.records.compactMap(\.metadata.sourceKey)).isSuperset(of: changed))
        }
    }

    /// A created lead is written once at the vendor and found again by its email.
    @Test func createLeadRoundTrip() async throws {
        try await withLiveSandbox([.bostonLogic]) { live in
            let connector = try live.connector(.bostonLogic)
            let contact = Self.contact("roundtrip")
            let created = try await connector.create(contact)
            let writes = live.sandbox.writeLog.entries(vendor: .bostonLogic, resource: "leads", operation: .create)
            #expect(writes.count == 1)
            #expect(writes.first?.id == created.remoteID)
            #expect(try await connector.lookup(contact) == created.remoteID)
            var changed = contact
            changed.lastName = "Changed"
            #expect(try await connector.update(changed, remoteID: created.remoteID).remoteID == created.remoteID)
            #expect(live.sandbox.writeLog.entries(vendor: .bostonLogic, resource: "leads", operation: .update).count == 1)
        }
    }

    @Test(arguments: [FaultKind.serverError(500), .serverError(502), .serverError(503), .rateLimited, .reset])
    func retryableFaultsAreRecoveredOnReads(kind: FaultKind) async throws {
        try await withLiveSandbox([.bostonLogic], settings: EmulatorSettings(records: 8)) { live in
            let connector = try live.connector(.bostonLogic) { $0.retry = Self.quickRetry }
            try live.faults(.bostonLogic).enqueue([
                FaultInjection(kind: kind, count: 2, method: "GET", path: "/api/v2/leads", retryAfter: 0)
            ])
            let leads = try await connector.readAll(Contact.self)
            let leadCount = try await emulatorCount(live, .bostonLogic, "leads")
            #expect(leads.records.count == leadCount)
            #expect(try live.faults(.bostonLogic).injectedCounts[kind.name] == 2)
        }
    }

    @Test func unrecoverableFaultsAreClassified() async throws {
        let settings = EmulatorSettings(records: 5, faults: FaultPlan(timeoutHold: .seconds(5)))
        try await withLiveSandbox([.bostonLogic], settings: settings) { live in
            let connector = try live.connector(.bostonLogic) {
                $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
                $0.timeouts = .init(request: .seconds(1))
            }
            let faults = try live.faults(.bostonLogic)

            faults.enqueue([FaultInjection(kind: .timeout, count: 2, path: "/api/v2/offices")])
            let timeout = await connectorError { _ = try await connector.readAll(Office.self) }
            #expect(timeout?.kind == .retryable)
            #expect(timeout?.vendor == .bostonLogic)

            faults.enqueue([FaultInjection(kind: .reset, count: 2, path: "/api/v2/offices")])
            let reset = await connectorError { _ = try await connector.readAll(Office.self) }
            #expect(reset?.kind == .retryable)

            faults.enqueue([FaultInjection(kind: .garbage, path: "/api/v2/offices")])
            let garbage = await connectorError { _ = try await connector.readAll(Office.self) }
            #expect(garbage?.kind == .invalidResponse)
        }
    }

    /// The lead is created but the answer is lost: the POST is not resent and the vendor holds
    /// exactly one new lead, which a lookup finds.
    @Test func lostCreateIsNotResent() async throws {
        try await withLiveSandbox([.bostonLogic]) { live in
            let connector = try live.connector(.bostonLogic) { $0.retry = Self.quickRetry }
            try live.faults(.bostonLogic).enqueue([FaultInjection(kind: .lost, method: "POST", path: "/api/v2/leads")])
            let error = await connectorError { _ = try await connector.create(Self.contact("lost")) }
            #expect(error?.kind == .retryable)
            #expect(error?.httpStatus == 500)
            #expect(live.sandbox.writeLog.entries(vendor: .bostonLogic, resource: "leads", operation: .create).count == 1)
            #expect(live.traffic.count(path: "/api/v2/leads", method: .post) == 1)
            #expect(try await connector.lookup(Self.contact("lost")) != nil)
        }
    }

    /// Concurrent reads on one connection all complete with the same records.
    @Test func concurrentReadsOnOneConnection() async throws {
        try await withLiveSandbox([.bostonLogic], settings: EmulatorSettings(records: 6)) { live in
            let connector = try live.connector(.bostonLogic)
            let expected = try await emulatorCount(live, .bostonLogic, "offices")
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await connector.readAll(Office.self).records.count } }
                for try await count in group { #expect(count == expected) }
            }
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await withLiveSandbox([.bostonLogic], settings: EmulatorSettings(records: 5)) { live in
            let connector = try live.connector(.bostonLogic)
            try live.faults(.bostonLogic).enqueue([FaultInjection(kind: .rateLimited, path: "/api/v2/offices", retryAfter: 1)])
            let started = ContinuousClock.now
            let offices = try await connector.readAll(Office.self)
            let elapsed = ContinuousClock.now - started
            let officeCount = try await emulatorCount(live, .bostonLogic, "offices")
            #expect(offices.records.count == officeCount)
            #expect(elapsed >= .milliseconds(950))
            #expect(elapsed < .seconds(8))
        }
    }
}
