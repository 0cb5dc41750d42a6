import AsyncHTTPClient
import ConnectorKit
public import Foundation
import NIOCore
import NIOHTTP1

/// A hub's webhook subscriptions over its API (`realtyhub webhooks listen --hub URL`): create
/// one (`POST /v1/webhooks`, answered 201 with the subscription and, this once, its secret) and
/// remove it (`DELETE /v1/webhooks/{id}`, 204), with a bearer token.
public struct HubWebhooksClient: Sendable {
    /// A refusal by the hub: `{"error": {"code", "message", "details": [{"field", "message"}]}}`
    /// (or, from something that is not the hub, the status and the start of the body).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var status: Int
        public var code: String?
        public var message: String
        public var details: [(field: String, message: String)]

        public var description: String {
            var text = "HTTP \(status)" + (code.map { " \($0)" } ?? "") + ": \(message)"
            for detail in details { text += "\n  \(detail.field): \(detail.message)" }
            return text
        }
    }

    /// The hub could not be asked: no connection, no answer in time.
    public struct Unreachable: Error, Sendable, CustomStringConvertible {
        public var hub: String
        public var reason: String
        public var description: String { "cannot reach the hub at \(hub): \(reason)" }
    }

    /// A subscription as created.
    public struct Created: Sendable, Hashable {
        public var id: String
        public var secret: String
    }

    private let base: String
    private let token: String
    private let client: HTTPClient

    /// - Parameters:
    ///   - hub: the hub's base URL (`http://127.0.0.1:8080`; a trailing `/` or `/v1` is
    ///     allowed).
    ///   - token: a bearer token of a client with the `webhooks:write` scope.
    /// - warning: call ``shutdown()`` when done.
    public init(hub: String, token: String) {
        var base = hub
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        self.base = base
        self.token = token
        var configuration = VendorHTTPConfiguration.standard.clientConfiguration
        // A command's few calls: a refused connection is told at once instead of being retried
        // until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the client's connections.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// `POST /v1/webhooks` `{"url", "events", "description"}`.
    /// - Throws: ``Failure`` for any answer but 201 with an `id` and a `secret`;
    ///   ``Unreachable`` when no answer came.
    public func create(url: String, events: [String], description: String) async throws -> Created {
        let body = try JSONSerialization.data(
            withJSONObject: ["url": url, "events": events, "description": description], options: [.sortedKeys])
        let (status, data) = try await send(.POST, path: "/v1/webhooks", body: body)
        guard status == 201 else { throw Self.failure(status: status, body: data) }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let id = object["id"] as? String, let secret = object["secret"] as? String
        else {
            throw Failure(status: status, code: nil, message: "the hub's answer holds no subscription id and secret", details: [])
        }
        return Created(id: id, secret: secret)
    }

    /// `DELETE /v1/webhooks/{id}`.
    /// - Throws: ``Failure`` for any answer but 204; ``Unreachable``.
    public func delete(id: String) async throws {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id
        let (status, data) = try await send(.DELETE, path: "/v1/webhooks/\(escaped)", body: nil)
        guard status == 204 else { throw Self.failure(status: status, body: data) }
    }

    private func send(_ method: NIOHTTP1.HTTPMethod, path: String, body: Data?) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let buffer = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(buffer.readableBytesView))
        } catch {
            throw Unreachable(hub: base, reason: "\(error)")
        }
    }

    /// The hub's error document read into a ``Failure``.
    static func failure(status: Int, body: Data) -> Failure {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let error = object["error"] as? [String: Any], let message = error["message"] as? String
        else {
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return Failure(status: status, code: nil, message: text.isEmpty ? "no error document" : text, details: [])
        }
        let details = (error["details"] as? [[String: Any]] ?? []).map {
            (field: $0["field"] as? String ?? "-", message: $0["message"] as? String ?? "")
        }
        return Failure(status: status, code: error["code"] as? String, message: message, details: details)
    }
}
