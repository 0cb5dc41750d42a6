public import HubOperations
public import Hummingbird
import Logging

/// The per-request context of the hub API: Hummingbird's core storage plus the caller, once
/// a bearer token was checked.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated API client; nil on public routes and before authentication.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        principal = nil
    }

    /// Request bodies above 1 MiB are refused with 413: a lead or a connection is a few KiB.
    public var maxUploadSize: Int { HubServerLimits.maximumBodyBytes }
}

/// Fixed limits of the API.
public enum HubServerLimits {
    /// The largest request body accepted.
    public static let maximumBodyBytes = 1 << 20
    /// The largest page of a list.
    public static let maximumPerPage = 100
}

/// Who is calling: an API client of one tenant with its granted scopes.
public struct Principal: Sendable, Hashable {
    public var clientID: String
    public var tenantID: String
    public var scopes: ScopeSet
}
