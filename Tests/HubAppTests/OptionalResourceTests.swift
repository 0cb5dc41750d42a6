import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import Testing

@testable import SyncEngine

/// Auxiliary resources a connection cannot read (the vendor's server lacks the route, or the
/// credentials lack the right) degrade to "not available on this connection"; core resources
/// still fail.
@Suite struct OptionalResourceTests {
    typealias Harness = SyncEngineLiveTests.Harness

    private func deny(_ harness: Harness, _ resource: String) async throws {
        _ = try await harness.sandbox.emulator(.pfExpert)?.control(
            .custom(op: "deny", arguments: ["resource": .string(resource), "access": "read"]))
    }

    private func runtime(_ harness: Harness) throws -> HubRuntime {
        HubRuntime(
            store: harness.store, secretBox: try SecretBox(keys: [SecretKey.generate().key]), connectors: harness.provider,
            logger: harness.logger)
    }

    private func activityKeys(_ harness: Harness) async throws -> Set<String> {
        let page = try await harness.store.list(Activity.self, tenant: harness.tenant, query: ListQuery(perPage: 1000))
        return Set(page.records.compactMap(\.metadata.sourceKey))
    }

    /// A PF account without WhatsApp: activities come from tracked calls alone, the run succeeds
    /// and says what it skipped, nothing is swept, and the API's resource state is `partial`.
    @Test func anAccountWithoutWhatsAppSyncsItsCallsAndSaysWhatItSkipped() async throws {
        let harness = try await Harness.start(.pfExpert, records: 12)
        defer { Task { try? await harness.shutdown() } }
        let runner = harness.runner()
        let first = try await runner.run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .activity, mode: .full)
        #expect(first.status == .succeeded, "\(first.error ?? "")")
        #expect(first.skipped == nil)
        let whatsApp = try await harness.count("whatsapp-leads", .pfExpert)
        let calls = try await harness.count("calltrackings", .pfExpert)
        #expect(try await activityKeys(harness).count == whatsApp + calls)

        try await deny(harness, "whatsapp-leads")
        let second = try await runner.run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .activity, mode: .full)
        #expect(second.status == .succeeded, "\(second.error ?? "")")
        let skipped = try #require(second.skipped)
        #expect(skipped.hasPrefix("GET /whatsapp-leads is not available on this connection (403 AccessDenied: "))
        #expect(second.deleted == 0, "records of a skipped endpoint are not swept")
        #expect(second.unchanged == calls)
        #expect(try await activityKeys(harness).count == whatsApp + calls)

        let states = try await runtime(harness).resourceStates(
            of: try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant)))
        let activity = try #require(states.first { $0.resource == .activity })
        #expect(activity.availability == .partial)
        #expect(activity.reason == skipped)
        #expect(!activity.core)
        #expect(states.first { $0.resource == .contacts }?.availability == .notSynced)
        #expect(states.first { $0.resource == .contacts }?.core == true)
    }

    /// With neither WhatsApp nor call tracking, activities are not available: the run says so
    /// (not failed), and the scheduler asks again only at the full-pass cadence.
    @Test func anAccountWithNeitherMarksActivitiesUnavailable() async throws {
        let harness = try await Harness.start(.pfExpert, records: 6)
        defer { Task { try? await harness.shutdown() } }
        try await deny(harness, "whatsapp-leads")
        try await deny(harness, "calltrackings")
        let run = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .activity, mode: .full)
        #expect(run.status == .unavailable)
        #expect(run.error == nil)
        let skipped = try #require(run.skipped)
        // The endpoint skipped first, then the resource as a whole with the last refusal.
        let lines = skipped.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.hasPrefix("GET /whatsapp-leads is not available on this connection (403 AccessDenied: ") == true)
        #expect(lines.last?.hasPrefix("Activity is not available on this connection: pf-expert permission") == true, "\(lines)")
        #expect(lines.last?.contains("calltrackings") == true)

        let leads = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(leads.status == .succeeded)

        let states = try await runtime(harness).resourceStates(
            of: try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant)))
        #expect(states.first { $0.resource == .activity }?.availability == .unavailable)
        #expect(states.first { $0.resource == .contacts }?.availability == .available)
        let synced = try #require(states.first { $0.resource == .contacts }?.lastSyncedAt)
        #expect(abs(synced.timeIntervalSince(try #require(leads.finishedAt))) < 0.001)

        let runs = try await harness.store.listSyncRuns(tenant: harness.tenant, connectionID: harness.connectionID, limit: 10)
        let started = run.startedAt
        #expect(
            SyncScheduler.due(
                runs: runs, resource: .activity, interval: 60, fullPassInterval: 86_400, now: started.addingTimeInterval(3_600)) == nil)
        #expect(
            SyncScheduler.due(
                runs: runs, resource: .activity, interval: 60, fullPassInterval: 86_400, now: started.addingTimeInterval(86_401)) == .full)
    }

    /// A core resource the credentials may not read is still an error.
    @Test func aCoreResourceRefusedStillFails() async throws {
        let harness = try await Harness.start(.pfExpert, records: 6)
        defer { Task { try? await harness.shutdown() } }
        try await deny(harness, "leads")
        let run = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(run.status == .failed)
        #expect(run.error?.contains("AccessDenied") == true)
        #expect(run.skipped == nil)
    }
}
