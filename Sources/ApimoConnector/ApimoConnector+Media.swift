public import ConnectorKit
import Foundation
import RealtyModel

/// Property pictures: the only media Apimo takes through its main API (`POST` and `DELETE`
/// `/agencies/{agency_id}/properties/{property_id}/pictures[/{picture_id}]`). No update is
/// documented, so a picture is changed by deleting it and adding another.
///
/// `…/medias` (virtual tours, videos) is not written: the documents give no shape for a
/// property's `medias[]`, the pull does not read it, and a media created there would vanish
/// from the hub at the next pull of its property. A `MediaCategory` other than `Photo` is a
/// field error.
extension ApimoConnector {
    /// A picture is found again by its URL among its property's pictures.
    public static let pictureURLLookup = LookupKey(rawValue: "url")

    /// Adds a picture to a property: `POST /agencies/{agency}/properties/{id}/pictures` with
    /// the body of ``ApimoMapping/pictureBody(from:)``.
    ///
    /// The property is the media's `SourceSystemResourceRecordKey` (the hub sets it from the
    /// parent's hub key). The answer's picture, mapped as the pull maps `pictures[]`, is the
    /// result's record, so the created media has the key the next pull reads; an answer with
    /// only an id gives a record built from the body sent.
    ///
    /// - Throws: ``ConnectorError``; `.validation` without a property id.
    func createPicture(_ media: Media) async throws -> WriteResult {
        let propertyID = try pictureParent(media)
        let agency = try await writeAgency(media.metadata)
        let body = ApimoMapping.pictureBody(from: media)
        let connectionID = client.connectionID
        let created = try await post(
            "/agencies/\(agency)/properties/\(propertyID)/pictures", body: body,
            operation: "POST /agencies/{agency_id}/properties/{property_id}/pictures"
        ) { answered in
            guard let row = ApimoMapping.picture(.object(answered.fields), position: 1, propertyID: propertyID, connectionID: connectionID)
            else { throw ApimoWriteError(field: "MediaURL", message: "the answer's picture has no url") }
            return row
        }
        guard created.record == nil else { return created }
        var sent = body
        sent["id"] = .string(created.remoteID)
        let record = ApimoMapping.picture(.object(sent), position: 1, propertyID: propertyID, connectionID: connectionID)
        return WriteResult(remoteID: created.remoteID, location: created.location, raw: created.raw, record: record)
    }

    /// Removes picture `remoteID` of the media's property:
    /// `DELETE /agencies/{agency}/properties/{property_id}/pictures/{id}`. A 404 (the picture or
    /// its property already gone) counts as deleted.
    ///
    /// - Throws: ``ConnectorError``; `.validation` for a picture the hub keyed itself (Apimo
    ///   gave it no id, so it cannot be addressed) or without a property id.
    func deletePicture(_ media: Media, remoteID: String) async throws {
        guard !remoteID.hasPrefix("property-"), Self.isPlainID(remoteID) else {
            throw ConnectorError(
                .validation, vendor: .apimo, message: "picture \(remoteID) has no Apimo id to delete it by",
                connectionID: client.connectionID)
        }
        let propertyID = try pictureParent(media)
        let agency = try await writeAgency(media.metadata)
        let operation = "DELETE /agencies/{agency_id}/properties/{property_id}/pictures/{picture_id}"
        let request = try client.jsonRequest(
            .delete, try client.url("/agencies/\(agency)/properties/\(propertyID)/pictures/\(remoteID)"), operationName: operation)
        do {
            _ = try await client.send(request)
        } catch let error as ConnectorError where error.kind == .notFound {
            // Already gone (or its property is): deleted as asked.
        }
    }

    /// Finds a picture an earlier attempt may have added: among the pictures of the media's
    /// property (read from the properties changed in the last ``lookupWindow``, since adding a
    /// picture changes its property; else from the whole list), the one with the same URL.
    ///
    /// - Returns: the picture's source key, or nil.
    func lookupPicture(_ media: Media) async throws -> String? {
        guard let url = media.mediaURL?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return nil }
        let propertyID = try pictureParent(media)
        let agency = try await writeAgency(media.metadata)
        let since = client.clock.now().addingTimeInterval(-Self.lookupWindow)
        let property = try await currentRecord(.properties, id: propertyID, agency: agency, user: nil, since: since)
        for (index, picture) in (property.fields["pictures"]?.arrayValue ?? []).enumerated() {
            guard let row = ApimoMapping.picture(picture, position: index + 1, propertyID: propertyID, connectionID: nil),
                row.mediaURL == url
            else { continue }
            return row.metadata.sourceKey
        }
        return nil
    }

    /// The property a picture belongs to (its vendor id).
    private func pictureParent(_ media: Media) throws -> String {
        guard let propertyID = media.resourceRecordSourceKey, Self.isPlainID(propertyID) else {
            throw ConnectorError(
                .validation, vendor: .apimo, message: "an Apimo picture needs its property's Apimo id",
                fieldErrors: [FieldError(field: "SourceSystemResourceRecordKey", message: "the property's Apimo id is needed")],
                connectionID: client.connectionID)
        }
        return propertyID
    }
}

extension ApimoMapping {
    /// RESO fields a picture create takes. `ResourceRecordKey` is the parent's hub key (the hub
    /// turns it into `SourceSystemResourceRecordKey`); `ImageWidth`/`ImageHeight` are Apimo's to
    /// compute (`width_max`, `height_max`), so they are not taken.
    static let mediaFields = [
        "ResourceName", "ResourceRecordKey", "SourceSystemResourceRecordKey", "MediaURL", "MediaCategory", "Order",
        "ShortDescription",
    ]

    /// The language a picture's `ShortDescription` is written in: the pull reads the English
    /// comment first, so it reads this one back.
    static let pictureCommentLanguage = "en"

    /// The body of a picture create. Reading: Apimo does not publish it; the keys are those of
    /// the picture object the properties page documents (`{id, rank, url, …, comments[]}`):
    /// `url` (MediaURL), `rank` (Order, a string like Apimo's other numbers) and `comments` as
    /// the localized objects property comments are (`[{"language": "en", "comment": …}]`)
    /// from ShortDescription.
    static func pictureBody(from media: Media) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        body.setText("url", media.mediaURL)
        if let order = media.order { body["rank"] = .string(String(order)) }
        if let text = media.shortDescription?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            body["comments"] = .array([.object(["language": .string(pictureCommentLanguage), "comment": .string(text)])])
        }
        return body.filter { !$0.value.isNull }
    }

    /// What Apimo cannot take in a picture: another parent than a property, a category other
    /// than `Photo` (see ``ApimoConnector``'s media notes), a rank below 1 (the ranks Apimo
    /// answers count from 1). Deletes are checked too: a picture the hub keyed itself has no
    /// Apimo id to delete it by.
    static func mediaProblems(_ media: Media, operation: WriteOperation) -> [FieldError] {
        var errors: [FieldError] = []
        if let parent = media.resourceName, FieldRules.isPresent(parent), parent != ResourceName.property.rawValue {
            errors.append(
                FieldError(
                    field: "ResourceName",
                    message: "Apimo takes media of properties only (a user's picture is not written through its API); it accepts Property"))
        }
        switch operation {
        case .create:
            if let category = media.mediaCategory, FieldRules.isPresent(category), category != "Photo" {
                errors.append(
                    FieldError(
                        field: "MediaCategory",
                        message:
                            "Apimo takes pictures only (its medias of virtual tours and videos have no documented shape); it accepts Photo")
                )
            }
            if let order = media.order, order < 1 {
                errors.append(FieldError(field: "Order", message: "Apimo ranks pictures from 1"))
            }
        case .delete:
            if let key = media.metadata.sourceKey, key.hasPrefix("property-") {
                errors.append(
                    FieldError(field: "MediaKey", message: "Apimo gave this picture no id, so it cannot be deleted through the API"))
            }
        case .update:
            break
        }
        return errors
    }
}
