import ConnectorKit
import Foundation
import Synchronization
import Testing

/// A shared session store in memory, standing in for the database two processes share.
private final class MemorySharedSessions: SharedSessionStore {
    private let state = Mutex<(session: AuthSession?, locked: Bool, lockCount: Int)>((nil, false, 0))

    var lockCount: Int { state.withLock { $0.lockCount } }

    func withRenewalLock<T: Sendable>(connectionID: String, _ body: @Sendable () async throws -> T) async throws -> T {
        while !state.withLock({ value in
            if value.locked { return false }
            value.locked = true
            value.lockCount += 1
            return true
        }) {
            try await Task.sleep(for: .milliseconds(1))
        }
        defer { state.withLock { $0.locked = false } }
        return try await body()
    }

    func load(connectionID: String) async throws -> AuthSession? { state.withLock { $0.session } }

    func save(_ session: AuthSession, connectionID: String) async throws { state.withLock { $0.session = session } }
}

@Suite struct KitSharedSessionTests {
    @Test func twoProcessesShareOneLogin() async throws {
        let clock = ManualConnectorClock()
        let shared = MemorySharedSessions()
        // Two caches: the token caches of two processes using one connection.
        let caches = (0..<2).map { _ in
            TokenCache(connectionID: "conn-1", renewalMargin: .seconds(60), clock: clock, logger: KitFixtures.silentLogger, shared: shared)
        }
        let logins = KitCallCounter()
        let renew: TokenCache.Renewal = {
            let number = logins.increment()
            try await Task.sleep(for: .milliseconds(20))
            return AuthSession(secret: "session-\(number)", obtainedAt: clock.now(), expiresAt: clock.now().addingTimeInterval(1800))
        }
        let secrets = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<20 {
                let cache = caches[index % 2]
                group.addTask { try await cache.session(renew: renew).secret }
            }
            var all: [String] = []
            for try await secret in group { all.append(secret) }
            return all
        }
        #expect(logins.count == 1, "one login for both processes")
        #expect(Set(secrets) == ["session-1"])
    }

    @Test func aRefusedSessionIsNotTakenFromTheSharedStoreAgain() async throws {
        let clock = ManualConnectorClock()
        let shared = MemorySharedSessions()
        let cache = TokenCache(
            connectionID: "conn-1", renewalMargin: .seconds(60), clock: clock, logger: KitFixtures.silentLogger, shared: shared)
        let logins = KitCallCounter()
        let renew: TokenCache.Renewal = {
            let number = logins.increment()
            return AuthSession(secret: "session-\(number)", obtainedAt: clock.now(), expiresAt: clock.now().addingTimeInterval(1800))
        }
        let first = try await cache.session(renew: renew)
        await cache.invalidate(first)
        let second = try await cache.session(renew: renew)
        #expect(second.secret == "session-2", "the vendor refused session-1; a new login is needed")
        #expect(try await shared.load(connectionID: "conn-1")?.secret == "session-2")
    }

    @Test func anExpiredSharedSessionIsRenewed() async throws {
        let clock = ManualConnectorClock()
        let shared = MemorySharedSessions()
        try await shared.save(
            AuthSession(secret: "old", obtainedAt: clock.now().addingTimeInterval(-1800), expiresAt: clock.now().addingTimeInterval(10)),
            connectionID: "conn-1")
        let cache = TokenCache(
            connectionID: "conn-1", renewalMargin: .seconds(60), clock: clock, logger: KitFixtures.silentLogger, shared: shared)
        let session = try await cache.session(renew: {
            AuthSession(secret: "new", obtainedAt: clock.now(), expiresAt: clock.now().addingTimeInterval(1800))
        })
        #expect(session.secret == "new")
        #expect(shared.lockCount == 1)
    }

    @Test func sessionsRoundTripWithoutTheirGeneration() throws {
        let session = AuthSession(
            secret: "s", obtainedAt: Date(timeIntervalSince1970: 1_800_000_000), expiresAt: nil, idleTimeout: .seconds(1800),
            attributes: ["userId": "19x1"])
        let decoded = try JSONDecoder().decode(AuthSession.self, from: JSONEncoder().encode(session))
        #expect(decoded == session)
    }
}
