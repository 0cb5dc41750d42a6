public import Foundation
public import RealtyModel

/// One pull of one resource through one connection, as recorded for users.
public struct SyncRun: Sendable, Hashable, Codable {
    /// How a run ended.
    public enum Status: String, Sendable, Hashable, Codable {
        case running
        case succeeded
        case failed
        /// Nothing of the resource could be read because its endpoints are not available on the
        /// connection (an auxiliary resource the vendor's server lacks, or the credentials may
        /// not read); ``SyncRun/skipped`` says why. Retried at the full-pass cadence.
        case unavailable
        /// Stopped at a page boundary because the connection's daily request budget is down to
        /// the share kept for deliveries: not a failure. Everything read is stored with its
        /// cursor, and the next run after the budget's reset resumes from there.
        case budgetExhausted = "budget_exhausted"
    }

    /// `full` (with deletion detection) or `incremental`.
    public enum Mode: String, Sendable, Hashable, Codable {
        case full
        case incremental
    }

    public var id: String
    public var tenantID: String
    public var connectionID: String
    public var resource: ResourceName
    public var mode: Mode
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    public var inserted: Int
    public var updated: Int
    public var unchanged: Int
    public var deleted: Int
    public var pages: Int
    public var error: String?
    /// What the run could not read, one line per auxiliary endpoint not available on the
    /// connection (`GET /whatsapp-leads is not available on this connection (403 ...)`).
    public var skipped: String?

    public init(
        id: String = UUID().uuidString.lowercased(), tenantID: String, connectionID: String, resource: ResourceName,
        mode: Mode, status: Status = .running, startedAt: Date, finishedAt: Date? = nil, inserted: Int = 0,
        updated: Int = 0, unchanged: Int = 0, deleted: Int = 0, pages: Int = 0, error: String? = nil,
        skipped: String? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.resource = resource
        self.mode = mode
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.deleted = deleted
        self.pages = pages
        self.error = error
        self.skipped = skipped
    }
}
