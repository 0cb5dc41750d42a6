import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RealtyModel
import Testing

@testable import Sandbox

/// One PropQ emulator on a manual clock, driven in-process through Hummingbird's router tests.
struct PropQHarness {
    let clock: SandboxClock
    let writeLog: WriteLog
    let emulator: PropQEmulator

    init(records: Int = 6, seed: UInt64 = 11, tokenTTL: Duration? = nil, publishDuration: Duration = .seconds(30)) {
        clock = .manual()
        writeLog = WriteLog(clock: clock)
        emulator = PropQEmulator(
            settings: EmulatorSettings(records: records, seed: seed, tokenTTL: tokenTTL, publishDuration: publishDuration),
            clock: clock, writeLog: writeLog)
    }

    var clientID: String { emulator.demoCredentials["client_id"] ?? "" }
    var clientSecret: String { emulator.demoCredentials["client_secret"] ?? "" }

    func run(_ body: @Sendable @escaping (PropQClient) async throws -> Void) async throws {
        let router = Router(context: SandboxRequestContext.self)
        emulator.addRoutes(to: router)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await body(PropQClient(client: client, harness: self))
        }
    }
}

/// A response as the tests read it.
struct PropQReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var text: String

    var json: JSONValue? { try? JSONValue(parsing: Data(text.utf8)) }
}

/// A small PropQ client over any HummingbirdTesting client.
struct PropQClient: Sendable {
    let client: any TestClientProtocol
    let harness: PropQHarness

    func send(
        _ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> PropQReply {
        let response = try await client.executeRequest(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return PropQReply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// `application/x-www-form-urlencoded` token request.
    func tokenForm(_ fields: [(String, String)]) async throws -> PropQReply {
        let body = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        return try await send(.post, "/oauth/token", headers: [.contentType: "application/x-www-form-urlencoded"], body: body)
    }

    /// `multipart/form-data` token request, as curl sends an array of POST fields.
    func tokenMultipart(_ fields: [(String, String)], boundary: String = "------------------------d74496d66958873e")
        async throws -> PropQReply
    {
        var body = ""
        for (name, value) in fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return try await send(
            .post, "/oauth/token", headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
    }

    /// A fresh access token for the demo client.
    func accessToken() async throws -> String {
        let reply = try await tokenForm([
            ("grant_type", "client_credentials"), ("client_id", harness.clientID), ("client_secret", harness.clientSecret),
        ])
        #expect(reply.status == .ok)
        return try #require(reply.json?["access_token"]?.strictString, "no token in \(reply.text)")
    }

    /// An API call with the JSON content type and a bearer token.
    func api(_ method: HTTPRequest.Method, _ path: String, token: String, body: JSONValue? = nil) async throws -> PropQReply {
        try await send(
            method, path, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
            body: body.map(\.jsonText))
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
