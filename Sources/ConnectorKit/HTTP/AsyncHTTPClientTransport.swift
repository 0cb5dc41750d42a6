public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// ``HTTPTransport`` over AsyncHTTPClient.
///
/// Either borrows an `HTTPClient` owned by the application (the usual case: one client for the
/// whole process, shut down at exit) or owns one, which must then be released with
/// ``shutdown()``. Either way the client is made from ``VendorHTTPConfiguration``, so redirects
/// are never followed: a 3xx answer comes back as a response like any other, and
/// ``VendorHTTPClient`` reports it as a misconfiguration naming the status and the `Location`
/// (PropQ answers 3xx when the content type is wrong); following it could carry credentials to
/// another host. Every request carries its deadline, and bodies are read with `collect(upTo:)`
/// so a misbehaving vendor cannot exhaust memory.
public final class AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient
    private let ownsClient: Bool
    private let maxBodyBytes: Int
    private let logger: Logger

    /// Wraps an application-owned client; the caller shuts it down.
    ///
    /// - Parameters:
    ///   - client: the client to use, made by ``VendorHTTPConfiguration/makeClient()`` (a client
    ///     configured otherwise may follow redirects).
    ///   - maxBodyBytes: the largest response body accepted (default 32 MiB).
    ///   - logger: AHC's per-request logger (default: silent).
    public init(client: HTTPClient, maxBodyBytes: Int = 32 << 20, logger: Logger? = nil) {
        self.client = client
        self.ownsClient = false
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger ?? Logger(label: "realtyhub.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Creates and owns a client made from `configuration`, on the shared event loop group.
    ///
    /// - Parameters:
    ///   - configuration: the shared HTTP client configuration (default ``VendorHTTPConfiguration/standard``).
    ///   - maxBodyBytes: the largest response body accepted (default 32 MiB).
    ///   - logger: AHC's per-request logger (default: silent).
    /// - warning: call ``shutdown()`` before releasing the transport.
    public init(configuration: VendorHTTPConfiguration = .standard, maxBodyBytes: Int = 32 << 20, logger: Logger? = nil) {
        self.client = configuration.makeClient()
        self.ownsClient = true
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger ?? Logger(label: "realtyhub.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Creates and owns a client made from ``VendorHTTPConfiguration`` with these timeouts.
    ///
    /// - Parameters:
    ///   - connectTimeout: TCP/TLS connect timeout.
    ///   - readTimeout: the longest pause between bytes of a response.
    ///   - maxBodyBytes: the largest response body accepted (default 32 MiB).
    ///   - logger: AHC's per-request logger (default: silent).
    /// - warning: call ``shutdown()`` before releasing the transport.
    public convenience init(connectTimeout: Duration, readTimeout: Duration, maxBodyBytes: Int = 32 << 20, logger: Logger? = nil) {
        self.init(
            configuration: VendorHTTPConfiguration(connectTimeout: connectTimeout, readTimeout: readTimeout),
            maxBodyBytes: maxBodyBytes, logger: logger)
    }

    /// Shuts an owned client down; does nothing for a borrowed one.
    ///
    /// - Throws: what `HTTPClient.shutdown()` throws.
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    /// Sends `request` with its deadline and reads the whole body (up to the size limit).
    ///
    /// - Throws: ``TransportError`` when no complete response arrived.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers { outgoing.headers.add(name: field.name, value: field.value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(outgoing, timeout: Self.timeAmount(request.timeout), logger: logger)
            var headers = TransportHeaders()
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            return TransportResponse(status: Int(response.status.code), headers: headers, body: Data(buffer.readableBytesView))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error, limit: maxBodyBytes)
        }
    }

    /// Maps AHC and NIO errors onto ``TransportError`` codes.
    static func classify(_ error: any Error, limit: Int) -> any Error {
        if let error = error as? TransportError { return error }
        if error is NIOTooManyBytesError {
            return TransportError(.bodyTooLarge, "the response body exceeded \(limit) bytes")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled:
                return CancellationError()
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return TransportError(.connectFailed, "could not connect in time (\(error.shortDescription))")
            case .readTimeout, .writeTimeout, .deadlineExceeded:
                return TransportError(.timeout, "no complete response in time (\(error.shortDescription))")
            case .remoteConnectionClosed, .bodyLengthMismatch, .uncleanShutdown:
                return TransportError(.connectionClosed, "the connection closed early (\(error.shortDescription))")
            case .invalidURL, .emptyHost, .emptyScheme:
                return TransportError(.invalidRequest, "the request URL is not usable (\(error.shortDescription))")
            default:
                return TransportError(.other, error.shortDescription)
            }
        }
        if error is NIOConnectionError || error is ChannelError {
            return TransportError(.connectFailed, "could not connect (\(type(of: error)))")
        }
        if let error = error as? IOError {
            let refused: Set<Int32> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL]
            if refused.contains(error.errnoCode) {
                return TransportError(.connectFailed, "could not connect (errno \(error.errnoCode))")
            }
            return TransportError(.connectionClosed, "network error (errno \(error.errnoCode))")
        }
        return TransportError(.other, String(describing: type(of: error)))
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow else { return .hours(24 * 365) }
        return .nanoseconds(max(0, nanos.partialValue + attoseconds / 1_000_000_000))
    }
}
