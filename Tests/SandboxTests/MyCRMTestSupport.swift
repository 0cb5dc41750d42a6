import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RealtyModel
import Testing

import enum ConnectorKit.FormEncoding

@testable import Sandbox

/// One MyCRM emulator on a manual clock, driven in-process through Hummingbird's router tests.
struct MyCRMHarness {
    let clock: SandboxClock
    let writeLog: WriteLog
    let emulator: MyCRMEmulator

    init(records: Int = 30, seed: UInt64 = 7, tokenTTL: Duration? = nil) {
        clock = .manual()
        writeLog = WriteLog(clock: clock)
        emulator = MyCRMEmulator(
            settings: EmulatorSettings(records: records, seed: seed, tokenTTL: tokenTTL),
            clock: clock, writeLog: writeLog)
    }

    var userName: String { emulator.demoCredentials["username"] ?? "" }
    var accessKey: String { emulator.demoCredentials["access_key"] ?? "" }

    func run(_ body: @Sendable @escaping (MyCRMClient) async throws -> Void) async throws {
        let router = Router(context: SandboxRequestContext.self)
        emulator.addRoutes(to: router)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await body(MyCRMClient(client: client))
        }
    }
}

/// A small webservice client over any HummingbirdTesting client.
struct MyCRMClient: Sendable {
    let client: any TestClientProtocol

    /// A raw request; returns status and parsed body.
    func send(
        _ method: HTTPRequest.Method, path: String = "/webservice.php", query: [(String, String)] = [],
        form: [(String, String)]? = nil, contentType: String = "application/x-www-form-urlencoded"
    ) async throws -> (status: HTTPResponse.Status, body: JSONValue) {
        let uri = query.isEmpty ? path : path + "?" + String(decoding: FormEncoding.encode(query), as: UTF8.self)
        var headers: HTTPFields = [:]
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = contentType
            body = ByteBuffer(string: String(decoding: FormEncoding.encode(form), as: UTF8.self))
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let text = String(buffer: response.body)
        let json = try #require(try? JSONValue(parsing: text), "not JSON: \(text)")
        // Every answer is written in the vendor's member order (rows of a query in select order).
        var columns: [String] = []
        if query.contains(where: { $0 == ("operation", "query") }), let vtql = query.first(where: { $0.0 == "query" })?.1,
            let parsed = try? VTQLParser.parse(vtql), let module = MyCRMModule.named(parsed.module)
        {
            columns = VTQLEvaluator.columns(of: parsed, fields: module.fieldNames)
        }
        #expect(MyCRMWire.text(json, columns: columns) == text)
        return (response.status, json)
    }

    /// A GET operation; the envelope.
    func get(_ operation: String, _ parameters: [(String, String)] = [], session: String? = nil) async throws -> JSONValue {
        var query = [("operation", operation)] + parameters
        if let session { query.append(("sessionName", session)) }
        let (status, body) = try await send(.get, query: query)
        #expect(status == .ok)
        return body
    }

    /// A POST operation with a form body; the envelope.
    func post(_ operation: String, _ parameters: [(String, String)] = [], session: String? = nil) async throws -> JSONValue {
        var form = [("operation", operation)] + parameters
        if let session { form.append(("sessionName", session)) }
        let (status, body) = try await send(.post, form: form)
        #expect(status == .ok)
        return body
    }

    /// getchallenge then login; the session name.
    func login(_ userName: String, _ accessKey: String) async throws -> String {
        let challenge = try await get("getchallenge", [("username", userName)])
        let token = try #require(challenge.result?["token"]?.strictString)
        let login = try await post("login", [("username", userName), ("accessKey", MyCRMAuthState.md5Hex(token + accessKey))])
        return try #require(login.result?["sessionName"]?.strictString, "login failed: \(login.jsonText)")
    }
}

extension JSONValue {
    var result: JSONValue? {
        self["success"] == .bool(true) ? self["result"] : nil
    }

    var errorCode: String? {
        self["success"] == .bool(false) ? self["error"]?["code"]?.strictString : nil
    }

    var errorMessage: String? {
        self["error"]?["message"]?.strictString
    }

    /// The keys in the order the emulator writes them (``MyCRMClient/send`` checks that the
    /// answer's text has them in that order).
    var keys: [String] {
        objectValue.map { MyCRMWire.orderedKeys($0) } ?? []
    }
}
