import Foundation
import Hummingbird
import RealtyModel

extension ApimoEmulator {
    /// `PUT /agencies/{agency_id}/{contacts|actions|properties}/{id}`: changes the fields the
    /// body names (see ``ApimoWriteSchema/validateChange(_:)``), checks the merged record as a
    /// create is checked (required fields, references within the agency), stores it modified
    /// now, logs the write and answers 200 with the record.
    func update(_ request: Request, _ resource: ApimoState.Resource, agency: Int, id raw: String) async -> Response {
        guard let id = Int(raw), id > 0, var record = await state.record(resource, id: id, agency: agency) else {
            return ApimoResponse.error(.notFound, "Not Found: no \(resource.rawValue) \(raw) in agency \(agency)")
        }
        let object: [String: JSONValue]
        switch await objectBody(of: request) {
        case .failure(let problem): return problem.response
        case .success(let value): object = value
        }
        let schema = ApimoWriteSchema.schema(for: resource)
        let changes: [String: JSONValue]
        switch schema.validateChange(object) {
        case .failure(let error):
            return ApimoResponse.error(.badRequest, "Bad Request: \(error.message)")
        case .success(let valid):
            changes = valid
        }
        for (key, target) in schema.references {
            guard let value = changes[key]?.scalarText else { continue }
            guard let referenced = Int(value), await state.exists(target, id: referenced, agency: agency) else {
                return ApimoResponse.error(.badRequest, "Bad Request: \(key) \(value) does not exist in agency \(agency)")
            }
        }
        var merged = record.fields.merging(changes) { _, new in new }
        if resource == .actions {
            // An action's user is kept beside its fields (it is the list it is read from).
            if let user = changes["user"] {
                record.user = user.scalarText.flatMap(Int.init)
                merged["user"] = nil
            }
            var checked = merged
            checked["user"] = record.user.map { .string(String($0)) } ?? .null
            if let missing = schema.missingRequired(in: checked) {
                return ApimoResponse.error(.badRequest, "Bad Request: \(missing)")
            }
        } else if let missing = schema.missingRequired(in: merged) {
            return ApimoResponse.error(.badRequest, "Bad Request: \(missing)")
        }
        record.fields = merged
        let updated = await state.replace(record, as: resource)
        var keys = ["agency": String(agency)]
        for key in ["email", "phone", "mobile", "reference"] {
            if let value = updated[key]?.strictString { keys[key] = value }
        }
        writeLog.record(vendor: .apimo, resource: resource.rawValue, operation: .update, id: String(id), keys: keys, body: .object(object))
        return ApimoResponse.json(updated)
    }

    // MARK: - Shared by creates and updates

    /// A write refused with 400 Bad Request.
    struct BadRequest: Error {
        var message: String
        var response: Response { ApimoResponse.error(.badRequest, "Bad Request: \(message)") }
    }

    /// The request's body, which must be a JSON object.
    func objectBody(of request: Request) async -> Result<[String: JSONValue], BadRequest> {
        let body: Data
        do {
            body = try await SandboxJSON.body(of: request)
        } catch {
            return .failure(BadRequest(message: "the body could not be read or is too large"))
        }
        guard let object = (try? JSONValue(parsing: body))?.objectValue else {
            return .failure(BadRequest(message: "the body must be a JSON object"))
        }
        return .success(object)
    }
}
