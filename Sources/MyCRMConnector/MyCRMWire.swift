import ConnectorKit
import Foundation
import RealtyModel

// The shapes MyCRM's webservice.php sends and receives (vtiger webservice dialect).
//
// Every answer is HTTP 200 with `{"success": true, "result": …}` or
// `{"success": false, "error": {"code": "…", "message": "…"}}`. Record values are strings
// (numbers and booleans included: "0"/"1"), ids are `<moduleId>x<crmid>` such as `10x123`, and
// references such as `assigned_user_id` are ids of the same form.

/// The envelope around every webservice.php answer.
struct MyCRMEnvelope: Decodable, Sendable {
    var success: Bool
    var result: JSONValue?
    var error: MyCRMErrorBody?

    private enum CodingKeys: String, CodingKey { case success, result, error }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // `success` is a JSON boolean in vtiger; "true"/1 are accepted too, as other PHP
        // front ends of the same code have been seen to send them.
        let flag = try container.decode(JSONValue.self, forKey: .success)
        guard let success = flag.boolValue else {
            throw DecodingError.dataCorruptedError(
                forKey: .success, in: container, debugDescription: "success is not a boolean")
        }
        self.success = success
        result = try container.decodeIfPresent(JSONValue.self, forKey: .result)
        error = try container.decodeIfPresent(MyCRMErrorBody.self, forKey: .error)
    }

    /// Reads the envelope from answer bytes with the exact JSON reader, so numbers in `result`
    /// keep every digit; the shape checks are those of ``init(from:)``.
    init(parsing data: Data) throws {
        try self.init(json: JSONValue(parsing: data))
    }

    /// The envelope of an answer already parsed.
    init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "the answer is not a JSON object"))
        }
        guard let success = members["success"]?.boolValue else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [CodingKeys.success], debugDescription: "success is missing or not a boolean"))
        }
        self.success = success
        result = members["result"].flatMap { $0.isNull ? nil : $0 }
        if let body = members["error"], case .object(let fields) = body {
            error = MyCRMErrorBody(code: fields["code"]?.stringValue ?? "UNKNOWN", message: fields["message"]?.stringValue)
        } else {
            error = nil
        }
    }
}

/// The `error` member of a failed answer.
struct MyCRMErrorBody: Decodable, Sendable, Hashable {
    var code: String
    var message: String?

    private enum CodingKeys: String, CodingKey { case code, message }

    init(code: String, message: String?) {
        self.code = code
        self.message = message
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(JSONValue.self, forKey: .code)?.stringValue ?? "UNKNOWN"
        message = try container.decodeIfPresent(JSONValue.self, forKey: .message)?.stringValue
    }
}

/// The result of `getchallenge`: `{token, serverTime, expireTime}`.
///
/// The MyCRM page calls `serverTime` a "TOKENSTRING" and `expireTime` a "TIMESTAMP"; the vtiger
/// server sends both as unix seconds (integers). Both numbers and numeric strings are accepted.
struct MyCRMChallenge: Sendable, Hashable {
    var token: String
    var serverTime: Int64?
    var expireTime: Int64?

    init(token: String, serverTime: Int64?, expireTime: Int64?) {
        self.token = token
        self.serverTime = serverTime
        self.expireTime = expireTime
    }

    /// Reads the `result` of `getchallenge`.
    ///
    /// - Returns: `nil` when there is no token.
    init?(result: JSONValue) {
        guard let token = result["token"]?.stringValue, !token.isEmpty else { return nil }
        self.token = token
        serverTime = result["serverTime"]?.intValue
        expireTime = result["expireTime"]?.intValue
    }
}

/// The result of `login`.
///
/// The MyCRM page documents `sessionId`; the vtiger server code returns `sessionName`. Both are
/// accepted (`sessionName` first), and the value is always sent back as the `sessionName`
/// parameter.
struct MyCRMSession: Sendable, Hashable {
    var sessionName: String
    var userID: String?
    var version: String?
    var vtigerVersion: String?

    init(sessionName: String, userID: String?, version: String?, vtigerVersion: String? = nil) {
        self.sessionName = sessionName
        self.userID = userID
        self.version = version
        self.vtigerVersion = vtigerVersion
    }

    /// Reads the `result` of `login`.
    ///
    /// - Returns: `nil` when neither `sessionName` nor `sessionId` is present.
    init?(result: JSONValue) {
        let name = result["sessionName"]?.stringValue ?? result["sessionId"]?.stringValue
        guard let name, !name.isEmpty else { return nil }
        sessionName = name
        userID = result["userId"]?.stringValue
        version = result["version"]?.stringValue
        vtigerVersion = result["vtigerVersion"]?.stringValue
    }
}

/// The result of `sync`: `{updated: [records], deleted: [ids], lastModifiedTime, more}`.
struct MyCRMSyncResult: Sendable, Hashable {
    var updated: [MyCRMRecord]
    var deleted: [String]
    var lastModifiedTime: Int64?
    var more: Bool

    /// Reads the `result` of `sync`.
    ///
    /// - Returns: `nil` when `updated` or `deleted` is not a list, or a record is not an object.
    init?(result: JSONValue) {
        let updatedJSON = result["updated"] ?? .array([])
        let deletedJSON = result["deleted"] ?? .array([])
        guard let updatedList = updatedJSON.isNull ? [] : updatedJSON.arrayValue,
            let deletedList = deletedJSON.isNull ? [] : deletedJSON.arrayValue
        else { return nil }
        var records: [MyCRMRecord] = []
        records.reserveCapacity(updatedList.count)
        for element in updatedList {
            guard let record = MyCRMRecord(json: element) else { return nil }
            records.append(record)
        }
        updated = records
        deleted = deletedList.compactMap(\.stringValue)
        lastModifiedTime = result["lastModifiedTime"]?.intValue
        more = result["more"]?.boolValue ?? false
    }
}

/// One record as webservice.php sends it: a flat object of field name to (string) value.
struct MyCRMRecord: WireObject, Hashable {
    /// The fields exactly as received.
    var fields: [String: JSONValue]

    init(fields: [String: JSONValue]) { self.fields = fields }

    /// The webservice id (`10x123`).
    var id: String? { text("id") }

    /// The value of `name` as trimmed text, or `nil` when absent, null or blank (vtiger sends
    /// empty strings for empty fields, and sample values carry stray whitespace).
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.stringValue else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The value of `name` as a vtiger boolean ("1"/"0", "on"/"off", true/false).
    func flag(_ name: String) -> Bool? {
        guard let value = fields[name] else { return nil }
        if case .string(let text) = value, text.lowercased() == "on" { return true }
        if case .string(let text) = value, text.lowercased() == "off" { return false }
        return value.boolValue
    }

    /// A vtiger datetime (`YYYY-MM-DD HH:MM:SS`, stored in UTC by the server) as an instant.
    func timestamp(_ name: String) -> Date? {
        text(name).flatMap(Timestamp.parse)
    }
}

/// The modules this connector reads and writes.
enum MyCRMModule: String, Sendable, Hashable, CaseIterable {
    case leads = "Leads"
    case contacts = "Contacts"
    case users = "Users"
}
