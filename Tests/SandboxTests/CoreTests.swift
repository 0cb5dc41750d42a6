import Foundation
import RealtyModel
import Testing

@testable import Sandbox

@Suite struct FaultPlanTests {
    @Test func parsesTheDocumentedExample() throws {
        let plan = try FaultPlan(spec: "500:0.1,429:0.05,timeout:0.02,reset:0.01,latency=200ms,slow:0.1")
        #expect(plan.rules.map(\.kind) == [.serverError(500), .rateLimited, .timeout, .reset, .slow])
        #expect(plan.rules.map(\.probability) == [0.1, 0.05, 0.02, 0.01, 0.1])
        #expect(plan.latency == .milliseconds(200))
    }

    @Test func parsesParametersAndEveryKind() throws {
        let plan = try FaultPlan(
            spec: " 502:0.1 , 503:0.1,504:0.1,garbage:0.1,lost:0.1,lost-reset:0.1,retry-after=7,timeout=3s,slow=1.5s ")
        #expect(plan.rules.map(\.kind.name) == ["502", "503", "504", "garbage", "lost", "lost-reset"])
        #expect(plan.retryAfterSeconds == 7)
        #expect(plan.timeoutHold == .seconds(3))
        #expect(plan.slowDelay == .milliseconds(1500))
    }

    @Test func readsClientErrorsAsRefusals() throws {
        let plan = try FaultPlan(spec: "422:0.5,403:0.5,pf-expert:400:0.1@/v1/leads*")
        #expect(plan.rules.map(\.kind) == [.clientError(422), .clientError(403), .clientError(400)])
        #expect(plan.rules.map(\.kind.name) == ["422", "403", "400"])
        #expect(FaultKind(name: "429") == .rateLimited, "429 stays the rate limit")
        #expect(plan.rules.allSatisfy { !$0.kind.performsRequest })
        #expect(try FaultPlan(spec: plan.description) == plan)
    }

    @Test func descriptionRoundTrips() throws {
        let plan = try FaultPlan(spec: "500:0.25,429:0.5,latency=200ms,retry-after=3,timeout=2m")
        #expect(try FaultPlan(spec: plan.description) == plan)
        #expect(try FaultPlan(spec: "") == FaultPlan())
        #expect(FaultPlan().isEmpty)
    }

    @Test(arguments: [
        ("500:2", "500:2"),
        ("500:0.1,teapot:0.1", "teapot:0.1"),
        ("600:0.1", "600:0.1"),
        ("399:0.1", "399:0.1"),
        ("500", "500"),
        ("500:0.1,,429:0.1", ""),
        ("500:0.1,", ""),
        ("latency=fast", "latency=fast"),
        ("colour=blue", "colour=blue"),
        ("500:0.6,502:0.6", "502:0.6"),
        ("500:0.1,500:0.2", "500:0.2"),
        ("500:-0.1", "500:-0.1"),
        ("retry-after=1.5s", "retry-after=1.5s"),
    ])
    func rejectsBadTokensNamingThem(spec: String, token: String) {
        #expect {
            try FaultPlan(spec: spec)
        } throws: { error in
            guard let error = error as? FaultSpecError else { return false }
            return error.token == token && error.description.contains("invalid fault spec token")
        }
    }
}

@Suite struct DurationParsingTests {
    @Test func readsUnits() throws {
        #expect(try Duration(parsing: "250ms") == .milliseconds(250))
        #expect(try Duration(parsing: "30s") == .seconds(30))
        #expect(try Duration(parsing: "30") == .seconds(30))
        #expect(try Duration(parsing: "5m") == .seconds(300))
        #expect(try Duration(parsing: "1.5h") == .seconds(5400))
        #expect(Duration.seconds(300).sandboxDescription == "5m")
        #expect(Duration.milliseconds(250).sandboxDescription == "250ms")
    }

    @Test(arguments: ["", "s", "5x", "-1s", "1e3s", "five minutes", "5 m"])
    func rejects(_ text: String) {
        #expect(throws: DurationParseError(text: text)) { try Duration(parsing: text) }
    }
}

@Suite struct SeededDataTests {
    @Test func sameSeedSameSequence() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        var c = SeededGenerator(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func streamsAreIndependent() {
        var a = SeededGenerator(seed: 7, stream: "pf-expert/leads")
        var b = SeededGenerator(seed: 7, stream: "pf-expert/users")
        #expect(a.next() != b.next())
        for _ in 0..<1000 {
            let unit = a.nextUnit()
            #expect(unit >= 0 && unit < 1)
        }
    }

    @Test func fakeDataIsDeterministic() {
        var a = SeededGenerator(seed: 1)
        var b = SeededGenerator(seed: 1)
        let first = FakeData.firstName(using: &a)
        let last = FakeData.lastName(using: &a)
        #expect(first == FakeData.firstName(using: &b))
        #expect(last == FakeData.lastName(using: &b))
        let email = FakeData.email(first: "Zoé", last: "O'Brien", number: 3, using: &a)
        #expect(email.hasPrefix("zoe.obrien3@"))
        #expect(FakeData.phone(country: "AE", using: &a).hasPrefix("+97150"))
    }
}

@Suite struct FaultInjectorTests {
    @Test func queuedFaultsHitMatchingRequestsInOrder() {
        let injector = FaultInjector(plan: FaultPlan())
        injector.enqueue([
            FaultInjection(kind: .rateLimited, count: 2, method: "post", path: "/leads", retryAfter: 9),
            FaultInjection(kind: .serverError(503)),
        ])
        #expect(injector.decide(method: "GET", path: "/leads").fault == .serverError(503))
        let first = injector.decide(method: "POST", path: "/leads/3")
        #expect(first.fault == .rateLimited)
        #expect(first.retryAfterSeconds == 9)
        #expect(injector.decide(method: "POST", path: "/leads").fault == .rateLimited)
        #expect(injector.decide(method: "POST", path: "/leads").fault == nil)
        #expect(injector.pending.isEmpty)
        #expect(injector.injectedCounts == ["429": 2, "503": 1])
    }

    @Test func planRollsASeededDie() throws {
        let always = FaultInjector(plan: try FaultPlan(spec: "500:1"))
        #expect((0..<20).allSatisfy { _ in always.decide(method: "GET", path: "/").fault == .serverError(500) })

        let plan = try FaultPlan(spec: "500:0.3,latency=20ms")
        let a = FaultInjector(plan: plan, latency: .milliseconds(5), seed: 3)
        let b = FaultInjector(plan: plan, latency: .milliseconds(5), seed: 3)
        let rolls = (0..<1000).map { _ in a.decide(method: "GET", path: "/").fault }
        #expect(rolls == (0..<1000).map { _ in b.decide(method: "GET", path: "/").fault })
        let hits = rolls.filter { $0 != nil }.count
        #expect((220...380).contains(hits))
        #expect(a.decide(method: "GET", path: "/").delay == .milliseconds(25))
    }

    @Test func resetRestoresTheStartingPlan() throws {
        let injector = FaultInjector(plan: try FaultPlan(spec: "429:0.5"))
        injector.clear()
        #expect(injector.plan.rules.isEmpty)
        injector.enqueue([FaultInjection(kind: .reset)])
        injector.reset()
        #expect(injector.plan.rules.count == 1)
        #expect(injector.pending.isEmpty)
    }

    @Test func injectionJSON() throws {
        let json = #"{"kind":"lost-reset","count":3,"method":"POST","path":"/leads","retry_after":2}"#
        let injection = try JSONDecoder().decode(FaultInjection.self, from: Data(json.utf8))
        #expect(injection == FaultInjection(kind: .lostReset, count: 3, method: "POST", path: "/leads", retryAfter: 2))
        let numeric = try JSONDecoder().decode(FaultInjection.self, from: Data(#"{"kind":500}"#.utf8))
        #expect(numeric.kind == .serverError(500) && numeric.count == 1)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FaultInjection.self, from: Data(#"{"kind":"boom"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FaultInjection.self, from: Data(#"{"kind":"500","count":0}"#.utf8))
        }
    }
}

@Suite struct WriteLogAndClockTests {
    @Test func logRecordsFiltersAndClears() {
        let clock = SandboxClock.manual()
        let log = WriteLog(clock: clock)
        log.record(
            vendor: .pfExpert, resource: "leads", operation: .create, id: "1", keys: ["email": "a@b.c", "phone": ""],
            rawBody: Data(#"{"lead":{"email":"a@b.c"}}"#.utf8))
        clock.advance(by: .seconds(5))
        log.record(vendor: .mycrm, resource: "Leads", operation: "revise", id: "10x1", rawBody: Data("not json".utf8))
        log.record(vendor: .pfExpert, resource: "leads", operation: .delete, id: "1")
        #expect(log.entries().map(\.sequence) == [1, 2, 3])
        #expect(log.entries(vendor: .pfExpert, operation: .create).first?.keys == ["email": "a@b.c"])
        #expect(log.entries(vendor: .pfExpert, operation: .create).first?.body["lead"]?["email"] == "a@b.c")
        #expect(log.entries(vendor: .mycrm).first?.body == .string("not json"))
        #expect(log.entries(vendor: .mycrm).first?.timestamp == clock.now)
        log.clear(vendor: .pfExpert)
        #expect(log.entries().map(\.vendor) == [.mycrm])
        log.record(vendor: .apimo, resource: "leads", operation: .create, id: "9")
        #expect(log.entries().last?.sequence == 4)
    }

    @Test func manualClockOnlyMovesWhenAdvanced() {
        let clock = SandboxClock.manual()
        let start = clock.now
        #expect(clock.isManual)
        clock.advance(by: .seconds(90))
        clock.advance(by: .seconds(-30))
        #expect(clock.now.timeIntervalSince(start) == 90)
        let wall = SandboxClock.wall()
        let before = wall.now
        wall.advance(by: .seconds(3600))
        #expect(wall.now.timeIntervalSince(before) >= 3600)
    }
}

@Suite struct ControlRequestTests {
    @Test func decodesOperations() throws {
        func decode(_ json: String) throws -> ControlRequest {
            try JSONDecoder().decode(ControlRequest.self, from: Data(json.utf8))
        }
        #expect(try decode(#"{"op":"mutate","resource":"leads","count":3}"#) == .mutate(resource: "leads", count: 3))
        #expect(try decode(#"{"op":"insert","resource":"users"}"#) == .insert(resource: "users", count: 1))
        #expect(try decode(#"{"op":"list","resource":"users"}"#) == .list(resource: "users"))
        #expect(try decode(#"{"op":"reset"}"#) == .reset)
        #expect(try decode(#"{"op":"deny","resource":"leads"}"#) == .custom(op: "deny", arguments: ["op": "deny", "resource": "leads"]))
        #expect(throws: DecodingError.self) { try decode(#"{"op":"mutate"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"op":"delete","resource":"leads","count":-1}"#) }
        let encoded = try JSONEncoder().encode(ControlRequest.delete(resource: "leads", count: 2))
        #expect(try JSONDecoder().decode(ControlRequest.self, from: encoded) == .delete(resource: "leads", count: 2))
    }

    @Test func oneFormReadingForQueriesAndBodies() {
        // PHP's reading: + is a space, malformed escapes stay, bytes decode as UTF-8, empty names go.
        let text = "a%5B%5D=1&a%5B%5D=2&b=x+y%2Bz&bad=%zz%4&=dropped&flag&e=%C3%A9%FF"
        let expected = [("a[]", "1"), ("a[]", "2"), ("b", "x y+z"), ("bad", "%zz%4"), ("flag", ""), ("e", "é\u{FFFD}")]
        for pairs in [
            URLEncodedForm.pairs(text), URLEncodedForm.pairs(bytes: Array(text.utf8)), QueryItems(query: text).items,
            FormBody.parseURLEncoded(Array(text.utf8)).fields.map { (name: $0.name, value: $0.value) },
        ] {
            #expect(pairs.map(\.name) == expected.map(\.0))
            #expect(pairs.map(\.value) == expected.map(\.1))
        }
        #expect(SandboxParsers.decodeMyCRMForm(text)["a[]"] == "2", "a repeated name keeps its last value, as in PHP")
    }

    @Test func queryItemsDecodeNamesAndValues() {
        let query = QueryItems(query: "filters%5Bcreated%5D%5Bfrom%5D=2024-01-01&q=a+b%2Bc&flag&page=1&page=2")
        #expect(query["filters[created][from]"] == "2024-01-01")
        #expect(query["q"] == "a b+c")
        #expect(query["flag"] == "")
        #expect(query["page"] == "2")
        #expect(query.values("page") == ["1", "2"])
        #expect(query["missing"] == nil)
    }
}
