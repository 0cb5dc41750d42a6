public import Hummingbird

/// One vendor's emulator: its routes, its seeded state, its demo credentials and its
/// vendor-specific control operations.
///
/// The runner creates one instance per sandbox run and serves it on its own port, behind the
/// fault middleware, next to the control API (`/_sandbox/...`). Emulators must answer bad
/// input (wrong method, bad JSON, missing fields) with the vendor's own error shape and status,
/// and never trap.
public protocol VendorEmulator: AnyObject, Sendable {
    /// The vendor this emulator answers for.
    static var vendor: SandboxVendor { get }

    /// The path of the vendor's token endpoint when the real vendor serves authentication on a
    /// separate host (PF Expert); the runner publishes `baseURL + tokenPath` as `authURL`.
    /// Defaults to `nil`.
    static var tokenPath: String? { get }

    /// Creates the emulator with its seeded data.
    /// - Parameters:
    ///   - settings: run settings (records, seed, token TTL, ...).
    ///   - clock: the time source for expiry and timestamps.
    ///   - writeLog: where every successful write is recorded.
    init(settings: EmulatorSettings, clock: SandboxClock, writeLog: WriteLog)

    /// Adds the vendor's routes. The fault middleware is already installed on `router`.
    /// - Parameter router: the emulator's router.
    func addRoutes(to router: Router<SandboxRequestContext>)

    /// Credentials that the emulator accepts, in the vendor's own names (PF Expert `api_key`,
    /// `api_secret`; PropQ `client_id`, `client_secret`; MyCRM `username`, `access_key`;
    /// Apimo `provider`, `token`, `agency_ids`; Boston Logic `api_key`, `host`).
    var demoCredentials: [String: String] { get }

    /// Runs a control operation (`POST /_sandbox/control`).
    /// - Parameter request: the operation.
    /// - Returns: what it changed or found.
    /// - Throws: ``ControlError`` for an unknown resource or an unsupported operation.
    func control(_ request: ControlRequest) async throws -> ControlResponse
}

extension VendorEmulator {
    public static var tokenPath: String? { nil }
}
