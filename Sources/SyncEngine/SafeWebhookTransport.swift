import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The hub's webhook transport: before each request the target's name is resolved and every
/// address checked (``WebhookTargetPolicy``), and the connection goes to the address that was
/// checked (AsyncHTTPClient's DNS override; TLS still verifies the name), so a name that
/// changes what it resolves to between the check and the connection (DNS rebinding) cannot
/// reach a refused address. Redirects are not followed (a 3xx is a failed attempt), and at most
/// ``responseBodyLimit`` bytes of an answer are read.
public final class SafeWebhookTransport: WebhookTransport {
    /// How much of an answer is read; the rest is dropped.
    public static let responseBodyLimit = 16 * 1024
    /// How many (name, address) clients are kept.
    static let clientLimit = 64

    let allowPrivateTargets: Bool
    private let clients = Mutex<[String: HTTPClient]>([:])
    private let retired = Mutex<[HTTPClient]>([])

    /// - Parameter allowPrivateTargets: send to loopback, private and link-local addresses too
    ///   (`--allow-private-webhook-targets`).
    public init(allowPrivateTargets: Bool) {
        self.allowPrivateTargets = allowPrivateTargets
    }

    public func post(url: URL, headers: [(String, String)], body: Data, timeout: TimeInterval) async throws -> WebhookResponse {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            throw WebhookTargetPolicy.Refusal("webhook URLs are http or https with a host")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let address = try await WebhookTargetPolicy.address(for: host, port: port, allowPrivate: allowPrivateTargets)
        let client = client(host: host, address: address)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1_000)))
        var read = 0
        for try await chunk in response.body {
            read += chunk.readableBytes
            if read >= Self.responseBodyLimit { break }
        }
        return WebhookResponse(status: Int(response.status.code))
    }

    /// A client whose connections to `host` go to `address`.
    private func client(host: String, address: IPAddress) -> HTTPClient {
        let literal = IPAddress(host) != nil
        let key = literal ? host : "\(host)|\(address)"
        return clients.withLock { clients in
            if let known = clients[key] { return known }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            if !literal { configuration.dnsOverride = [host: "\(address)"] }
            configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(30))
            // A refused or failed connection fails the attempt at once: the worker's backoff
            // retries it (AsyncHTTPClient would otherwise retry until the 10 s timeout).
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            if clients.count >= Self.clientLimit, let oldest = clients.keys.first, let evicted = clients.removeValue(forKey: oldest) {
                retire(evicted)
            }
            clients[key] = client
            return client
        }
    }

    /// Closes an evicted client once any request it may still carry is over (unless
    /// ``shutdown()`` closes it first), so evicted clients do not pile up.
    private func retire(_ client: HTTPClient) {
        retired.withLock { $0.append(client) }
        Task {
            try? await Task.sleep(for: .seconds(60))
            let still = retired.withLock { retired in
                guard let index = retired.firstIndex(where: { $0 === client }) else { return false }
                retired.remove(at: index)
                return true
            }
            if still { try? await client.shutdown() }
        }
    }

    /// Closes every client.
    public func shutdown() async {
        let all =
            clients.withLock { clients in
                let all = Array(clients.values)
                clients.removeAll()
                return all
            }
            + retired.withLock { retired in
                let all = retired
                retired.removeAll()
                return all
            }
        for client in all { try? await client.shutdown() }
    }
}
