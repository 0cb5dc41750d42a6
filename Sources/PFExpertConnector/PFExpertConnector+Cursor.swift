import ConnectorKit
public import Foundation

extension PFExpertConnector {
    /// A full pass records each endpoint's newest change time: its last cursor, capped at
    /// `since`, starts the incremental reads.
    public func incrementalCursor(afterFullPass cursor: String?, since: Date) -> String? {
        cursor.map { self.cursor($0, cappedAt: since) }
    }

    /// Caps every endpoint's change mark at `limit`.
    public func cursor(_ cursor: String, cappedAt limit: Date) -> String {
        CursorCoding.rewrite(cursor, as: PFExpertCursor.self, vendor: .pfExpert) { state in
            state.marks = state.marks.mapValues { min($0, limit) }
        }
    }
}
