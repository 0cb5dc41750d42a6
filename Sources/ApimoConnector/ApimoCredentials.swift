public import ConnectorKit

/// Apimo credentials: the provider id and token (HTTP Basic), and the agencies the provider
/// was granted (empty: every agency `GET /agencies` lists).
///
/// File keys: `provider` (a string or an integer), `token`, `agency_ids` (optional: an array of
/// strings or integers, or one comma-separated string).
public struct ApimoCredentials: VendorCredentials, Hashable {
    /// The provider id.
    public var provider: String
    /// The provider's token.
    public var token: String
    /// The agencies the provider was granted (empty: every agency it sees).
    public var agencyIDs: [String]

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - provider: the provider id.
    ///   - token: the token.
    ///   - agencyIDs: the granted agencies (empty: every agency).
    public init(provider: String, token: String, agencyIDs: [String]) {
        self.provider = provider
        self.token = token
        self.agencyIDs = agencyIDs
    }

    public static var vendor: VendorID { .apimo }
    public static let keys = ["provider", "token", "agency_ids"]

    public init(reading reader: CredentialsReader) throws {
        self.init(
            provider: try reader.identifier("provider"), token: try reader.string("token"),
            agencyIDs: try reader.identifiers("agency_ids"))
    }

    public var secrets: [String] { [token] }
    public var standardCredentials: StandardCredentials? { .basic(username: provider, password: token) }
    public var jsonObject: [String: any Sendable] { ["provider": provider, "token": token, "agency_ids": agencyIDs] }
    public var description: String { "apimo(provider: \"\(provider)\", token: \(Redactor.mask), agencyIDs: \(agencyIDs))" }
}

extension VendorCredentials where Self == ApimoCredentials {
    /// Apimo credentials (see ``ApimoCredentials``).
    ///
    /// - Parameters:
    ///   - provider: the provider id.
    ///   - token: the token.
    ///   - agencyIDs: the granted agencies (empty: every agency).
    public static func apimo(provider: String, token: String, agencyIDs: [String]) -> ApimoCredentials {
        ApimoCredentials(provider: provider, token: token, agencyIDs: agencyIDs)
    }
}
