public import RealtyModel

/// The media written with one upsert batch of parents: each media row tied to its parent's hub
/// key, checked and hashed, and the parents whose media sets it replaces. Both stores write
/// it the same way, in the parents' transaction:
///
/// 1. ``records`` are upserted into `Media` like any record (content hash, events), with no
///    full-pass generation: media are never swept by a pass of their own;
/// 2. the live media of every parent in ``parentKeys`` whose vendor key is not in
///    ``sourceKeys`` are marked deleted, with events (pictures gone from the parent).
///
/// Deleting a parent (a vendor-reported deletion or a full-pass sweep) marks its live media
/// deleted in the same transaction, so a parent's media never outlive it.
public struct PreparedMedia: Sendable {
    /// The parents' resource (`Property`, `Member`).
    public var parent: ResourceName
    /// The hub keys of every parent of the batch: their stored media sets are replaced.
    public var parentKeys: [String]
    /// The media rows, in input order.
    public var records: [PreparedRecord]
    /// The vendor keys of ``records``: the media each replaced set keeps.
    public var sourceKeys: Set<String>

    /// Ties `media` to the parents of an upsert batch.
    ///
    /// - Parameters:
    ///   - media: the complete media of the batch's parents.
    ///   - parents: the batch's prepared parents, in input order.
    ///   - summary: the parents' upsert outcome (its items give their hub keys, in input order).
    /// - Throws: ``StoreError`` `.invalidQuery` when a media row names no parent of the batch,
    ///   when `R` carries no media, or when a media vendor key appears twice.
    public init<R: HubRecord>(
        _ media: [Media], of type: R.Type, parents: [PreparedRecord], summary: UpsertSummary, scope: SyncScope
    ) throws {
        guard Media.parentResources.contains(R.resource) else {
            throw StoreError.invalidQuery("\(R.resource.rawValue) records carry no media")
        }
        var hubKeys: [String: String] = [:]
        for (parent, item) in zip(parents, summary.items) { hubKeys[parent.sourceKey] = item.key }
        var linked: [Media] = []
        linked.reserveCapacity(media.count)
        for var row in media {
            guard let parentSourceKey = row.resourceRecordSourceKey, let parentKey = hubKeys[parentSourceKey] else {
                throw StoreError.invalidQuery(
                    "Media \(row.metadata.sourceKey ?? "?") names \(R.resource.rawValue) \(row.resourceRecordSourceKey ?? "(none)"), "
                        + "which is not in its page")
            }
            row.resourceName = R.resource.rawValue
            row.resourceRecordKey = parentKey
            linked.append(row)
        }
        parent = R.resource
        parentKeys = summary.items.map(\.key)
        records = try PreparedRecord.batch(linked, scope: scope)
        sourceKeys = Set(records.map(\.sourceKey))
    }
}
