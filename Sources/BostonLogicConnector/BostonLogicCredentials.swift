public import ConnectorKit

/// Boston Logic credentials: the API key and the host it is bound to (sent as the `Host`
/// header).
///
/// File keys: `api_key`, `host` (a host name, optionally with `:port`; no scheme or path).
public struct BostonLogicCredentials: VendorCredentials, Hashable {
    /// The API key.
    public var apiKey: String
    /// The host the key is bound to.
    public var host: String

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - apiKey: the API key.
    ///   - host: the host the key is bound to.
    public init(apiKey: String, host: String) {
        self.apiKey = apiKey
        self.host = host
    }

    public static var vendor: VendorID { .bostonLogic }
    public static let keys = ["api_key", "host"]

    public init(reading reader: CredentialsReader) throws {
        let host = try reader.string("host")
        let forbidden: Set<Character> = ["/", "?", "#", "@", " "]
        guard !host.contains("://"), !host.contains(where: { forbidden.contains($0) }) else {
            throw reader.fail("host", "must be a bare host name such as www.example.com (no scheme or path)")
        }
        self.init(apiKey: try reader.string("api_key"), host: host)
    }

    public var secrets: [String] { [apiKey] }
    public var standardCredentials: StandardCredentials? { .apiKey(apiKey, host: host) }
    public var jsonObject: [String: any Sendable] { ["api_key": apiKey, "host": host] }
    public var description: String { "boston-logic(apiKey: \(Redactor.mask), host: \"\(host)\")" }
}

extension VendorCredentials where Self == BostonLogicCredentials {
    /// Boston Logic credentials (see ``BostonLogicCredentials``).
    ///
    /// - Parameters:
    ///   - apiKey: the API key.
    ///   - host: the host the key is bound to.
    public static func bostonLogic(apiKey: String, host: String) -> BostonLogicCredentials {
        BostonLogicCredentials(apiKey: apiKey, host: host)
    }
}
