import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RealtyModel
import Testing

@testable import Sandbox

/// Fault rules scoped to a vendor and a route, `Retry-After` as seconds and as an HTTP-date,
/// and tokens or sessions revoked before expiry.
@Suite struct FaultScopeTests {
    // MARK: - Spec grammar

    @Test func theOldGrammarStillReadsTheSame() throws {
        let plan = try FaultPlan(spec: "500:0.1,429:0.05,timeout:0.02,latency=200ms,retry-after=2")
        #expect(plan.rules.map(\.kind) == [.serverError(500), .rateLimited, .timeout])
        #expect(plan.rules.allSatisfy { $0.vendor == nil && $0.route == nil })
        #expect(plan.retryAfterSeconds == 2)
        #expect(plan.retryAfterFormat == .seconds)
        #expect(try FaultPlan(spec: plan.description) == plan)
    }

    @Test func vendorAndRouteScopes() throws {
        let plan = try FaultPlan(spec: "mycrm:500:0.1, pf-expert:429:0.2@/leads*, 503:0.3@/users, revoke:0.01")
        #expect(plan.rules[0] == .init(kind: .serverError(500), probability: 0.1, vendor: .mycrm))
        #expect(plan.rules[1] == .init(kind: .rateLimited, probability: 0.2, vendor: .pfExpert, route: "/leads*"))
        #expect(plan.rules[2] == .init(kind: .serverError(503), probability: 0.3, route: "/users"))
        #expect(plan.rules[3].kind == .revoke)
        #expect(try FaultPlan(spec: plan.description) == plan)
        // The same kind may appear once per scope; each scope adds up to at most 1.
        #expect(throws: Never.self) { try FaultPlan(spec: "500:1,mycrm:500:1,500:1@/leads*") }
        #expect(throws: FaultSpecError.self) { try FaultPlan(spec: "mycrm:500:0.5,mycrm:500:0.1") }
        #expect(throws: FaultSpecError.self) { try FaultPlan(spec: "mycrm:500:0.6,mycrm:503:0.6") }
    }

    @Test func badScopesAreRefusedByName() {
        func reason(_ spec: String) -> String {
            do {
                _ = try FaultPlan(spec: spec)
                return ""
            } catch {
                return error.description
            }
        }
        #expect(reason("acme:500:0.1").contains("unknown vendor \"acme\""))
        #expect(reason("500:0.1@leads").contains("must start with /"))
        #expect(reason("latency=1s@/leads").contains("parameters apply to every route"))
        #expect(reason("a:b:c:d").contains("expected [vendor:]kind:probability"))
        #expect(reason("retry-after-date=1.5").contains("whole number of seconds"))
    }

    @Test func retryAfterFormats() throws {
        let date = try FaultPlan(spec: "429:1,retry-after-date=5")
        #expect(date.retryAfterSeconds == 5)
        #expect(date.retryAfterFormat == .httpDate)
        #expect(date.description == "429:1.0,retry-after-date=5")
        let keep = try FaultPlan(spec: "retry-after=3,retry-after=http-date")
        #expect(keep.retryAfterSeconds == 3)
        #expect(keep.retryAfterFormat == .httpDate)
        #expect(try FaultPlan(spec: keep.description) == keep)
    }

    @Test func routePatterns() {
        #expect(FaultRoute.matches(pattern: "/leads*", path: "/leads"))
        #expect(FaultRoute.matches(pattern: "/leads*", path: "/leads/12/notes"))
        #expect(!FaultRoute.matches(pattern: "/leads*", path: "/users"))
        #expect(FaultRoute.matches(pattern: "/users", path: "/users"))
        #expect(!FaultRoute.matches(pattern: "/users", path: "/users/1"))
        #expect(FaultRoute.matches(pattern: "*/publish", path: "/v1/developments/1001/publish"))
        #expect(FaultRoute.matches(pattern: "/api/*/developments/*/units*", path: "/api/v1/developments/1001/units/update-by-name"))
        #expect(!FaultRoute.matches(pattern: "/api/*/publish", path: "/api/v1/developments/1001/publish-status"))
        #expect(FaultRoute.matches(pattern: "*", path: "/anything"))
    }

    @Test func httpDates() {
        #expect(FaultRoute.httpDate(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(FaultRoute.httpDate(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(FaultRoute.httpDate(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(FaultRoute.httpDate(Date(timeIntervalSince1970: 1_795_372_199.9)) == "Sun, 22 Nov 2026 18:29:59 GMT")
    }

    // MARK: - The injector

    @Test func vendorAndRouteRulesOnlyHitTheirRequests() throws {
        let plan = try FaultPlan(spec: "mycrm:503:1,pf-expert:500:1@/leads*")
        let pf = FaultInjector(plan: plan, seed: 7, vendor: .pfExpert)
        let mycrm = FaultInjector(plan: plan, seed: 7, vendor: .mycrm)
        let apimo = FaultInjector(plan: plan, seed: 7, vendor: .apimo)
        #expect(pf.decide(method: "GET", path: "/leads").fault == .serverError(500))
        #expect(pf.decide(method: "GET", path: "/leads/3").fault == .serverError(500))
        #expect(pf.decide(method: "GET", path: "/users").fault == nil)
        #expect(mycrm.decide(method: "GET", path: "/webservice.php").fault == .serverError(503))
        #expect(mycrm.decide(method: "GET", path: "/leads").fault == .serverError(503))
        #expect(apimo.decide(method: "GET", path: "/leads").fault == nil)
        // Without a vendor, only unscoped rules apply.
        #expect(FaultInjector(plan: plan).decide(method: "GET", path: "/leads").fault == nil)
    }

    @Test func scopedRulesAreDeterministicUnderTheSeed() throws {
        let plan = try FaultPlan(spec: "pf-expert:500:0.3@/leads*,pf-expert:429:0.2,mycrm:503:0.5")
        let paths = (0..<400).map { $0 % 3 == 0 ? "/users" : "/leads/\($0)" }
        func run(seed: UInt64) -> [String] {
            let injector = FaultInjector(plan: plan, seed: seed, vendor: .pfExpert)
            return paths.map { injector.decide(method: "GET", path: $0).fault?.name ?? "-" }
        }
        let first = run(seed: 11)
        #expect(first == run(seed: 11))
        #expect(first != run(seed: 12))
        // `/users` is only ever hit by the unrouted 429 rule; the mycrm rule never fires here.
        for (path, fault) in zip(paths, first) where path == "/users" {
            #expect(fault == "-" || fault == "429")
        }
        #expect(!first.contains("503"))
        let leads = zip(paths, first).filter { $0.0 != "/users" }.map(\.1)
        let share = Double(leads.filter { $0 == "500" }.count) / Double(leads.count)
        #expect((0.2...0.4).contains(share))
    }

    @Test func injectionsForAnotherVendorAreDropped() {
        let injector = FaultInjector(plan: FaultPlan(), vendor: .pfExpert)
        injector.enqueue([
            FaultInjection(kind: .serverError(502), vendor: .mycrm),
            FaultInjection(kind: .serverError(503), path: "/leads*", vendor: .pfExpert),
        ])
        #expect(injector.pending.count == 1)
        #expect(injector.decide(method: "GET", path: "/users").fault == nil)
        #expect(injector.decide(method: "GET", path: "/leads/1").fault == .serverError(503))
    }

    // MARK: - Over loopback

    static func options(_ vendors: [SandboxVendor], faults: FaultPlan = FaultPlan()) -> SandboxOptions {
        SandboxOptions(vendors: vendors, settings: EmulatorSettings(records: 10, faults: faults), clock: .manual())
    }

    @Test func scopedPlanFromTheSettings() async throws {
        let plan = try FaultPlan(spec: "mycrm:503:1,pf-expert:500:1@/leads*")
        try await withLiveSandbox(Self.options([.pfExpert, .mycrm], faults: plan)) { sandbox, client in
            let pf = try #require(sandbox.info(.pfExpert))
            let mycrm = try #require(sandbox.info(.mycrm))
            let leads = try await client.get(pf.baseURL + "/leads")
            #expect(leads.status == 500)
            #expect(leads.header("X-Sandbox-Fault") == "500")
            // Another route of the same vendor reaches the emulator (no token: its own 401).
            #expect(try await client.get(pf.baseURL + "/users").status == 401)
            let crm = try await client.get(mycrm.baseURL + "/webservice.php?operation=listtypes")
            #expect(crm.status == 503)
            #expect(crm.header("X-Sandbox-Fault") == "503")
            // The plan reads back with its scopes.
            let state = try await client.get(pf.controlURL + "/faults")
            #expect(state.json?["spec"] == "mycrm:503:1.0,pf-expert:500:1.0@/leads*")
        }
    }

    @Test func controlAPIAcceptsScopedSpecsAndRefusesOtherVendorsInjections() async throws {
        try await withLiveSandbox(Self.options([.pfExpert])) { sandbox, client in
            let pf = try #require(sandbox.info(.pfExpert))
            let set = try await client.postJSON(pf.controlURL + "/faults", #"{"spec":"pf-expert:502:1@/users*"}"#)
            #expect(set.status == 200)
            #expect(try await client.get(pf.baseURL + "/users").status == 502)
            #expect(try await client.get(pf.baseURL + "/leads").status == 401)
            let other = try await client.postJSON(pf.controlURL + "/faults", #"{"next":[{"kind":"500","vendor":"mycrm"}]}"#)
            #expect(other.status == 400)
            #expect(other.json?["error"]?["message"]?.strictString?.contains("mycrm") == true)
            let mine = try await client.postJSON(
                pf.controlURL + "/faults", #"{"clear":true,"next":[{"kind":"503","vendor":"pf-expert","path":"/le*s"}]}"#)
            #expect(mine.status == 200)
            #expect(try await client.get(pf.baseURL + "/users").status == 401)
            #expect(try await client.get(pf.baseURL + "/leads").status == 503)
        }
    }

    /// Accepts an HTTP-date `seconds` ahead of some instant between `before` and `after`.
    static func isHTTPDate(_ value: String?, seconds: Int, between before: Date, and after: Date) -> Bool {
        guard let value else { return false }
        let low = Int(before.timeIntervalSince1970.rounded(.down)) + seconds
        let high = Int(after.timeIntervalSince1970.rounded(.up)) + seconds + 1
        return (low...high).contains { FaultRoute.httpDate(Date(timeIntervalSince1970: Double($0))) == value }
    }

    @Test func rateLimitWithRetryAfterAsSecondsAndAsHTTPDate() async throws {
        let plan = try FaultPlan(spec: "429:1@/users,retry-after-date=5")
        try await withLiveSandbox(Self.options([.pfExpert], faults: plan)) { sandbox, client in
            let pf = try #require(sandbox.info(.pfExpert))
            var before = Date()
            let dated = try await client.get(pf.baseURL + "/users")
            #expect(dated.status == 429)
            #expect(Self.isHTTPDate(dated.header("Retry-After"), seconds: 5, between: before, and: Date()))

            // Per injection: seconds on a plan that writes dates, and the other way round.
            _ = try await client.postJSON(
                pf.controlURL + "/faults",
                #"{"spec":"retry-after=9","next":[{"kind":"429","path":"/leads","retry_after":4,"retry_after_format":"seconds"},{"kind":"429","path":"/leads","retry_after":30,"retry_after_format":"http-date"}]}"#
            )
            let seconds = try await client.get(pf.baseURL + "/leads")
            #expect(seconds.status == 429)
            #expect(seconds.header("Retry-After") == "4")
            before = Date()
            let date = try await client.get(pf.baseURL + "/leads")
            #expect(date.status == 429)
            #expect(Self.isHTTPDate(date.header("Retry-After"), seconds: 30, between: before, and: Date()))
            let plain = try await client.get(pf.baseURL + "/users")
            #expect(plain.header("Retry-After") == nil)
            _ = try await client.postJSON(pf.controlURL + "/faults", #"{"spec":"429:1"}"#)
            #expect(try await client.get(pf.baseURL + "/users").header("Retry-After") == "1")
            let bad = try await client.postJSON(
                pf.controlURL + "/faults", #"{"next":[{"kind":"429","retry_after_format":"fortnight"}]}"#)
            #expect(bad.status == 400)
        }
    }

    // MARK: - Revocation

    @Test func revokePFExpertTokensThroughControlAndAsAFault() async throws {
        try await withLiveSandbox(Self.options([.pfExpert])) { sandbox, client in
            let pf = try #require(sandbox.info(.pfExpert))
            let token = try await CoreRuntimeTests.token(sandbox, client)
            let auth = [("Authorization", "Bearer \(token)")]
            #expect(try await client.get(pf.baseURL + "/users", headers: auth).status == 200)
            let revoked = try await client.postJSON(pf.controlURL + "/revoke", "")
            #expect(revoked.status == 200)
            #expect(revoked.json?["revoked"] == 1)
            #expect(revoked.json?["revocable"] == true)
            #expect(try await client.get(pf.baseURL + "/users", headers: auth).status == 401)

            // As a queued fault: the request that draws it already gets the auth error.
            let fresh = try await CoreRuntimeTests.token(sandbox, client)
            let freshAuth = [("Authorization", "Bearer \(fresh)")]
            _ = try await client.postJSON(pf.controlURL + "/faults", #"{"next":[{"kind":"revoke","path":"/leads"}]}"#)
            #expect(try await client.get(pf.baseURL + "/users", headers: freshAuth).status == 200)
            let refused = try await client.get(pf.baseURL + "/leads", headers: freshAuth)
            #expect(refused.status == 401)
            #expect(refused.header("X-Sandbox-Fault") == "revoke")
            #expect(try await client.get(pf.baseURL + "/users", headers: freshAuth).status == 401)
            // A new token works again.
            let again = try await CoreRuntimeTests.token(sandbox, client)
            #expect(try await client.get(pf.baseURL + "/users", headers: [("Authorization", "Bearer \(again)")]).status == 200)
        }
    }

    @Test func revokePropQTokens() async throws {
        try await withLiveSandbox(Self.options([.propq])) { sandbox, client in
            let propq = try #require(sandbox.info(.propq))
            let form =
                "grant_type=client_credentials&client_id=\(propq.credentials["client_id"] ?? "")&client_secret=\(propq.credentials["client_secret"] ?? "")"
            let tokenReply = try await client.send(
                .POST, propq.baseURL + "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
            #expect(tokenReply.status == 200)
            let token = try #require(tokenReply.json?["access_token"]?.strictString)
            let headers = [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
            #expect(try await client.get(propq.baseURL + "/api/v1/iam/me", headers: headers).status == 200)
            let revoked = try await client.postJSON(propq.controlURL + "/revoke", "")
            #expect(revoked.json?["revoked"] == 1)
            #expect(try await client.get(propq.baseURL + "/api/v1/iam/me", headers: headers).status == 401)
        }
    }

    @Test func revokeMyCRMSessions() async throws {
        try await withLiveSandbox(Self.options([.mycrm])) { sandbox, client in
            let mycrm = try #require(sandbox.info(.mycrm))
            let user = mycrm.credentials["username"] ?? ""
            let service = mycrm.baseURL + "/webservice.php"
            let challenge = try await client.get(service + "?operation=getchallenge&username=\(user)")
            let token = try #require(challenge.json?["result"]?["token"]?.strictString)
            let hash = MyCRMAuthState.md5Hex(token + (mycrm.credentials["access_key"] ?? ""))
            let login = try await client.send(
                .POST, service, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "operation=login&username=\(user)&accessKey=\(hash)")
            let session = try #require(login.json?["result"]?["sessionName"]?.strictString, "\(login.text)")
            let types = try await client.get(service + "?operation=listtypes&sessionName=\(session)")
            #expect(types.json?["success"] == true)
            let revoked = try await client.postJSON(mycrm.controlURL + "/revoke", "")
            #expect(revoked.json?["revoked"] == 1)
            let after = try await client.get(service + "?operation=listtypes&sessionName=\(session)")
            #expect(after.status == 200)
            #expect(after.json?["success"] == false)
            #expect(after.json?["error"]?["code"] == "INVALID_SESSIONID")
        }
    }

    @Test func staticCredentialVendorsHaveNothingToRevoke() async throws {
        try await withLiveSandbox(Self.options([.apimo, .bostonLogic])) { sandbox, client in
            for vendor in [SandboxVendor.apimo, .bostonLogic] {
                let info = try #require(sandbox.info(vendor))
                let reply = try await client.postJSON(info.controlURL + "/revoke", "")
                #expect(reply.status == 200)
                #expect(reply.json?["revocable"] == false)
                #expect(reply.json?["revoked"] == 0)
            }
        }
    }
}
