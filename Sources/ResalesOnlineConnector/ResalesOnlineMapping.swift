import Foundation
import RealtyModel

/// Maps PropQ answers to the canonical model. Pure: no I/O, no clock.
enum ResalesOnlineMapping {
    static let sourceSystemName = "propq"

    /// A development's publish status as a `Development` record.
    ///
    /// PropQ returns only `DevStatus`; the development's id is its only name the API gives, so
    /// it is also the `DevelopmentName` until a user names it in the hub. No vendor timestamps.
    static func development(id: String, status: PublishStatusBody) -> Development {
        var development = Development(
            metadata: RecordMetadata(
                sourceSystemName: sourceSystemName, sourceKey: id, raw: status.raw))
        development.name = id
        development.developmentStatus = status.status.rawValue
        return development
    }
}
