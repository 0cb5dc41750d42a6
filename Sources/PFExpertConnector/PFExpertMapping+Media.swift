import ConnectorKit
import Foundation
import RealtyModel

extension PFExpertMapping {
    /// A property's images as Media, read from the property itself (no extra request).
    ///
    /// Reading: the legacy documents show a property's images only as a create body writes
    /// them, `images: [{"image": {"token": <upload token>, "order": n}}]`, and list `images[]`
    /// among the answer's fields without its shape. The answer is read as mirroring the body:
    /// each item wraps an `image` object carrying the stored image's `id` and `url` (in place
    /// of the one-time upload token; the newer Enterprise API also names it `url`) and its
    /// `order`. Items without the `image` wrapper are read the same way. The image `id` is the
    /// media key (else the property id and the item's position); an item without a URL is
    /// skipped. PF documents no image size, caption or time, so those stay empty.
    static func media(ofProperty json: JSONValue, connectionID: String?) -> [Media] {
        guard let propertyID = json.text("id") else { return [] }
        var media: [Media] = []
        var seen = Set<String>()
        for (index, item) in (json["images"]?.arrayValue ?? []).enumerated() {
            let image = item["image"] ?? item
            guard let url = image.text("url") else { continue }
            let key = image.text("id") ?? "property-\(propertyID)-image-\(index + 1)"
            guard seen.insert(key).inserted else { continue }
            var row = Media(
                metadata: RecordMetadata(sourceSystemName: sourceSystemName, sourceKey: key, connectionID: connectionID, raw: item))
            row.resourceName = ResourceName.property.rawValue
            row.resourceRecordSourceKey = propertyID
            row.mediaURL = url
            row.mediaCategory = "Photo"
            row.order = image.integer("order")
            media.append(row)
        }
        return media
    }
}
