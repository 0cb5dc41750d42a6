public import Logging

extension VendorHTTPClient {
    /// Creates the executor of a connection whose auth is fully described by its vendor profile
    /// (OAuth2 client credentials, HTTP Basic, an API-key header): the strategy comes from
    /// ``StandardAuth`` and the connection's credentials.
    ///
    /// - Parameters:
    ///   - configuration: the connection (credentials, URLs, overrides).
    ///   - profile: the vendor's facts, its auth kind included.
    ///   - transport: the HTTP transport.
    ///   - clock: the time source (token expiry, backoff, limits).
    ///   - logger: the base logger; connection metadata is added.
    ///   - errorDecoder: the vendor's reading of answers (default: by HTTP status).
    /// - Throws: ``ConnectorError`` `.configuration` when the configuration does not fit the
    ///   profile (another vendor's credentials, an unusable URL, no token URL).
    public init(
        standardAuth configuration: ConnectorConfiguration, profile: VendorProfile, transport: any HTTPTransport,
        clock: any ConnectorClock, logger: Logger, errorDecoder: ErrorDecoder? = nil
    ) throws {
        try configuration.validate(for: profile)
        let auth = try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: logger)
        try self.init(
            configuration: configuration, profile: profile, transport: transport, auth: auth, clock: clock, logger: logger,
            errorDecoder: errorDecoder)
    }
}
