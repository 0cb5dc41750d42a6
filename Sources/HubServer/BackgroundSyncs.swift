import Foundation
import Logging

/// Sync runs started through the API: at most one per connection at a time, awaited on
/// graceful shutdown so a run is never cut off between a page and its cursor.
actor BackgroundSyncs {
    private var running: [String: Task<Void, Never>] = [:]

    /// Starts `work` for `connectionID`.
    /// - Returns: false when a run of that connection is already going.
    func start(connectionID: String, _ work: @escaping @Sendable () async -> Void) -> Bool {
        guard running[connectionID] == nil else { return false }
        running[connectionID] = Task {
            await work()
            self.finished(connectionID)
        }
        return true
    }

    private func finished(_ connectionID: String) { running[connectionID] = nil }

    /// Waits for every run started so far.
    func drain() async {
        while let (_, task) = running.first {
            await task.value
        }
    }
}
