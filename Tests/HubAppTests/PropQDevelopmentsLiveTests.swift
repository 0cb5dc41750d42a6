import ConnectorKit
import Foundation
import HubApp
import HubOperations
import HubStore
import HubStoreSQLite
import RealtyModel
import Sandbox
import Testing

@testable import SyncEngine

/// PropQ developments reach the store through the connection's `development_ids` option.
@Suite struct PropQDevelopmentsLiveTests {
    @Test func aConnectionWithDevelopmentIDsSyncsExactlyThoseDevelopments() async throws {
        let tracked = ["1001", "1003", "1006"]
        let harness = try await SyncEngineLiveTests.Harness.start(
            .propq, records: 10,
            configure: {
                $0.options = ["development_ids": tracked.joined(separator: ",")]
                $0.syncIntervalSeconds = 300
                $0.rereadIntervalSeconds = 3_600
            })
        defer { Task { try? await harness.shutdown() } }

        let run = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .development, mode: .full)
        #expect(run.status == .succeeded, "\(run.error ?? "")")
        #expect(run.inserted == 3 && run.pages == 1)

        let listed = try #require(await harness.sandbox.emulator(.propq)?.control(.list(resource: "developments")).records)
        var emulatorStatus: [String: String] = [:]
        for record in listed {
            if let id = record["DevId"]?.stringValue { emulatorStatus[id] = record["DevStatus"]?.stringValue }
        }
        let stored = try await harness.store.list(Development.self, tenant: harness.tenant, query: ListQuery(perPage: 100))
        let byKey = Dictionary(stored.records.map { ($0.metadata.sourceKey ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey.keys.sorted() == tracked)
        for id in tracked {
            #expect(byKey[id]?.developmentStatus == emulatorStatus[id], "development \(id)")
            #expect(byKey[id]?.metadata.connectionID == harness.connectionID)
        }
        #expect(byKey["1001"]?.developmentStatus == "PUBLISHED" && byKey["1003"]?.developmentStatus == "UNPUBLISHED")

        // Developments have no change signal: the next pull is due an hour (the connection's
        // cadence) after this read began, not at the next five-minute interval.
        let runtime = HubRuntime(
            store: harness.store, secretBox: try SecretBox(keys: [SecretKey.generate().key]), connectors: harness.provider,
            logger: harness.logger)
        let states = try await runtime.resourceStates(
            of: try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant)),
            now: run.startedAt.addingTimeInterval(60))
        #expect(states.map(\.resource) == [.development])
        // (The store keeps times to the millisecond.)
        let due = try #require(states.first?.nextDueAt)
        #expect(abs(due.timeIntervalSince(run.startedAt.addingTimeInterval(3_600))) < 0.001, "\(due)")
        #expect(states.first?.incremental == false && states.first?.availability == .available)

        // Without the option the connection reads nothing (PropQ cannot list developments).
        var connection = try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant))
        // Only the options change: the provider's cache fingerprint must see them.
        connection.options = [:]
        _ = try await harness.store.saveConnection(connection, credentials: nil)
        let credentials = try await harness.store.credentials(connectionID: harness.connectionID, tenant: harness.tenant)
        #expect(try harness.provider.connector(for: connection, credentials: credentials).capabilities.readable.isEmpty)
    }
}
