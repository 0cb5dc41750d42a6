public import Foundation
public import RealtyModel

/// One of the hub's own events (a delivery's or a sync run's outcome), kept in the change feed
/// beside the record events, in the same sequence, and appended in the transaction of the state
/// change that causes it: a crash never loses one, nor leaves one for a change that did not
/// commit.
///
/// Stored as a row of the change feed whose `resource` is a hub name (`delivery`, `sync_run`,
/// `connection`, never a RESO resource name) and whose `change` is the event's verb; the public
/// feed (``EventStore/events(tenant:after:limit:)``) leaves these rows out, webhooks read them
/// through ``WebhookStore/webhookEvents(tenant:after:limit:)``. The row names what the event is
/// about (``subjectID``); what is sent is read from the current stored state when it is sent.
public struct HubEvent: Sendable, Hashable {
    /// The event types, by their webhook names.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A delivery reached `done`: once per delivery (done is final).
        case deliverySucceeded = "delivery.succeeded"
        /// A delivery reached `dead` (attempts spent or a permanent error); again each time a
        /// retried delivery dies again. A conflict is not dead and emits nothing.
        case deliveryDead = "delivery.dead"
        /// A sync run ended `failed` (also when the hub closed a run whose process died).
        case syncRunFailed = "sync_run.failed"
        /// A (connection, resource) became unavailable: a run ended `unavailable` and the
        /// previous finished run of that connection and resource did not (or there was none),
        /// so a resource that stays unavailable emits it once, not at every retry.
        ///
        /// Reading chosen: only the `unavailable` status counts. A run that failed because the
        /// vendor refused the login or a permission is stored as `failed` with its error text
        /// alone, so the store cannot tell it from other failures: it emits `sync_run.failed`.
        /// Any other finished status before (`budget_exhausted` too) counts as "not unavailable".
        case connectionUnavailable = "connection.unavailable"

        /// The change feed row's `resource`: `delivery`, `sync_run` or `connection`.
        public var resource: String { String(rawValue.prefix { $0 != "." }) }
        /// The change feed row's `change`: `succeeded`, `dead`, `failed` or `unavailable`.
        public var change: String { String(rawValue.drop { $0 != "." }.dropFirst()) }

        /// The kind stored as `resource` and `change`, or nil for a record event's row.
        public init?(resource: String, change: String) {
            guard let kind = Kind(rawValue: resource + "." + change) else { return nil }
            self = kind
        }
    }

    /// The event's position in the change feed (its `EntityEventSequence`).
    public var sequence: Int64
    public var kind: Kind
    /// What the event is about: the delivery id (`delivery.*`) or the sync run id
    /// (`sync_run.failed`, and `connection.unavailable`, whose run holds the resource and why).
    public var subjectID: String
    /// The connection of the delivery or run.
    public var connectionID: String?
    /// When the state changed.
    public var timestamp: Date

    public init(sequence: Int64, kind: Kind, subjectID: String, connectionID: String?, timestamp: Date) {
        self.sequence = sequence
        self.kind = kind
        self.subjectID = subjectID
        self.connectionID = connectionID
        self.timestamp = timestamp
    }

    /// The event a run's end emits, before the transition check of `connection.unavailable`:
    /// `sync_run.failed` for `failed`, `connection.unavailable` for `unavailable`, nil otherwise
    /// and when the stored status `before` is already `status` (a run ends once).
    public static func ending(_ status: SyncRun.Status, from before: String) -> Kind? {
        guard before != status.rawValue else { return nil }
        switch status {
        case .failed: return .syncRunFailed
        case .unavailable: return .connectionUnavailable
        case .running, .succeeded, .budgetExhausted: return nil
        }
    }

    /// The change feed's `resource` values of record events (RESO resource names): what the
    /// public feed keeps.
    public static let recordResources: [String] = ResourceName.allCases.map(\.rawValue)
}

/// An entry of the change feed as webhooks read it: a record event or one of the hub's own.
public enum WebhookFeedEvent: Sendable, Hashable {
    case record(EntityEvent)
    case hub(HubEvent)

    /// Its position in the change feed.
    public var sequence: Int64 {
        switch self {
        case .record(let event): return event.sequence
        case .hub(let event): return event.sequence
        }
    }
}
