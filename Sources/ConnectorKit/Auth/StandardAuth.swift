import Foundation
public import Logging

/// Builds the auth strategy a vendor profile describes from a connection's credentials, for
/// the vendors whose auth is fully described by data (OAuth2 client credentials, HTTP Basic,
/// API-key header). Session logins (MyCRM) need the vendor's login code: use ``SessionAuth``.
public enum StandardAuth {
    /// The strategy for `configuration` under `profile`.
    ///
    /// - Parameters:
    ///   - profile: the vendor profile (auth kind, token path, default lifetime, header name).
    ///   - configuration: the connection (credentials, auth URL, renewal margin, shared
    ///     sessions); its credentials give their ``StandardCredentials``.
    ///   - clock: the time source of the token cache.
    ///   - logger: the logger of the token cache.
    /// - Returns: the strategy, with a fresh ``TokenCache`` when it has tokens.
    /// - Throws: ``ConnectorError`` `.configuration` when the credentials do not fit the auth
    ///   kind, the token URL cannot be built, or the kind needs vendor code.
    public static func strategy(
        profile: VendorProfile, configuration: ConnectorConfiguration, clock: any ConnectorClock, logger: Logger
    ) throws -> any AuthStrategy {
        let vendor = profile.vendor
        let credentials = configuration.credentials.standardCredentials
        func mismatch() -> ConnectorError {
            ConnectorError(
                .configuration, vendor: vendor,
                message:
                    "the credentials (\(configuration.credentials.vendor.rawValue)) do not fit \(vendor.rawValue)'s \(profile.auth.name) auth",
                connectionID: configuration.connectionID)
        }
        switch profile.auth {
        case .oauth2ClientCredentials(let tokenPath, let style, let lifetime):
            guard case .clientCredentials(let clientID, let secret)? = credentials else { throw mismatch() }
            // The auth URL may be the auth host or the full token URL (a trailing token path is
            // stripped before the token path is appended), so both name the same endpoint.
            guard let tokenURL = configuration.tokenURL(profile, tokenPath: tokenPath) else {
                throw ConnectorError(
                    .configuration, vendor: vendor, message: "cannot build the token URL from the auth URL",
                    connectionID: configuration.connectionID)
            }
            let cache = TokenCache(
                connectionID: configuration.connectionID, renewalMargin: configuration.tokenRenewalMargin, clock: clock,
                logger: logger, shared: configuration.sharedSessions)
            return OAuth2ClientCredentialsAuth(
                tokenURL: tokenURL, clientID: clientID, clientSecret: secret, style: style, defaultLifetime: lifetime,
                cache: cache)
        case .httpBasic:
            guard case .basic(let username, let password)? = credentials else { throw mismatch() }
            return HTTPBasicAuth(username: username, password: password)
        case .apiKeyHeader(let name, let bindsHost):
            guard case .apiKey(let key, let host)? = credentials else { throw mismatch() }
            return APIKeyHeaderAuth(headerName: name, key: key, host: bindsHost ? host : nil)
        case .challengeSession:
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "\(vendor.rawValue) logs in with a challenge exchange; build a SessionAuth with its login",
                connectionID: configuration.connectionID)
        }
    }
}
