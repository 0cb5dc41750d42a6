/// The secret material of a standard auth strategy, in the strategy's terms rather than a
/// vendor's: a vendor's credentials type says which of these it is (PF Expert's API key and
/// secret are client credentials, Apimo's provider and token a Basic user and password).
public enum StandardCredentials: Sendable, Hashable {
    /// OAuth2 client credentials (PropQ's integer client id is given as text).
    case clientCredentials(id: String, secret: String)
    /// An HTTP Basic user and password.
    case basic(username: String, password: String)
    /// An API key, and the host it is bound to when the vendor binds keys to a host.
    case apiKey(String, host: String?)
}
