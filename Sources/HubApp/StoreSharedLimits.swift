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

    func reserve(connectionID: String, limits: RateLimits, now: Date) async throws -> SharedRequestDecision {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: limits.quotaTimeZone) ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let day = calendar.dateComponents([.year, .month, .day], from: now)
        let spec = SharedLimitSpec(
            maxConcurrency: limits.maxConcurrency,
            interval: limits.requestsPerSecond.flatMap { $0 > 0 ? 1 / $0 : nil },
            burst: limits.burst, dailyQuota: limits.dailyQuota,
            day: "\(day.year ?? 0)-\(day.month ?? 0)-\(day.day ?? 0)")
        switch try await store.reserveRequest(key: connectionID, limits: spec, owner: owner, now: now, leaseDuration: leaseDuration) {
        case .granted(let slot, let wait):
            return .granted(SharedRequestPermit(connectionID: connectionID, slot: slot, wait: .seconds(wait)))
        case .busy:
            return .busy
        case .quotaExhausted:
            return .quotaExhausted
        }
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
