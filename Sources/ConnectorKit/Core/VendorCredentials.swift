public import Foundation

/// A connection's credentials, in each vendor's own terms.
///
/// `description` and `debugDescription` never show a secret value: only the non-secret
/// identifiers (PropQ client id, MyCRM user name, Apimo provider and agencies, Boston Logic host).
public enum VendorCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// PF Expert: the API key and secret sent as HTTP Basic to the token endpoint.
    case pfExpert(apiKey: String, apiSecret: String)
    /// PropQ: the integer OAuth2 client id and its secret.
    case propq(clientID: Int, clientSecret: String)
    /// MyCRM: the webservice user name and that user's access key (never sent as is: the login
    /// sends md5(challenge token + access key)).
    case mycrm(username: String, accessKey: String)
    /// Apimo: the provider id and token (HTTP Basic), and the agencies the provider was granted
    /// (empty: every agency `GET /agencies` lists).
    case apimo(provider: String, token: String, agencyIDs: [String])
    /// Boston Logic: the API key and the host it is bound to (sent as the `Host` header).
    case bostonLogic(apiKey: String, host: String)

    /// The vendor these credentials belong to.
    public var vendor: VendorID {
        switch self {
        case .pfExpert: return .pfExpert
        case .propq: return .propq
        case .mycrm: return .mycrm
        case .apimo: return .apimo
        case .bostonLogic: return .bostonLogic
        }
    }

    /// The secret values, for a ``Redactor``.
    public var secrets: [String] {
        switch self {
        case .pfExpert(let apiKey, let apiSecret): return [apiKey, apiSecret]
        case .propq(_, let clientSecret): return [clientSecret]
        case .mycrm(_, let accessKey): return [accessKey]
        case .apimo(_, let token, _): return [token]
        case .bostonLogic(let apiKey, _): return [apiKey]
        }
    }

    /// The material of a standard auth strategy (``StandardAuth``); nil for a vendor login.
    public var standardCredentials: StandardCredentials? {
        switch self {
        case .pfExpert(let apiKey, let apiSecret): return .clientCredentials(id: apiKey, secret: apiSecret)
        case .propq(let clientID, let clientSecret): return .clientCredentials(id: String(clientID), secret: clientSecret)
        case .mycrm: return nil
        case .apimo(let provider, let token, _): return .basic(username: provider, password: token)
        case .bostonLogic(let apiKey, let host): return .apiKey(apiKey, host: host)
        }
    }

    /// A redactor hiding these credentials' secrets.
    public var redactor: Redactor { Redactor(secrets: secrets) }

    /// The non-secret facts, e.g. `mycrm(username: "api", accessKey: [REDACTED])`.
    public var description: String {
        let mask = Redactor.mask
        switch self {
        case .pfExpert: return "pf-expert(apiKey: \(mask), apiSecret: \(mask))"
        case .propq(let clientID, _): return "propq(clientID: \(clientID), clientSecret: \(mask))"
        case .mycrm(let username, _): return "mycrm(username: \"\(username)\", accessKey: \(mask))"
        case .apimo(let provider, _, let agencies):
            return "apimo(provider: \"\(provider)\", token: \(mask), agencyIDs: \(agencies))"
        case .bostonLogic(_, let host): return "boston-logic(apiKey: \(mask), host: \"\(host)\")"
        }
    }

    /// Same as ``description``: secrets are never shown, even when debugging.
    public var debugDescription: String { description }
}

extension VendorCredentials {
    /// Reads credentials from the JSON file format of the CLI and the store, with each vendor's
    /// own key names:
    ///
    /// | vendor | keys |
    /// | --- | --- |
    /// | `pf-expert` | `api_key`, `api_secret` |
    /// | `propq` | `client_id` (integer, or a string of digits), `client_secret` |
    /// | `mycrm` | `username`, `access_key` |
    /// | `apimo` | `provider` (string or integer), `token`, `agency_ids` (array of strings or integers, or one comma-separated string; optional, absent means every agency the provider is granted) |
    /// | `boston-logic` | `api_key`, `host` (a host name, optionally with `:port`; no scheme or path) |
    ///
    /// Unknown keys are ignored. Values must be non-empty; surrounding whitespace is trimmed.
    ///
    /// - Parameters:
    ///   - vendor: the vendor the file is for.
    ///   - json: the file's bytes.
    /// - Returns: the credentials.
    /// - Throws: ``ConnectorError`` of kind `.configuration` naming the missing or malformed
    ///   key; secret values are never echoed.
    public static func decode(vendor: VendorID, json: Data) throws -> VendorCredentials {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
                throw ConnectorError(
                    .configuration, vendor: vendor,
                    message: "the credentials must be a JSON object with the keys \(keys(for: vendor))")
            }
            object = parsed
        } catch let error as ConnectorError {
            throw error
        } catch {
            // The parser's message may quote the file's content, so it is not repeated.
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "the credentials are not valid JSON (expected an object with the keys \(keys(for: vendor)))")
        }
        let reader = CredentialReader(vendor: vendor, object: object)
        switch vendor {
        case .pfExpert:
            return .pfExpert(apiKey: try reader.string("api_key"), apiSecret: try reader.string("api_secret"))
        case .propq:
            return .propq(clientID: try reader.integer("client_id"), clientSecret: try reader.string("client_secret"))
        case .mycrm:
            return .mycrm(username: try reader.string("username", secret: false), accessKey: try reader.string("access_key"))
        case .apimo:
            return .apimo(
                provider: try reader.identifier("provider"), token: try reader.string("token"),
                agencyIDs: try reader.identifiers("agency_ids"))
        case .bostonLogic:
            let host = try reader.string("host", secret: false)
            try reader.checkHost(host)
            return .bostonLogic(apiKey: try reader.string("api_key"), host: host)
        }
    }

    /// The JSON file format ``decode(vendor:json:)`` reads, for storing credentials (encrypted)
    /// or writing a credentials file.
    ///
    /// - warning: the result contains the secrets in clear; never log it.
    public func encodedJSON() -> Data {
        var object: [String: Any]
        switch self {
        case .pfExpert(let apiKey, let apiSecret): object = ["api_key": apiKey, "api_secret": apiSecret]
        case .propq(let clientID, let clientSecret): object = ["client_id": clientID, "client_secret": clientSecret]
        case .mycrm(let username, let accessKey): object = ["username": username, "access_key": accessKey]
        case .apimo(let provider, let token, let agencyIDs):
            object = ["provider": provider, "token": token, "agency_ids": agencyIDs]
        case .bostonLogic(let apiKey, let host): object = ["api_key": apiKey, "host": host]
        }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// The keys a vendor's credentials file holds, for messages.
    public static func keys(for vendor: VendorID) -> String {
        switch vendor {
        case .pfExpert: return "api_key, api_secret"
        case .propq: return "client_id, client_secret"
        case .mycrm: return "username, access_key"
        case .apimo: return "provider, token, agency_ids"
        case .bostonLogic: return "api_key, host"
        }
    }
}

/// Reads typed values out of a parsed credentials object, with errors that name the key and
/// never the value.
private struct CredentialReader {
    let vendor: VendorID
    let object: [String: Any]

    func fail(_ key: String, _ problem: String) -> ConnectorError {
        ConnectorError(
            .configuration, vendor: vendor,
            message: "credentials key \"\(key)\" \(problem) (\(vendor.rawValue) credentials hold \(VendorCredentials.keys(for: vendor)))")
    }

    func string(_ key: String, secret: Bool = true) throws -> String {
        guard let value = object[key], !(value is NSNull) else { throw fail(key, "is missing") }
        guard let text = value as? String else { throw fail(key, "must be a string") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw fail(key, "is empty") }
        return trimmed
    }

    func integer(_ key: String) throws -> Int {
        guard let value = object[key], !(value is NSNull) else { throw fail(key, "is missing") }
        if let text = value as? String {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let number = Int(trimmed), number >= 0 else { throw fail(key, "must be an integer") }
            return number
        }
        if let number = value as? NSNumber, !Self.isBoolean(number) {
            let double = number.doubleValue
            guard double.rounded() == double, double >= 0, double < 9.0e15 else { throw fail(key, "must be an integer") }
            return number.intValue
        }
        throw fail(key, "must be an integer")
    }

    /// A vendor id given as a string or an integer, kept as a string.
    func identifier(_ key: String) throws -> String {
        guard let value = object[key], !(value is NSNull) else { throw fail(key, "is missing") }
        return try identifierValue(value, key: key)
    }

    /// An optional array of ids (strings or integers); absent means empty.
    func identifiers(_ key: String) throws -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        // Also accepted: one string of comma-separated ids ("14,27"), as the sandbox prints them
        // and as people paste them.
        if let text = value as? String {
            return try text.split(separator: ",", omittingEmptySubsequences: false).map { try identifierValue(String($0), key: key) }
        }
        guard let array = value as? [Any] else { throw fail(key, "must be an array of ids or a comma-separated string") }
        return try array.map { try identifierValue($0, key: key) }
    }

    private func identifierValue(_ value: Any, key: String) throws -> String {
        if let text = value as? String {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw fail(key, "holds an empty id") }
            return trimmed
        }
        if let number = value as? NSNumber, !Self.isBoolean(number) {
            let double = number.doubleValue
            guard double.rounded() == double else { throw fail(key, "must hold whole-number or string ids") }
            return String(number.int64Value)
        }
        throw fail(key, "must hold whole-number or string ids")
    }

    func checkHost(_ host: String) throws {
        let forbidden: Set<Character> = ["/", "?", "#", "@", " "]
        guard !host.contains("://"), !host.contains(where: { forbidden.contains($0) }) else {
            throw fail("host", "must be a bare host name such as www.example.com (no scheme or path)")
        }
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        // JSONSerialization gives booleans as NSNumber; on Linux their type is identifiable by
        // the Objective-C type code 'c' (char).
        String(cString: number.objCType) == "c"
    }
}
