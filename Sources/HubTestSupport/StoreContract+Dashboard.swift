import Foundation
public import HubStore

extension StoreContract {
    /// Dashboard sessions and one-time links: found by their token hash until they expire, a
    /// link taken once (a second taker gets nothing), sign-out and the expiry sweep.
    public static func dashboardSessions(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let session = DashboardSession(
            tokenHash: "hash-session", kind: .session, tenantID: scope.tenant, clientID: "client-1", formToken: "form-1",
            createdAt: t0, expiresAt: t0.addingTimeInterval(3_600))
        let link = DashboardSession(
            tokenHash: "hash-link", kind: .link, tenantID: scope.tenant, clientID: "client-1", formToken: "form-2",
            createdAt: t0, expiresAt: t0.addingTimeInterval(600))
        try await store.createDashboardSession(session)
        try await store.createDashboardSession(link)
        do {
            try await store.createDashboardSession(session)
            throw ContractFailure(description: "a second session with the same token hash must conflict")
        } catch let error as StoreError where error.code == .conflict {}
        do {
            var orphan = session
            orphan.tokenHash = "hash-orphan"
            orphan.tenantID = "no-such-tenant"
            try await store.createDashboardSession(orphan)
            throw ContractFailure(description: "a session of an unknown tenant must be refused")
        } catch let error as StoreError where error.code == .notFound {}

        let found = try await store.dashboardSession(tokenHash: "hash-session", now: t0.addingTimeInterval(10))
        try check(found == session, "the session reads back as stored: \(String(describing: found))")
        try check(
            try await store.dashboardSession(tokenHash: "hash-session", now: t0.addingTimeInterval(3_600)) == nil,
            "a session is gone at its expiry")
        try check(try await store.dashboardSession(tokenHash: "hash-unknown", now: t0) == nil, "an unknown hash finds nothing")
        try check(
            try await store.consumeDashboardLink(tokenHash: "hash-session", now: t0) == nil, "a session is not a link to consume")

        // A link is taken once, even by two at the same time.
        async let first = store.consumeDashboardLink(tokenHash: "hash-link", now: t0.addingTimeInterval(5))
        async let second = store.consumeDashboardLink(tokenHash: "hash-link", now: t0.addingTimeInterval(5))
        let taken = [try await first, try await second].compactMap { $0 }
        try check(taken == [link], "one of two takers gets the link: \(taken)")
        try check(try await store.dashboardSession(tokenHash: "hash-link", now: t0) == nil, "a taken link is gone")

        var late = link
        late.tokenHash = "hash-late"
        try await store.createDashboardSession(late)
        try check(
            try await store.consumeDashboardLink(tokenHash: "hash-late", now: t0.addingTimeInterval(600)) == nil,
            "an expired link cannot be taken")

        try check(try await store.deleteDashboardSession(tokenHash: "hash-session"), "sign-out removes the session")
        try check(!(try await store.deleteDashboardSession(tokenHash: "hash-session")), "a second sign-out finds nothing")
        try check(try await store.deleteExpiredDashboardSessions(now: t0.addingTimeInterval(601)) == 1, "the expired link is swept")
        try check(try await store.deleteExpiredDashboardSessions(now: t0.addingTimeInterval(601)) == 0, "nothing is left to sweep")
    }
}
