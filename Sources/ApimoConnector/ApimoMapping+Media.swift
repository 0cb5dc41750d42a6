import ConnectorKit
import Foundation
import RealtyModel

extension ApimoMapping {
    /// The media key of a user's picture: Apimo gives the picture a URL but no id, and one
    /// picture per user, so the key is built from the user id.
    static func userPictureKey(_ userID: String) -> String { "user-\(userID)-picture" }

    /// The photos of a property or a user, read from the record itself (no extra request).
    ///
    /// - A property's `pictures[]` (documented as `{id, rank, url, width_max, height_max,
    ///   internet, print, panorama, child, reference, comments[]}`): the picture `id` is the media
    ///   key, `rank` the order (as given), `width_max`/`height_max` the image size, the English
    ///   comment (else the first) the short description. A picture without a URL is skipped;
    ///   one without an id is keyed by the property and its position.
    /// - A user's `picture` (a URL): one photo keyed ``userPictureKey(_:)``.
    ///
    /// Apimo sends no time for a picture, so `MediaModificationTimestamp` stays empty; every
    /// media is a `Photo` (panoramas too: the flag is kept in `raw`).
    /// - Returns: nil when the list's records carry no media (only properties and users do).
    static func media(from record: ApimoRecord, list: ApimoList, connectionID: String?) -> [Media]? {
        guard let parentID = record.id else { return [] }
        switch list {
        case .properties:
            var media: [Media] = []
            var seen = Set<String>()
            for (index, picture) in (record.fields["pictures"]?.arrayValue ?? []).enumerated() {
                guard let row = self.picture(picture, position: index + 1, propertyID: parentID, connectionID: connectionID),
                    let key = row.metadata.sourceKey, seen.insert(key).inserted
                else { continue }
                media.append(row)
            }
            return media
        case .users:
            guard let url = record.text("picture") else { return [] }
            var row = Media(
                metadata: RecordMetadata(
                    sourceSystemName: sourceSystemName, sourceKey: userPictureKey(parentID), connectionID: connectionID,
                    raw: ["picture": .string(url)]))
            row.resourceName = ResourceName.member.rawValue
            row.resourceRecordSourceKey = parentID
            row.mediaURL = url
            row.mediaCategory = "Photo"
            return [row]
        case .agencies, .actions, .contacts, .leads:
            return nil
        }
    }

    /// One picture of property `propertyID` as a `Photo` (see ``media(from:list:connectionID:)``):
    /// keyed by its `id`, else by the property and its 1-based `position` in `pictures[]`. A
    /// picture's create answer maps the same way, so the created media's key is the one the
    /// next pull of the property reads.
    /// - Returns: nil when the picture has no URL.
    static func picture(_ picture: JSONValue, position: Int, propertyID: String, connectionID: String?) -> Media? {
        guard let url = ApimoRecord.text(picture["url"]) else { return nil }
        let key = ApimoRecord.text(picture["id"]) ?? "property-\(propertyID)-picture-\(position)"
        var row = Media(
            metadata: RecordMetadata(sourceSystemName: sourceSystemName, sourceKey: key, connectionID: connectionID, raw: picture))
        row.resourceName = ResourceName.property.rawValue
        row.resourceRecordSourceKey = propertyID
        row.mediaURL = url
        row.mediaCategory = "Photo"
        row.order = picture["rank"]?.intValue.flatMap { Int(exactly: $0) }
        row.imageWidth = picture["width_max"]?.intValue.flatMap { Int(exactly: $0) }
        row.imageHeight = picture["height_max"]?.intValue.flatMap { Int(exactly: $0) }
        row.shortDescription = pictureComment(picture["comments"])
        return row
    }

    /// A picture's comment: `comments[]` as localized objects (`language`, `comment`), the
    /// English one else the first; plain strings are taken as they are.
    private static func pictureComment(_ value: JSONValue?) -> String? {
        guard let comments = value?.arrayValue, !comments.isEmpty else { return nil }
        if let text = ApimoRecord.text(comments[0]) { return text }
        let english = comments.first { ApimoRecord.text($0["language"])?.lowercased().hasPrefix("en") == true }
        let chosen = english ?? comments[0]
        return ApimoRecord.text(chosen["comment"]) ?? ApimoRecord.text(chosen["title"])
    }
}
