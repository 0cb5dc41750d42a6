import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RealtyModel
import Testing

import struct ConnectorKit.VendorHTTPConfiguration

@testable import Sandbox

/// The runner, the control API and the fault middleware, driven over real sockets against the
/// PF Expert emulator (the simplest vendor to authenticate with).
@Suite struct CoreRuntimeTests {
    static func options(
        records: Int = 10, faults: FaultPlan = FaultPlan(), latency: Duration = .zero, clock: SandboxClock = .manual()
    ) -> SandboxOptions {
        SandboxOptions(
            vendors: [.pfExpert],
            settings: EmulatorSettings(records: records, faults: faults, latency: latency),
            clock: clock
        )
    }

    /// A bearer token from the PF Expert emulator.
    static func token(_ sandbox: RunningSandbox, _ client: LiveClient) async throws -> String {
        let info = try #require(sandbox.info(.pfExpert))
        let basic = Data("\(info.credentials["api_key"] ?? ""):\(info.credentials["api_secret"] ?? "")".utf8).base64EncodedString()
        let reply = try await client.postJSON(
            try #require(info.authURL), #"{"scope":"openid","grant_type":"client_credentials"}"#,
            headers: [("Authorization", "Basic \(basic)")])
        #expect(reply.status == 200)
        return try #require(reply.json?["access_token"]?.strictString)
    }

    @Test func startsOnFreePortsAndStops() async throws {
        let sandbox = try await SandboxRunner.start(Self.options())
        let info = try #require(sandbox.info(.pfExpert))
        #expect(info.port > 0)
        #expect(info.baseURL == "http://127.0.0.1:\(info.port)")
        #expect(info.authURL == info.baseURL + "/auth/oauth/v1/token")
        #expect(info.controlURL == info.baseURL + "/_sandbox")
        #expect(info.credentials.keys.sorted() == ["api_key", "api_secret"])
        let http = VendorHTTPConfiguration.standard.makeClient()
        let client = LiveClient(http: http)
        let health = try await client.get(info.controlURL + "/health")
        #expect(health.status == 200)
        #expect(health.json?["vendor"] == "pf-expert")
        try await sandbox.shutdown()
        try await sandbox.shutdown()
        // The listener is gone: the connection is refused (AsyncHTTPClient retries connecting
        // until its deadline, so keep that short).
        await #expect(throws: (any Error).self) {
            _ = try await client.send(.GET, info.controlURL + "/health", timeout: .milliseconds(500))
        }
        try await http.shutdown()
    }

    @Test func everyVendorWithAnEmulatorStartsTogether() async throws {
        let vendors = SandboxVendor.allCases.filter { SandboxRunner.emulatorType(for: $0) != nil }
        let options = SandboxOptions(vendors: vendors + vendors, settings: EmulatorSettings(records: 3))
        try await withLiveSandbox(options) { sandbox, client in
            #expect(sandbox.emulators.map(\.vendor) == vendors)
            #expect(Set(sandbox.emulators.map(\.port)).count == vendors.count)
            for info in sandbox.emulators {
                let health = try await client.get(info.controlURL + "/health")
                #expect(health.json?["vendor"] == .string(info.vendor.rawValue))
                #expect(!info.credentials.isEmpty)
            }
        }
    }

    @Test func refusesBadStartOptions() async throws {
        await #expect(throws: SandboxStartError.self) {
            _ = try await SandboxRunner.start(SandboxOptions(vendors: []))
        }
        await #expect(throws: SandboxStartError.self) {
            _ = try await SandboxRunner.start(SandboxOptions(vendors: [.pfExpert], portBase: 65_534))
        }
    }

    @Test func aTakenPortFailsTheStartCleanly() async throws {
        try await withLiveSandbox(Self.options()) { sandbox, _ in
            let taken = try #require(sandbox.info(.pfExpert)).port
            await #expect(throws: SandboxStartError.self) {
                _ = try await SandboxRunner.start(SandboxOptions(vendors: [.pfExpert], portBase: taken))
            }
        }
    }

    @Test func queuedRateLimitAnswers429WithRetryAfterOnVendorRoutesOnly() async throws {
        try await withLiveSandbox(Self.options()) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let token = try await Self.token(sandbox, client)
            let queued = try await client.postJSON(
                info.controlURL + "/faults", #"{"next":[{"kind":"429","count":2,"path":"/users","retry_after":7}]}"#)
            #expect(queued.status == 200)
            #expect(queued.json?["pending"]?.arrayValue?.count == 1)

            // The control API is never faulted.
            #expect(try await client.get(info.controlURL + "/health").status == 200)
            let auth = [("Authorization", "Bearer \(token)")]
            // A path outside the filter is untouched.
            #expect(try await client.get(info.baseURL + "/leads", headers: auth).status == 200)
            for _ in 0..<2 {
                let limited = try await client.get(info.baseURL + "/users", headers: auth)
                #expect(limited.status == 429)
                #expect(limited.header("Retry-After") == "7")
                #expect(limited.header("X-Sandbox-Fault") == "429")
            }
            #expect(try await client.get(info.baseURL + "/users", headers: auth).status == 200)
            let state = try await client.get(info.controlURL + "/faults")
            #expect(state.json?["injected"]?["429"] == 2)
            #expect(state.json?["pending"] == [])
        }
    }

    @Test func injectedRefusalsAnswerTheirStatusWithoutDoingTheRequest() async throws {
        try await withLiveSandbox(Self.options(faults: FaultPlan())) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            _ = try await client.postJSON(info.controlURL + "/faults", #"{"next":[{"kind":"422","count":1,"path":"/users"}]}"#)
            let refused = try await client.get(info.baseURL + "/users")
            #expect(refused.status == 422)
            #expect(refused.header("X-Sandbox-Fault") == "422")
            #expect(try await client.get(info.baseURL + "/users").status == 401, "one injection, then the emulator's own answer")
        }
    }

    @Test func probabilisticServerErrorsFromTheSettings() async throws {
        try await withLiveSandbox(Self.options(faults: try FaultPlan(spec: "503:1"))) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let reply = try await client.get(info.baseURL + "/users")
            #expect(reply.status == 503)
            #expect(reply.header("X-Sandbox-Fault") == "503")
            #expect(reply.header("Content-Type")?.hasPrefix("text/plain") == true)
            // Replacing the plan through the control API.
            let cleared = try await client.postJSON(info.controlURL + "/faults", #"{"spec":""}"#)
            #expect(cleared.json?["spec"] == "")
            #expect(try await client.get(info.baseURL + "/users").status == 401)
            // A bad spec is refused and names the token.
            let bad = try await client.postJSON(info.controlURL + "/faults", #"{"spec":"500:0.1,oops"}"#)
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?["code"] == "invalid_request")
            #expect(bad.json?["error"]?["message"]?.strictString?.contains("\"oops\"") == true)
        }
    }

    @Test func lostResponseStillWritesExactlyOnce() async throws {
        try await withLiveSandbox(Self.options()) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let token = try await Self.token(sandbox, client)
            let auth = [("Authorization", "Bearer \(token)")]
            _ = try await client.postJSON(info.controlURL + "/faults", #"{"next":[{"kind":"lost","method":"POST","path":"/leads"}]}"#)
            let body = #"{"lead":{"first_name":"Lost","last_name":"Answer","email":"lost.answer@example.com"}}"#
            let reply = try await client.postJSON(info.baseURL + "/leads", body, headers: auth)
            #expect(reply.status == 500)
            #expect(reply.header("X-Sandbox-Fault") == "lost")

            // The write happened: a client looking the lead up by email finds it once.
            let lookup = try await client.get(info.baseURL + "/leads?filters%5Bemail%5D=lost.answer%40example.com", headers: auth)
            #expect(lookup.json?["count"] == 1)
            let writes = try await client.get(info.controlURL + "/writes?resource=leads&operation=create")
            #expect(writes.json?["count"] == 1)
            #expect(writes.json?["writes"]?.arrayValue?.first?["keys"]?["email"] == "lost.answer@example.com")
            #expect(sandbox.writeLog.entries(vendor: .pfExpert, resource: "leads").count == 1)
        }
    }

    @Test func lostResetAndResetCloseTheConnection() async throws {
        try await withLiveSandbox(Self.options()) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let token = try await Self.token(sandbox, client)
            let auth = [("Authorization", "Bearer \(token)")]
            _ = try await client.postJSON(
                info.controlURL + "/faults", #"{"next":[{"kind":"reset","path":"/users"},{"kind":"lost-reset","path":"/leads"}]}"#)
            await #expect(throws: (any Error).self) {
                _ = try await client.get(info.baseURL + "/users", headers: auth)
            }
            await #expect(throws: (any Error).self) {
                _ = try await client.postJSON(
                    info.baseURL + "/leads", #"{"lead":{"first_name":"Cut","mobile":"+971500000001"}}"#, headers: auth)
            }
            #expect(sandbox.writeLog.entries(vendor: .pfExpert, operation: .create).count == 1)
            // The server is fine afterwards.
            #expect(try await client.get(info.baseURL + "/users", headers: auth).status == 200)
        }
    }

    @Test func garbageIsNotJSON() async throws {
        try await withLiveSandbox(Self.options()) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            _ = try await client.postJSON(info.controlURL + "/faults", #"{"next":[{"kind":"garbage"}]}"#)
            let reply = try await client.get(info.baseURL + "/users")
            #expect(reply.status == 200)
            #expect(reply.json == nil)
        }
    }

    @Test func timeoutHoldsThenAnswers504() async throws {
        let plan = try FaultPlan(spec: "timeout=300ms")
        try await withLiveSandbox(Self.options(faults: plan)) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            _ = try await client.postJSON(info.controlURL + "/faults", #"{"next":[{"kind":"timeout","count":2}]}"#)
            let start = ContinuousClock.now
            let reply = try await client.get(info.baseURL + "/users")
            #expect(reply.status == 504)
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            // A client with a shorter timeout gives up.
            await #expect(throws: (any Error).self) {
                _ = try await client.send(.GET, info.baseURL + "/users", timeout: .milliseconds(100))
            }
        }
    }

    @Test func aHeldRequestDoesNotDelayShutdown() async throws {
        let plan = try FaultPlan(spec: "timeout:1,timeout=60s")
        let sandbox = try await SandboxRunner.start(Self.options(faults: plan))
        let info = try #require(sandbox.info(.pfExpert))
        let http = VendorHTTPConfiguration.standard.makeClient()
        let client = LiveClient(http: http)
        async let held = try? client.send(.GET, info.baseURL + "/users", timeout: .seconds(90))
        // Shut down only once the emulator holds the request (a fixed sleep raced it on a busy
        // machine, where the request had not arrived yet).
        let arrival = ContinuousClock.now
        while (sandbox.faults(.pfExpert)?.injectedCounts[FaultKind.timeout.name] ?? 0) < 1, ContinuousClock.now - arrival < .seconds(30) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(sandbox.faults(.pfExpert)?.injectedCounts[FaultKind.timeout.name] == 1, "the request is held")
        let start = ContinuousClock.now
        try await sandbox.shutdown()
        // Far below the 60 s hold (what waiting for the request would cost), and above what a
        // loaded machine needs to wind the server down.
        #expect(ContinuousClock.now - start < .seconds(30))
        _ = await held
        try await http.shutdown()
    }

    @Test func latencyAppliesToVendorRoutesNotControl() async throws {
        // A latency far above scheduling noise, and the two requests compared with each other
        // (both pay the same noise on a busy machine): the vendor route waits the latency, the
        // control route does not, so it comes back at least half the latency sooner.
        try await withLiveSandbox(Self.options(latency: .seconds(6))) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            _ = try await client.get(info.controlURL + "/info") // the connection is open before timing
            var start = ContinuousClock.now
            _ = try await client.get(info.controlURL + "/health")
            let control = ContinuousClock.now - start
            start = ContinuousClock.now
            _ = try await client.get(info.baseURL + "/users")
            let vendor = ContinuousClock.now - start
            #expect(vendor >= .seconds(6), "the vendor route waits the latency")
            #expect(vendor - control >= .seconds(3), "the control route does not: \(control) against \(vendor)")
        }
    }

    @Test func controlOperationsAndErrors() async throws {
        try await withLiveSandbox(Self.options(records: 10)) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let control = info.controlURL + "/control"
            let seeded = try await client.postJSON(control, #"{"op":"list","resource":"leads"}"#)
            let inserted = try await client.postJSON(control, #"{"op":"insert","resource":"leads","count":2}"#)
            #expect(inserted.json?["ids"] == ["11", "12"])
            let deleted = try await client.postJSON(control, #"{"op":"delete","resource":"leads","count":3}"#)
            #expect(deleted.json?["ids"]?.arrayValue?.count == 3)
            let listed = try await client.postJSON(control, #"{"op":"list","resource":"leads"}"#)
            #expect(listed.json?["records"]?.arrayValue?.count == 9)

            let unknown = try await client.postJSON(control, #"{"op":"list","resource":"tasks"}"#)
            #expect(unknown.status == 400)
            #expect(unknown.json?["error"]?["code"] == "unknown_resource")
            let unsupported = try await client.postJSON(control, #"{"op":"teleport"}"#)
            #expect(unsupported.json?["error"]?["code"] == "unsupported_operation")
            let malformed = try await client.postJSON(control, "{not json")
            #expect(malformed.status == 400)
            #expect(malformed.json?["error"]?["code"] == "invalid_request")
            let missing = try await client.postJSON(control, #"{"op":"mutate"}"#)
            #expect(missing.json?["error"]?["message"]?.strictString?.contains("resource") == true)
            #expect(try await client.get(info.controlURL + "/nothing-here").status == 404)

            let reset = try await client.send(.POST, info.controlURL + "/reset")
            #expect(reset.status == 204)
            let again = try await client.postJSON(control, #"{"op":"list","resource":"leads"}"#)
            #expect(again.json?["records"]?.arrayValue?.count == 10)
            #expect(again.json?["records"] == seeded.json?["records"])
        }
    }

    @Test func clockCanBeAdvancedRemotely() async throws {
        try await withLiveSandbox(Self.options()) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let before = sandbox.clock.now
            let reply = try await client.postJSON(info.controlURL + "/clock", #"{"advance":"31m"}"#)
            #expect(reply.status == 200)
            #expect(reply.json?["manual"] == true)
            #expect(sandbox.clock.now.timeIntervalSince(before) == 31 * 60)
            let bad = try await client.postJSON(info.controlURL + "/clock", #"{"advance":"soon"}"#)
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?["message"]?.strictString?.contains("soon") == true)
        }
    }
}
