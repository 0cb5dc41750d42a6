public import ConnectorKit

/// What `realtyhub probe` found: whether the credentials work, what the connection can do, and
/// the first page of each readable resource. Codable for `--json`; never carries a secret.
public struct ProbeReport: Sendable, Codable {
    /// A failure, classified.
    public struct Failure: Sendable, Codable, Hashable {
        /// The ``ConnectorError/Kind`` name (`auth`, `rate_limited`, ...), or `internal`.
        public var kind: String
        /// The full, redacted description.
        public var message: String
        /// The vendor's HTTP status, when there was one.
        public var httpStatus: Int?
        /// The vendor's own error code.
        public var vendorCode: String?

        /// Creates a failure from any error (a ``ConnectorError`` keeps its classification).
        public init(_ error: any Error, redactor: Redactor) {
            if let error = error as? ConnectorError {
                kind = error.kind.rawValue
                message = redactor.redact(error.description)
                httpStatus = error.httpStatus
                vendorCode = error.vendorCode
            } else {
                kind = "internal"
                message = redactor.redact(String(describing: error))
            }
        }
    }

    /// The authentication step.
    public struct Authentication: Sendable, Codable {
        /// The vendor's auth kind (`oauth2-client-credentials`, `challenge-session`, ...).
        public var method: String
        /// Whether the credentials were accepted.
        public var ok: Bool
        /// Why not, when they were not.
        public var failure: Failure?
    }

    /// The first page of one readable resource.
    public struct ResourceProbe: Sendable, Codable {
        /// The RESO resource name.
        public var resource: String
        /// The vendor endpoints feeding it.
        public var vendorEndpoints: [String]
        /// Whether the page was read.
        public var ok: Bool
        /// Records on the first page.
        public var count: Int?
        /// The vendor key of the first record.
        public var firstRecordKey: String?
        /// Whether the first page was also the last.
        public var isLast: Bool?
        /// Why the page could not be read.
        public var failure: Failure?
        /// Whether the resource is core to the vendor (a failure fails the probe); an auxiliary
        /// resource the connection cannot read is skipped instead.
        public var core: Bool = true
        /// Set when the whole resource is not available on this connection (an auxiliary
        /// resource whose endpoints the server lacks or the credentials may not read): why.
        public var skipped: String?
        /// Auxiliary endpoints skipped while the rest of the resource was read.
        public var unavailable: [UnavailableRead] = []
    }

    /// The vendor's CLI name.
    public var vendor: String
    /// The connection id used for the probe.
    public var connectionID: String
    /// The base URL probed (user info and secret parameters removed).
    public var baseURL: String
    /// The authentication step.
    public var authentication: Authentication
    /// What the connection can read, write and do.
    public var capabilities: ConnectorCapabilities?
    /// The first page of each readable resource (empty when authentication failed).
    public var resources: [ResourceProbe]
    /// A failure before authentication could be tried (bad configuration).
    public var setupFailure: Failure?

    /// Whether everything worked: set up, authenticated, and every readable resource read, or
    /// skipped as not available when it is auxiliary.
    public var succeeded: Bool {
        setupFailure == nil && authentication.ok && resources.allSatisfy { $0.ok || $0.skipped != nil }
    }
}
