import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Sandbox

/// One MyCRM emulator on a manual clock, driven in-process through Hummingbird's router tests.
struct MyCRMHarness {
    let clock: SandboxClock
    let writeLog: WriteLog
    let emulator: MyCRMEmulator

    init(records: Int = 30, seed: UInt64 = 7, tokenTTL: Duration? = nil) {
        clock = .manual()
        writeLog = WriteLog(clock: clock)
        emulator = MyCRMEmulator(settings: EmulatorSettings(records: records, seed: seed, tokenTTL: tokenTTL),
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
    ) async throws -> (status: HTTPResponse.Status, body: MyCRMJSON) {
        let uri = query.isEmpty ? path : path + "?" + MyCRMForm.encode(query)
        var headers: HTTPFields = [:]
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = contentType
            body = ByteBuffer(string: MyCRMForm.encode(form))
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let text = String(buffer: response.body)
        let json = try #require(MyCRMJSON.parse(text), "not JSON: \(text)")
        return (response.status, json)
    }

    /// A GET operation; the envelope.
    func get(_ operation: String, _ parameters: [(String, String)] = [], session: String? = nil) async throws -> MyCRMJSON {
        var query = [("operation", operation)] + parameters
        if let session { query.append(("sessionName", session)) }
        let (status, body) = try await send(.get, query: query)
        #expect(status == .ok)
        return body
    }

    /// A POST operation with a form body; the envelope.
    func post(_ operation: String, _ parameters: [(String, String)] = [], session: String? = nil) async throws -> MyCRMJSON {
        var form = [("operation", operation)] + parameters
        if let session { form.append(("sessionName", session)) }
        let (status, body) = try await send(.post, form: form)
        #expect(status == .ok)
        return body
    }

    /// getchallenge then login; the session name.
    func login(_ userName: String, _ accessKey: String) async throws -> String {
        let challenge = try await get("getchallenge", [("username", userName)])
        let token = try #require(challenge.result?["token"]?.stringValue)
        let login = try await post("login", [("username", userName), ("accessKey", MyCRMMD5.hex(token + accessKey))])
        return try #require(login.result?["sessionName"]?.stringValue, "login failed: \(login.serialized)")
    }
}

extension MyCRMJSON {
    var result: MyCRMJSON? {
        self["success"] == .bool(true) ? self["result"] : nil
    }

    var errorCode: String? {
        self["success"] == .bool(false) ? self["error"]?["code"]?.stringValue : nil
    }

    var errorMessage: String? {
        self["error"]?["message"]?.stringValue
    }

    var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    var intValue: Int? {
        if case .int(let value) = self { value } else { nil }
    }

    var arrayValue: [MyCRMJSON]? {
        if case .array(let value) = self { value } else { nil }
    }

    var keys: [String] {
        if case .object(let members) = self { members.map(\.0) } else { [] }
    }
}
