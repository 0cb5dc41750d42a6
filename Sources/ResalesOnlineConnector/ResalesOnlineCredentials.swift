public import ConnectorKit

/// PropQ credentials: the integer OAuth2 client id and its secret.
///
/// File keys: `client_id` (an integer, or a string of digits), `client_secret`.
public struct ResalesOnlineCredentials: VendorCredentials, Hashable {
    /// The OAuth2 client id.
    public var clientID: Int
    /// The client secret.
    public var clientSecret: String

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - clientID: the integer client id.
    ///   - clientSecret: the secret.
    public init(clientID: Int, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public static var vendor: VendorID { .propq }
    public static let keys = ["client_id", "client_secret"]

    public init(reading reader: CredentialsReader) throws {
        self.init(clientID: try reader.integer("client_id"), clientSecret: try reader.string("client_secret"))
    }

    public var secrets: [String] { [clientSecret] }
    public var standardCredentials: StandardCredentials? { .clientCredentials(id: String(clientID), secret: clientSecret) }
    public var jsonObject: [String: any Sendable] { ["client_id": clientID, "client_secret": clientSecret] }
    public var description: String { "propq(clientID: \(clientID), clientSecret: \(Redactor.mask))" }
}

extension VendorCredentials where Self == ResalesOnlineCredentials {
    /// PropQ credentials (see ``ResalesOnlineCredentials``).
    ///
    /// - Parameters:
    ///   - clientID: the integer client id.
    ///   - clientSecret: the secret.
    public static func propq(clientID: Int, clientSecret: String) -> ResalesOnlineCredentials {
        ResalesOnlineCredentials(clientID: clientID, clientSecret: clientSecret)
    }
}
