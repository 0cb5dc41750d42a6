public import ConnectorKit

/// PF Expert credentials: the API key and secret sent as HTTP Basic to the token endpoint.
///
/// File keys: `api_key`, `api_secret`.
public struct PFExpertCredentials: VendorCredentials, Hashable {
    /// The API key (the OAuth2 client id).
    public var apiKey: String
    /// The API secret.
    public var apiSecret: String

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - apiKey: the API key.
    ///   - apiSecret: the API secret.
    public init(apiKey: String, apiSecret: String) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    public static var vendor: VendorID { .pfExpert }
    public static let keys = ["api_key", "api_secret"]

    public init(reading reader: CredentialsReader) throws {
        self.init(apiKey: try reader.string("api_key"), apiSecret: try reader.string("api_secret"))
    }

    public var secrets: [String] { [apiKey, apiSecret] }
    public var standardCredentials: StandardCredentials? { .clientCredentials(id: apiKey, secret: apiSecret) }
    public var jsonObject: [String: any Sendable] { ["api_key": apiKey, "api_secret": apiSecret] }
    public var description: String { "pf-expert(apiKey: \(Redactor.mask), apiSecret: \(Redactor.mask))" }
}

extension VendorCredentials where Self == PFExpertCredentials {
    /// PF Expert credentials (see ``PFExpertCredentials``).
    ///
    /// - Parameters:
    ///   - apiKey: the API key.
    ///   - apiSecret: the API secret.
    public static func pfExpert(apiKey: String, apiSecret: String) -> PFExpertCredentials {
        PFExpertCredentials(apiKey: apiKey, apiSecret: apiSecret)
    }
}
