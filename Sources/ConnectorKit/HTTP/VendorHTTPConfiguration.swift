public import AsyncHTTPClient
import NIOCore

/// The one configuration of every `HTTPClient` the product creates: the runtime's process-wide
/// client, `probe`'s, the server's (through the runtime), the benchmarks' and the tests'.
///
/// - Redirects are never followed (`.disallow`). AsyncHTTPClient then hands the 3xx answer
///   back as an ordinary response (it throws nothing), so it reaches ``VendorHTTPClient``, which
///   reports it as a `configuration` ``ConnectorError`` naming the status and the `Location`.
///   Following a redirect would carry the request's credential headers to whatever origin the
///   `Location` names, and turn a POST into a GET.
/// - Connect and read timeouts bound every connection; each request also carries its own
///   deadline (``TransportRequest/timeout``).
/// - The pool keeps at most ``maxConnectionsPerHost`` HTTP/1 connections per host and closes
///   idle ones after ``idleTimeout``.
///
/// Keys and defaults: `connectTimeout` 10 s, `readTimeout` 60 s (the longest pause between bytes
/// of an answer; a vendor's slow page still has its request deadline), `maxConnectionsPerHost`
/// 16 (the largest per-connection concurrency a vendor profile allows, with room for a second
/// connection to the same host), `idleTimeout` 60 s.
public struct VendorHTTPConfiguration: Sendable, Hashable {
    /// TCP/TLS connect timeout.
    public var connectTimeout: Duration
    /// The longest pause between bytes of a response.
    public var readTimeout: Duration
    /// The HTTP/1 connections kept per host (AsyncHTTPClient's soft limit).
    public var maxConnectionsPerHost: Int
    /// How long an idle pooled connection is kept.
    public var idleTimeout: Duration

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - connectTimeout: TCP/TLS connect timeout (default 10 s).
    ///   - readTimeout: the longest pause between bytes of a response (default 60 s).
    ///   - maxConnectionsPerHost: pooled HTTP/1 connections per host (default 16, at least 1).
    ///   - idleTimeout: how long an idle connection is kept (default 60 s).
    public init(
        connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60), maxConnectionsPerHost: Int = 16,
        idleTimeout: Duration = .seconds(60)
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxConnectionsPerHost = max(1, maxConnectionsPerHost)
        self.idleTimeout = idleTimeout
    }

    /// The defaults, used by the runtime, the server and `probe`.
    public static let standard = VendorHTTPConfiguration()

    /// The AsyncHTTPClient configuration: redirects disallowed, the timeouts and the pool limits.
    public var clientConfiguration: HTTPClient.Configuration {
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: AsyncHTTPClientTransport.timeAmount(idleTimeout),
            concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        pool.retryConnectionEstablishment = true
        return HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: AsyncHTTPClientTransport.timeAmount(connectTimeout),
                read: AsyncHTTPClientTransport.timeAmount(readTimeout)),
            connectionPool: pool,
            decompression: .disabled)
    }

    /// Creates a client with this configuration on AsyncHTTPClient's shared event loop group.
    ///
    /// - Returns: a new client.
    /// - warning: the caller owns the client and must call `shutdown()` on it before releasing it.
    public func makeClient() -> HTTPClient {
        HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }
}
