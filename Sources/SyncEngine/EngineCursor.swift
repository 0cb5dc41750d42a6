import Foundation

/// What the engine stores as the sync cursor of one (connection, resource): where the next
/// incremental read starts, and the progress of a full pass in flight, each holding the
/// connector's own opaque cursor. Written in the same transaction as the page it follows.
struct EngineCursor: Codable, Hashable, Sendable {
    /// A full pass in flight: its store generation and the connector cursor after the last
    /// committed page (nil before the first page).
    struct FullPass: Codable, Hashable, Sendable {
        var generation: Int64
        var after: String?
    }

    /// Whether a full pass has completed, so incremental reads may follow.
    var synced: Bool?
    /// Where the next incremental read resumes: the connector's cursor after the last page of
    /// the last incremental read; after a full pass, the connector's start for changes since
    /// the pass began (nil when it has none: the next incremental read then starts from the
    /// vendor's beginning).
    var incremental: String?
    var full: FullPass?

    /// Decodes a stored cursor; a cursor this engine did not write counts as none (the next
    /// run is then a full pass, which is always safe).
    static func decode(_ text: String?) -> EngineCursor {
        guard let text, let data = text.data(using: .utf8),
            let cursor = try? JSONDecoder().decode(EngineCursor.self, from: data)
        else { return EngineCursor() }
        return cursor
    }

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
