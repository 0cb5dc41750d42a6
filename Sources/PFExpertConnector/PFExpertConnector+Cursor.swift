import ConnectorKit
public import Foundation

extension PFExpertConnector {
    /// Caps every endpoint's change mark at `limit`.
    public func cursor(_ cursor: String, cappedAt limit: Date) -> String {
        guard var state = try? CursorCoding.decode(PFExpertCursor.self, from: cursor, vendor: .pfExpert) else {
            return cursor
        }
        state.marks = state.marks.mapValues { min($0, limit) }
        return CursorCoding.encode(state)
    }
}
