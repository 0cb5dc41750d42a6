import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RealtyModel
import Sandbox
import Testing

import struct ConnectorKit.VendorHTTPConfiguration

/// A response as the Core and PF Expert tests read it.
struct LiveReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var json: JSONValue? { try? JSONValue(parsing: body) }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A small live HTTP client over AsyncHTTPClient for tests against a running sandbox.
struct LiveClient: Sendable {
    let http: HTTPClient

    /// Sends a request and collects the whole answer.
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> LiveReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 8 * 1024 * 1024)
        return LiveReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
    }

    func get(_ url: String, headers: [(String, String)] = []) async throws -> LiveReply {
        try await send(.GET, url, headers: headers)
    }

    func postJSON(_ url: String, _ json: String, headers: [(String, String)] = []) async throws -> LiveReply {
        try await send(.POST, url, headers: [("Content-Type", "application/json")] + headers, body: json)
    }
}

/// Starts a sandbox on free ports, hands it and a client to `body`, and always shuts both down.
func withLiveSandbox(
    _ options: SandboxOptions,
    _ body: (RunningSandbox, LiveClient) async throws -> Void
) async throws {
    let http = VendorHTTPConfiguration.standard.makeClient()
    do {
        try await SandboxRunner.withSandbox(options) { sandbox in
            try await body(sandbox, LiveClient(http: http))
        }
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
}
