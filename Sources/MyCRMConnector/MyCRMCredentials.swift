public import ConnectorKit

/// MyCRM credentials: the webservice user name and that user's access key (never sent as is:
/// the login sends md5(challenge token + access key)).
///
/// File keys: `username`, `access_key`.
public struct MyCRMCredentials: VendorCredentials, Hashable {
    /// The webservice user name.
    public var username: String
    /// The user's access key.
    public var accessKey: String

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - username: the user name.
    ///   - accessKey: the access key.
    public init(username: String, accessKey: String) {
        self.username = username
        self.accessKey = accessKey
    }

    public static var vendor: VendorID { .mycrm }
    public static let keys = ["username", "access_key"]

    public init(reading reader: CredentialsReader) throws {
        self.init(username: try reader.string("username"), accessKey: try reader.string("access_key"))
    }

    public var secrets: [String] { [accessKey] }
    public var jsonObject: [String: any Sendable] { ["username": username, "access_key": accessKey] }
    public var description: String { "mycrm(username: \"\(username)\", accessKey: \(Redactor.mask))" }
}

extension VendorCredentials where Self == MyCRMCredentials {
    /// MyCRM credentials (see ``MyCRMCredentials``).
    ///
    /// - Parameters:
    ///   - username: the user name.
    ///   - accessKey: the access key.
    public static func mycrm(username: String, accessKey: String) -> MyCRMCredentials {
        MyCRMCredentials(username: username, accessKey: accessKey)
    }
}
