import Foundation
import Hummingbird
import RealtyModel

extension ApimoEmulator {
    /// What a picture create takes. Reading (the body is not public): the keys of the picture
    /// object the properties page documents (`{id, rank, url, width_max, height_max, internet,
    /// print, panorama, child, reference, comments[]}`) that a client can choose: `url` (required,
    /// an absolute http(s) URL), `rank` (an integer from 1, as the seeded ranks count),
    /// `comments` (localized objects `{language, comment, …}`, as property comments are) and
    /// the `internet`, `print` and `panorama` flags. The id and the sizes are Apimo's.
    static let pictureSchema = ApimoWriteSchema(
        fields: ["url": .text, "rank": .number, "comments": .any, "internet": .any, "print": .any, "panorama": .any],
        required: [["url"]], references: [:])

    /// `POST /agencies/{agency_id}/properties/{property_id}/pictures`: checks the body (see
    /// ``pictureSchema``), adds the picture to the property's `pictures[]` (the property
    /// modified now), logs the write and answers 201 with the picture.
    func addPicture(_ request: Request, agency: Int, property raw: String) async -> Response {
        guard let propertyID = Int(raw), propertyID > 0, await state.exists(.properties, id: propertyID, agency: agency) else {
            return ApimoResponse.error(.notFound, "Not Found: no property \(raw) in agency \(agency)")
        }
        let object: [String: JSONValue]
        switch await objectBody(of: request) {
        case .failure(let problem): return problem.response
        case .success(let value): object = value
        }
        let fields: [String: JSONValue]
        switch Self.pictureSchema.validate(object) {
        case .failure(let error):
            return ApimoResponse.error(.badRequest, "Bad Request: \(error.message)")
        case .success(let valid):
            fields = valid
        }
        if let problem = Self.pictureProblem(fields) {
            return ApimoResponse.error(.badRequest, "Bad Request: \(problem)")
        }
        guard let picture = await state.addPicture(fields, property: propertyID, agency: agency) else {
            return ApimoResponse.error(.notFound, "Not Found: no property \(raw) in agency \(agency)")
        }
        var keys = ["agency": String(agency), "property": String(propertyID)]
        if let url = picture["url"]?.strictString { keys["url"] = url }
        writeLog.record(
            vendor: .apimo, resource: "pictures", operation: .create, id: picture["id"]?.strictString ?? "", keys: keys,
            body: .object(object))
        return ApimoResponse.json(picture, status: .created)
    }

    /// `DELETE /agencies/{agency_id}/properties/{property_id}/pictures/{picture_id}`: removes the
    /// picture (the property modified now), logs the write and answers 204; 404 when the
    /// property or the picture is not there.
    func removePicture(agency: Int, property raw: String, picture pictureID: String) async -> Response {
        guard let propertyID = Int(raw), propertyID > 0 else {
            return ApimoResponse.error(.notFound, "Not Found: no property \(raw) in agency \(agency)")
        }
        switch await state.removePicture(pictureID, property: propertyID, agency: agency) {
        case nil:
            return ApimoResponse.error(.notFound, "Not Found: no property \(raw) in agency \(agency)")
        case false?:
            return ApimoResponse.error(.notFound, "Not Found: property \(raw) has no picture \(pictureID)")
        case true?:
            writeLog.record(
                vendor: .apimo, resource: "pictures", operation: .delete, id: pictureID,
                keys: ["agency": String(agency), "property": String(propertyID)])
            return Response(status: .noContent)
        }
    }

    /// What the schema's kinds leave unchecked in a picture: the URL's form, the rank's range,
    /// the comments' shape and the flags' type.
    static func pictureProblem(_ fields: [String: JSONValue]) -> String? {
        if let url = fields["url"]?.strictString {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
                !(components.host ?? "").isEmpty
            else { return "url must be an absolute http or https URL" }
        }
        if let rank = fields["rank"], !rank.isNull {
            guard let text = rank.scalarText, let value = Int(text), value >= 1 else { return "rank must be an integer from 1" }
        }
        if let comments = fields["comments"], !comments.isNull {
            guard let list = comments.arrayValue,
                list.allSatisfy({ $0["language"]?.strictString != nil && $0["comment"]?.strictString != nil })
            else { return "comments must be a list of {language, comment} objects" }
        }
        for flag in ["internet", "print", "panorama"] {
            if let value = fields[flag], !value.isNull, value.strictBool == nil { return "\(flag) must be a boolean" }
        }
        return nil
    }
}
