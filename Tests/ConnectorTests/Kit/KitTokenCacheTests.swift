import ConnectorKit
import Foundation
import ResalesOnlineConnector
import Testing

@Suite struct KitTokenCacheTests {
    private func makeCache(clock: ManualConnectorClock, margin: Duration = .seconds(60)) -> TokenCache {
        TokenCache(connectionID: "conn-1", renewalMargin: margin, clock: clock, logger: KitFixtures.silentLogger)
    }

    @Test func concurrentCallersShareOneRenewal() async throws {
        let clock = ManualConnectorClock()
        let cache = makeCache(clock: clock)
        let logins = KitCallCounter()
        let gate = AsyncStream<Void>.makeStream()
        let renew: TokenCache.Renewal = {
            let number = logins.increment()
            // Hold the renewal open until every caller is waiting on it.
            for await _ in gate.stream { break }
            return AuthSession(secret: "token-\(number)", obtainedAt: clock.now(), expiresAt: clock.now().addingTimeInterval(1800))
        }
        let secrets = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask { try await cache.session(renew: renew).secret }
            }
            // Let every task reach the cache before the renewal finishes.
            while await cache.renewalCount == 0 { await Task.yield() }
            for _ in 0..<100 { await Task.yield() }
            gate.continuation.yield()
            gate.continuation.finish()
            var all: [String] = []
            for try await secret in group { all.append(secret) }
            return all
        }
        #expect(secrets.count == 50)
        #expect(Set(secrets) == ["token-1"])
        #expect(logins.count == 1)
        #expect(await cache.renewalCount == 1)
    }

    @Test func renewsBeforeExpiryByTheMargin() async throws {
        let clock = ManualConnectorClock()
        let cache = makeCache(clock: clock, margin: .seconds(60))
        let logins = KitCallCounter()
        let renew: TokenCache.Renewal = {
            let number = logins.increment()
            return AuthSession(secret: "t\(number)", obtainedAt: clock.now(), expiresAt: clock.now().addingTimeInterval(1800))
        }
        #expect(try await cache.session(renew: renew).secret == "t1")
        clock.advance(by: .seconds(1739))
        #expect(try await cache.session(renew: renew).secret == "t1")
        clock.advance(by: .seconds(1)) // 60 s before expiry: due.
        #expect(try await cache.session(renew: renew).secret == "t2")
        #expect(logins.count == 2)
    }

    @Test func idleSessionsAreRenewedButUseKeepsThemAlive() async throws {
        let clock = ManualConnectorClock()
        let cache = makeCache(clock: clock, margin: .seconds(60))
        let logins = KitCallCounter()
        let renew: TokenCache.Renewal = {
            let number = logins.increment()
            return AuthSession(
                secret: "s\(number)", obtainedAt: clock.now(), expiresAt: clock.now().addingTimeInterval(86_400),
                idleTimeout: .seconds(1800))
        }
        #expect(try await cache.session(renew: renew).secret == "s1")
        for _ in 0..<10 {
            clock.advance(by: .seconds(1500))
            #expect(try await cache.session(renew: renew).secret == "s1")
        }
        clock.advance(by: .seconds(1745))
        #expect(try await cache.session(renew: renew).secret == "s2")
    }

    @Test func invalidateDropsOnlyTheRefusedSession() async throws {
        let clock = ManualConnectorClock()
        let cache = makeCache(clock: clock)
        let logins = KitCallCounter()
        let renew: TokenCache.Renewal = {
            let number = logins.increment()
            return AuthSession(secret: "t\(number)", obtainedAt: clock.now(), expiresAt: nil)
        }
        let first = try await cache.session(renew: renew)
        await cache.invalidate(first)
        let second = try await cache.session(renew: renew)
        #expect(second.secret == "t2")
        // A late refusal of the first session must not throw away the second.
        await cache.invalidate(first)
        #expect(try await cache.session(renew: renew).secret == "t2")
        #expect(logins.count == 2)
    }

    @Test func aFailedRenewalReachesEveryWaiterAndTheNextCallTriesAgain() async throws {
        let clock = ManualConnectorClock()
        let cache = makeCache(clock: clock)
        let logins = KitCallCounter()
        let failing: TokenCache.Renewal = {
            logins.increment()
            throw ConnectorError(.auth, vendor: .propq, message: "refused")
        }
        await #expect(throws: ConnectorError.self) { try await cache.session(renew: failing) }
        let working: TokenCache.Renewal = { AuthSession(secret: "ok-token", obtainedAt: clock.now()) }
        #expect(try await cache.session(renew: working).secret == "ok-token")
        #expect(logins.count == 1)
    }

    @Test func sessionDescriptionsHideTheSecret() {
        let session = AuthSession(secret: "very-secret-token", obtainedAt: Date())
        #expect(!session.description.contains("very-secret-token"))
        #expect(!String(reflecting: session).contains("very-secret-token"))
    }
}
