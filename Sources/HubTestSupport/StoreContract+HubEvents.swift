import Foundation
public import HubStore
import RealtyModel

extension StoreContract {
    /// The hub's own events: appended with the delivery or run outcome that causes them, in the
    /// change feed's sequence; read by webhooks in order with the record events; left out of
    /// the public feed, whose pages skip their sequence numbers.
    public static func hubEventsInTheFeed(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        _ = try await setUp(store, tenant: "t2")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.upsert([Fixtures.contact(1)], scope: scope, cursor: nil)

        // A delivery that succeeds, one that dies, is retried and then succeeds.
        let new = (1...2).map {
            NewDelivery(
                id: "d-\($0)", tenantID: scope.tenant, connectionID: "conn-1", kind: .leadCreate, payload: Data("{}".utf8), maxAttempts: 1)
        }
        _ = try await store.enqueue(new, now: t0)
        _ = try await store.claimDeliveries(owner: "w1", now: t0, leaseDuration: 60, limit: 10, connectionID: nil)
        let before = try await store.latestEventSequence()
        do {
            _ = try await store.completeDelivery(id: "d-1", owner: "w2", remoteID: nil, now: t0)
            throw ContractFailure(description: "another worker cannot complete a delivery it does not hold")
        } catch let error as StoreError where error.code == .invalidTransition {}
        try check(try await store.latestEventSequence() == before, "a refused transition appends no event")
        _ = try await store.completeDelivery(id: "d-1", owner: "w1", remoteID: "r-1", now: t0.addingTimeInterval(1))
        _ = try await store.failDelivery(
            id: "d-2", owner: "w1", error: "HTTP 403", errorCode: "vendor_permission_denied", retryAt: nil, now: t0)
        _ = try await store.retryDelivery(id: "d-2", tenant: scope.tenant, now: t0.addingTimeInterval(2))
        _ = try await store.claimDeliveries(owner: "w1", now: t0.addingTimeInterval(2), leaseDuration: 60, limit: 10, connectionID: nil)
        _ = try await store.failDelivery(
            id: "d-2", owner: "w1", error: "HTTP 503", retryAt: t0.addingTimeInterval(10), now: t0.addingTimeInterval(3))
        _ = try await store.claimDeliveries(owner: "w1", now: t0.addingTimeInterval(10), leaseDuration: 60, limit: 10, connectionID: nil)
        _ = try await store.completeDelivery(id: "d-2", owner: "w1", remoteID: nil, now: t0.addingTimeInterval(11))
        _ = try await store.upsert([Fixtures.contact(2)], scope: scope, cursor: nil)

        // Runs of one (connection, resource): failed, unavailable (a transition), unavailable
        // again (none), succeeded, unavailable (a transition again); one of another resource.
        var runs: [SyncRun] = []
        for (index, status) in [SyncRun.Status.failed, .unavailable, .unavailable, .succeeded, .unavailable].enumerated() {
            var run = SyncRun(
                id: "run-\(index)", tenantID: scope.tenant, connectionID: "conn-1", resource: .contacts, mode: .full,
                startedAt: t0.addingTimeInterval(Double(100 * index)))
            try await store.startSyncRun(run)
            run.status = status
            run.finishedAt = run.startedAt.addingTimeInterval(5)
            run.error = status == .failed ? "HTTP 500" : nil
            run.skipped = status == .unavailable ? "Contacts is not available on this connection: 403" : nil
            try await store.finishSyncRun(run)
            runs.append(run)
        }
        var members = SyncRun(
            id: "run-members", tenantID: scope.tenant, connectionID: "conn-1", resource: .member, mode: .full,
            startedAt: t0.addingTimeInterval(150))
        try await store.startSyncRun(members)
        members.status = .unavailable
        members.finishedAt = t0.addingTimeInterval(160)
        try await store.finishSyncRun(members)
        // A run left running by a process that died: closed as failed.
        try await store.startSyncRun(
            SyncRun(id: "run-dead", tenantID: scope.tenant, connectionID: "conn-2", resource: .contacts, mode: .full, startedAt: t0))
        try check(try await store.abandonSyncRuns(startedBefore: t0.addingTimeInterval(1), reason: "process ended") == 1, "one abandoned")
        _ = try await store.upsert([Fixtures.contact(3)], scope: scope, cursor: nil)

        let feed = try await store.webhookEvents(tenant: scope.tenant, after: 0, limit: 100)
        let described = feed.map { event -> String in
            switch event {
            case .record(let record): return "\(record.resourceName.rawValue).\(record.change.rawValue)"
            case .hub(let hub): return "\(hub.kind.rawValue) \(hub.subjectID) \(hub.connectionID ?? "-")"
            }
        }
        let expected = [
            "Contacts.created", "delivery.succeeded d-1 conn-1", "delivery.dead d-2 conn-1", "delivery.succeeded d-2 conn-1",
            "Contacts.created", "sync_run.failed run-0 conn-1", "connection.unavailable run-1 conn-1",
            "connection.unavailable run-4 conn-1", "connection.unavailable run-members conn-1", "sync_run.failed run-dead conn-2",
            "Contacts.created",
        ]
        try check(described == expected, "the webhook feed in order: \(described)")
        try check(zip(feed, feed.dropFirst()).allSatisfy { $0.sequence < $1.sequence }, "sequences increase")
        if case .hub(let succeeded) = feed[1] {
            try check(succeeded.timestamp == t0.addingTimeInterval(1), "the event is stamped with the change: \(succeeded.timestamp)")
        }
        try check(try await store.latestEventSequence() == feed.last?.sequence, "the latest sequence counts every event")
        let tail = try await store.webhookEvents(tenant: scope.tenant, after: feed[1].sequence, limit: 2)
        try check(tail.map(\.sequence) == [feed[2].sequence, feed[3].sequence], "webhook feed: after + limit")
        try check(try await store.webhookEvents(tenant: "t2", after: 0, limit: 100).isEmpty, "another tenant sees none")

        // The public feed: record events only, pages full across the hub's events.
        let records = try await store.events(tenant: scope.tenant, after: 0, limit: 100)
        try check(records.count == 3 && records.allSatisfy { $0.resourceName == .contacts }, "public feed: \(records.count) events")
        let first = try await store.events(tenant: scope.tenant, after: 0, limit: 1)
        let second = try await store.events(tenant: scope.tenant, after: first.last?.sequence ?? 0, limit: 1)
        let third = try await store.events(tenant: scope.tenant, after: second.last?.sequence ?? 0, limit: 1)
        try check(
            (first + second + third).map(\.sequence) == records.map(\.sequence) && records[1].sequence - records[0].sequence == 4,
            "pages of one skip the hub's sequence numbers: \(records.map(\.sequence))")
        let last = try await store.events(tenant: scope.tenant, after: records[2].sequence, limit: 10)
        try check(last.isEmpty, "nothing after the last record event")
        let afterHub = try await store.events(tenant: scope.tenant, after: feed[1].sequence, limit: 1)
        try check(afterHub.map(\.sequence) == [records[1].sequence], "a page may start after a hub event's sequence")

        // Runs read back by id, per tenant.
        try check(try await store.syncRun(id: "run-0", tenant: scope.tenant) == runs[0], "a run reads back by id")
        try check(try await store.syncRun(id: "run-0", tenant: "t2") == nil, "not from another tenant")
        try check(try await store.syncRun(id: "nope", tenant: scope.tenant) == nil, "an unknown run is nil")
    }
}
