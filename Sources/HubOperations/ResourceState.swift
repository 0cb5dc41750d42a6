public import ConnectorKit
public import Foundation
public import HubStore
public import RealtyModel

/// How one resource of a connection stands, from its sync runs (newest first).
public struct ResourceState: Sendable, Hashable {
    /// What the latest finished run says.
    public enum Availability: String, Sendable, Hashable {
        /// Never read yet.
        case notSynced = "not_synced"
        /// The latest run read everything.
        case available
        /// The latest run read the resource but skipped auxiliary endpoints the connection
        /// cannot read (see ``ResourceState/reason``).
        case partial
        /// Nothing of the resource is available on this connection (see ``ResourceState/reason``).
        case unavailable
        /// The latest run failed (see ``ResourceState/reason``).
        case failing
        /// The latest run stopped at the connection's daily request budget and resumes after
        /// the reset (see ``ResourceState/reason``).
        case budgetExhausted = "budget_exhausted"
    }

    public var resource: ResourceName
    /// Whether the vendor's seed document describes the resource (its failures are errors).
    public var core: Bool
    /// Whether changes are read incrementally (else every pull reads it whole).
    public var incremental: Bool
    public var availability: Availability
    /// Why the resource is partial, unavailable or failing.
    public var reason: String?
    /// When the latest run that read the resource (in full or in part) finished: how fresh the
    /// hub's copy is.
    public var lastSyncedAt: Date?
    /// When the latest completed full pass (deletion detection) started.
    public var lastFullPassAt: Date?
    /// Whether a run is in progress.
    public var running: Bool
    /// When the scheduler next pulls the resource (with its default full-pass cadence); nil
    /// when the connection is pulled by hand only or is disabled.
    public var nextDueAt: Date?

    /// The state of `capability`'s resource from `runs`, newest first.
    public init(capability: ReadCapability, runs: [SyncRun]) {
        resource = capability.resource
        core = capability.core
        incremental = capability.incremental
        running = runs.first?.status == .running
        let finished = runs.first { $0.status != .running }
        lastSyncedAt = runs.first { $0.status == .succeeded }.flatMap(\.finishedAt)
        lastFullPassAt = runs.first { $0.status == .succeeded && $0.mode == .full }?.startedAt
        switch finished?.status {
        case nil, .running?:
            availability = .notSynced
        case .succeeded?:
            availability = finished?.skipped == nil ? .available : .partial
            reason = finished?.skipped
        case .unavailable?:
            availability = .unavailable
            reason = finished?.skipped
        case .failed?:
            availability = .failing
            reason = finished?.error
        case .budgetExhausted?:
            availability = .budgetExhausted
            reason = finished?.error
        }
    }
}
