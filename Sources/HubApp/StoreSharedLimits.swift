import ConnectorKit
import Foundation
import HubStore
import Logging

/// Request limits shared by the hub processes of one database, kept in the store: a
/// connection's concurrency slots (leased, so a killed process's slots come back), its rate
/// (GCRA state) and its daily quota are counted over every process.
struct StoreSharedLimits: SharedRequestLimits {
    let store: any HubStorage
    let owner: String
    let logger: Logger
    /// How long a concurrency slot stays leased without renewal: short, so a killed process's
    /// slots come back within seconds (its deliveries are taken over then), and renewed every
    /// third of it while the request runs (``renewalInterval``), so a slow request keeps its slot.
    var leaseDuration: TimeInterval = StoreSharedLimits.defaultLeaseDuration

    static let defaultLeaseDuration: TimeInterval = 10

    var renewalInterval: Duration? { .milliseconds(max(10, Int(leaseDuration * 1000 / 3))) }

    func renew(_ permit: SharedRequestPermit) async {
        do {
            if try await !store.renewRequest(
                key: permit.connectionID, slot: permit.slot, owner: owner, now: Date(), leaseDuration: leaseDuration)
            {
                logger.warning(
                    "a shared request slot lapsed while its request ran", metadata: ["hub.connection.id": "\(permit.connectionID)"])
            }
        } catch {
            // Retried at the next beat; the lease lasts three beats.
            logger.warning(
                "renewing a shared request slot failed", metadata: ["hub.connection.id": "\(permit.connectionID)", "hub.error": "\(error)"])
        }
    }

    func reserve(connectionID: String, limits: RateLimits, purpose: RequestPurpose, now: Date) async throws -> SharedRequestDecision {
        let budget = limits.budget
        let spec = SharedLimitSpec(
            maxConcurrency: limits.maxConcurrency,
            // A rate so small its interval passes ~31 years is paced as one request in that time
            // (the API accepts rates down to any positive number; 1 / 5e-324 is infinite).
            interval: limits.requestsPerSecond.flatMap { $0 > 0 ? min(1 / $0, Self.longestInterval) : nil },
            burst: limits.burst,
            // A pull counts only up to the share kept for deliveries: the store refuses it there.
            dailyQuota: budget?.ceiling(for: purpose),
            day: Self.day(limits, now), immediateOnly: !purpose.hasPriority)
        switch try await store.reserveRequest(key: connectionID, limits: spec, owner: owner, now: now, leaseDuration: leaseDuration) {
        case .granted(let slot, let wait):
            return .granted(SharedRequestPermit(connectionID: connectionID, slot: slot, wait: .seconds(clamping: wait)))
        case .busy:
            return .busy
        case .paced(let wait):
            return .paced(.seconds(clamping: wait))
        case .quotaExhausted:
            return .quotaExhausted
        }
    }

    /// The longest interval between two requests the store is asked to keep: 10⁹ s.
    static let longestInterval: TimeInterval = 1e9

    /// The store's key of the day `now` falls on in the limits' quota zone.
    static func day(_ limits: RateLimits, _ now: Date) -> String {
        RequestBudget(dailyLimit: 0, timeZone: limits.quotaZone).day(of: now)
    }

    func release(_ permit: SharedRequestPermit) async {
        do {
            try await store.releaseRequest(key: permit.connectionID, slot: permit.slot, owner: owner)
        } catch {
            // The slot's lease runs out on its own.
            logger.warning(
                "releasing a shared request slot failed",
                metadata: ["hub.connection.id": "\(permit.connectionID)", "hub.error": "\(error)"])
        }
    }
}
