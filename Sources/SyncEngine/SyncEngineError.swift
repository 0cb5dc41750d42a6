public import HubStore

/// The errors of the sync engine itself (vendor failures stay `ConnectorError`s, store failures
/// `StoreError`s): a stable, extensible code and a message for people.
///
/// `description` is the message alone, safe to log and to show (it names connections and
/// resources, never credentials); an underlying cause appears only in `debugDescription`.
/// Callers test ``code`` (`error.code == .leaseLost`), so adding a code breaks no caller.
public struct SyncEngineError: CodedError {
    /// The class of an engine failure: a stable snake_case code (adding one breaks no caller).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable snake_case name, usable as a metric label.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The connection named does not exist (in the tenant).
        public static let unknownConnection = Code("unknown_connection")
        /// The connection is switched off.
        public static let connectionDisabled = Code("connection_disabled")
        /// The connection's vendor cannot read the resource.
        public static let notReadable = Code("not_readable")
        /// A delivery's payload cannot be performed (not the record its kind needs, no handler).
        public static let invalidPayload = Code("invalid_payload")
        /// The connection cannot be used (no credentials, a malformed URL).
        public static let unusableConnection = Code("unusable_connection")
        /// The worker's pull lease expired and another worker took the pull over.
        public static let leaseLost = Code("lease_lost")
        /// The process is shutting down; the pull stopped at a page boundary.
        public static let stoppedForShutdown = Code("stopped_for_shutdown")
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    /// An error of class `code` whose `message` is the whole user-facing text (no secrets), with
    /// its `underlying` cause for `debugDescription` only.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        (self.code, self.message, self.underlying) = (code, message, underlying)
    }

    public var description: String { message }
}

extension SyncEngineError {
    /// ``Code/unknownConnection``: no connection `id`.
    public static func unknownConnection(_ id: String) -> SyncEngineError {
        SyncEngineError(.unknownConnection, "no connection \(id)")
    }

    /// ``Code/connectionDisabled``: connection `id` is switched off.
    public static func connectionDisabled(_ id: String) -> SyncEngineError {
        SyncEngineError(.connectionDisabled, "connection \(id) is disabled")
    }

    /// ``Code/notReadable``: `connection` cannot read `resource`.
    public static func notReadable(connection: String, resource: String) -> SyncEngineError {
        SyncEngineError(.notReadable, "connection \(connection) cannot read \(resource)")
    }

    /// ``Code/invalidPayload``: the delivery cannot be performed, for the reason `message`.
    public static func invalidPayload(_ message: String, underlying: (any Error)? = nil) -> SyncEngineError {
        SyncEngineError(.invalidPayload, "invalid delivery payload: \(message)", underlying: underlying)
    }

    /// ``Code/unusableConnection``: `message` says why the connection cannot be used.
    public static func unusableConnection(_ message: String) -> SyncEngineError {
        SyncEngineError(.unusableConnection, message)
    }

    /// ``Code/leaseLost``: the pull of `resource` through `connection` was taken over.
    public static func leaseLost(connection: String, resource: String) -> SyncEngineError {
        SyncEngineError(
            .leaseLost,
            "the lease on pulling \(resource) through connection \(connection) expired and another worker took it over")
    }

    /// ``Code/stoppedForShutdown``: the pull stopped at a page boundary for a shutdown.
    public static var stoppedForShutdown: SyncEngineError {
        SyncEngineError(
            .stoppedForShutdown, "stopped at a page boundary because the process is shutting down; the next run resumes")
    }
}
