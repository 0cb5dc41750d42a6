import Foundation
public import Hummingbird
import RealtyModel

/// The control API that every emulator server also serves, under `/_sandbox`. Never subject
/// to faults or latency. Errors use `{"error": {"code": "...", "message": "..."}}`.
///
/// | method | path | body / query | answer |
/// | --- | --- | --- | --- |
/// | GET | `/_sandbox/health` | | `{"status":"ok","vendor":...}` |
/// | GET | `/_sandbox/info` | | vendor, demo credentials, fault plan, clock |
/// | GET | `/_sandbox/writes` | `?resource=&operation=&vendor=<name or all>` | `{"count":N,"writes":[WriteLogEntry]}` |
/// | DELETE | `/_sandbox/writes` | | 204; clears this vendor's entries |
/// | GET | `/_sandbox/faults` | | `{"spec":...,"pending":[...],"injected":{kind:count}}` |
/// | POST | `/_sandbox/faults` | `{"clear":bool?,"spec":String?,"next":[FaultInjection]?}` | same as GET |
/// | DELETE | `/_sandbox/faults` | | 204; no plan, empty queue |
/// | POST | `/_sandbox/reset` | | 204; seeded data, start plan, empty queue, this vendor's log cleared |
/// | POST | `/_sandbox/revoke` | | `{"vendor":...,"revocable":bool,"revoked":N}`; every live token or session revoked before expiry |
/// | POST | `/_sandbox/control` | `ControlRequest` JSON | `ControlResponse` JSON |
/// | GET | `/_sandbox/clock` | | `{"now":ISO-8601,"manual":bool}` |
/// | POST | `/_sandbox/clock` | `{"advance":"31m"}` | same as GET |
///
/// `FaultInjection` JSON: `{"kind":"429","count":2,"method":"POST","path":"/leads","retry_after":3}`
/// (`count` defaults to 1; `method` and `path` (a prefix, or a route pattern when it contains `*`)
/// filter the requests it hits; `retry_after_format` is `seconds` or `http-date`; `vendor`, when
/// present, must name this emulator's vendor).
struct ControlAPI {
    let emulator: any VendorEmulator
    let vendor: SandboxVendor
    let injector: FaultInjector
    let writeLog: WriteLog
    let clock: SandboxClock

    func addRoutes(to router: Router<SandboxRequestContext>) {
        let group = router.group("_sandbox")
        group.get("health") { _, _ in
            SandboxJSON.response(["status": "ok", "vendor": vendor.rawValue])
        }
        group.get("info") { _, _ in
            SandboxJSON.response(info())
        }
        group.get("writes") { request, _ in
            try writes(request)
        }
        group.delete("writes") { _, _ in
            writeLog.clear(vendor: vendor)
            return Response(status: .noContent)
        }
        group.get("faults") { _, _ in
            faultsState()
        }
        group.post("faults") { request, _ in
            try await postFaults(request)
        }
        group.delete("faults") { _, _ in
            injector.clear()
            return Response(status: .noContent)
        }
        group.post("reset") { _, _ in
            _ = try await runControl(.reset)
            injector.reset()
            writeLog.clear(vendor: vendor)
            return Response(status: .noContent)
        }
        group.post("revoke") { _, _ in
            let revoker = emulator as? any TokenRevoking
            let count = await revoker?.revokeAllTokens() ?? 0
            return SandboxJSON.response(
                ["vendor": .string(vendor.rawValue), "revocable": .bool(revoker != nil), "revoked": .int(count)] as JSONValue)
        }
        group.post("control") { request, _ in
            let control = try await Self.decodeBody(ControlRequest.self, of: request, refusal: "invalid control request")
            return SandboxJSON.response(try await runControl(control))
        }
        group.get("clock") { _, _ in
            clockState()
        }
        group.post("clock") { request, _ in
            struct Advance: Decodable { var advance: String }
            let advance = try await Self.decodeBody(Advance.self, of: request, refusal: "expected {\"advance\": \"<duration>\"}")
            do {
                clock.advance(by: try Duration(parsing: advance.advance))
            } catch {
                throw ControlError(.invalidRequest, "\(error)")
            }
            return clockState()
        }
        // Anything else under the prefix: our own 404, not the vendor's.
        group.on("**", method: .get) { request, _ -> Response in
            throw ControlError(.notFound, "no control route \(request.method) \(request.uri.path)")
        }
    }

    private func runControl(_ request: ControlRequest) async throws -> ControlResponse {
        do {
            return try await emulator.control(request)
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(.invalidRequest, "\(error)")
        }
    }

    private func info() -> JSONValue {
        [
            "vendor": .string(vendor.rawValue),
            "credentials": .object(emulator.demoCredentials.mapValues { .string($0) }),
            "faults": .string(injector.plan.description),
            "token_path": type(of: emulator).tokenPath.map { .string($0) } ?? .null,
        ]
    }

    private func writes(_ request: Request) throws -> Response {
        let query = QueryItems(request)
        var vendorFilter: SandboxVendor? = vendor
        if let name = query["vendor"] {
            if name == "all" {
                vendorFilter = nil
            } else if let other = SandboxVendor(rawValue: name) {
                vendorFilter = other
            } else {
                throw ControlError(.invalidRequest, "unknown vendor \"\(name)\"")
            }
        }
        let entries = writeLog.entries(
            vendor: vendorFilter,
            resource: query["resource"],
            operation: query["operation"].map { WriteLogOperation(rawValue: $0) }
        )
        struct Page: Encodable {
            var count: Int
            var writes: [WriteLogEntry]
        }
        return SandboxJSON.response(Page(count: entries.count, writes: entries))
    }

    private struct FaultsBody: Decodable {
        var clear: Bool?
        var spec: String?
        var next: [FaultInjection]?
    }

    private func postFaults(_ request: Request) async throws -> Response {
        let body = try await Self.decodeBody(FaultsBody.self, of: request, refusal: "invalid faults request")
        var plan: FaultPlan?
        if let spec = body.spec {
            do {
                plan = try FaultPlan(spec: spec)
            } catch {
                throw ControlError(.invalidRequest, "\(error)")
            }
        }
        if let other = body.next?.first(where: { $0.vendor != nil && $0.vendor != vendor })?.vendor {
            throw ControlError(
                .invalidRequest, "this is the \(vendor.rawValue) emulator; send faults for \(other.rawValue) to its own control API")
        }
        if body.clear == true { injector.clear() }
        if let plan { injector.setPlan(plan) }
        if let next = body.next { injector.enqueue(next) }
        return faultsState()
    }

    private func faultsState() -> Response {
        struct State: Encodable {
            var spec: String
            var pending: [FaultInjection]
            var injected: [String: Int]
        }
        return SandboxJSON.response(
            State(spec: injector.plan.description, pending: injector.pending, injected: injector.injectedCounts))
    }

    private func clockState() -> Response {
        struct State: Encodable {
            var now: Date
            var manual: Bool
        }
        return SandboxJSON.response(State(now: clock.now, manual: clock.isManual))
    }

    /// Decodes a control request's JSON body.
    /// - Throws: `invalid_request` with `refusal` and what was wrong, when the body is not a `T`.
    private static func decodeBody<T: Decodable>(_ type: T.Type, of request: Request, refusal: String) async throws -> T {
        let body = try await SandboxJSON.body(of: request)
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw ControlError(.invalidRequest, "\(refusal): \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing member \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty
                ? "body is not valid JSON"
                : "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}

extension ControlError: HTTPResponseError {
    /// 404 for `not_found`, 400 otherwise.
    public var status: HTTPResponse.Status {
        code == .notFound ? .notFound : .badRequest
    }

    /// `{"error": {"code": ..., "message": ...}}`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        SandboxJSON.response(["error": ["code": .string(code.description), "message": .string(message)]] as JSONValue, status: status)
    }
}
