import Foundation
import RealtyModel

/// PF Expert's error body: `{"<resource>": "<ErrorCode>", "messages": ["..."]}`.
///
/// The documentation shows the key as the resource's singular name (`"user"` for a `/users`
/// route). The key is not relied on: the code is the one string member other than `messages`,
/// preferring a member whose value is one of the documented codes.
struct PFExpertErrorBody: Sendable, Hashable {
    /// The documented error codes.
    static let knownCodes: Set<String> = [
        "ResourceNotFound", "InvalidRequest", "MethodNotAllowed", "InternalError", "AuthenticationError",
        "AccessDenied", "InvalidAction",
    ]

    /// `ResourceNotFound`, `InvalidRequest`, ... when the body carries one.
    var code: String?
    /// The key that carried the code (`user`, `lead`, ...).
    var resourceKey: String?
    var messages: [String]

    /// Reads an error body; `nil` when `data` is not a JSON object.
    init?(data: Data) {
        guard !data.isEmpty, let json = try? JSONValue(parsing: data) else { return nil }
        self.init(json: json)
    }

    /// Reads an error body; `nil` when `json` is not an object.
    init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        var found: (key: String, code: String)?
        for key in members.keys.sorted() where key != "messages" {
            guard case .string(let value) = members[key] else { continue }
            if Self.knownCodes.contains(value) {
                found = (key, value)
                break
            }
            if found == nil { found = (key, value) }
        }
        code = found?.code
        resourceKey = found?.key
        switch members["messages"] {
        case .array(let elements): messages = elements.compactMap(\.stringValue)
        case .string(let message): messages = [message]
        default: messages = []
        }
        if code == nil, messages.isEmpty { return nil }
    }
}
