import Foundation
import RealtyModel
import Testing

import enum ConnectorKit.FormEncoding

@testable import Sandbox

@Suite struct MyCRMAuthStateTests {
    let start = Date(timeIntervalSince1970: 1_735_689_600)
    let key = "AbCdEfGh12345678"

    private func loggedIn(_ state: inout MyCRMAuthState, at time: Date) throws(MyCRMError) -> MyCRMAuthState.Session {
        let challenge = state.challenge(username: "admin", token: "5f1c2a3b4d5e6", now: time)
        return try state.login(
            username: "admin", accessKeyHash: MyCRMAuthState.md5Hex(challenge.token + key), userAccessKey: key,
            userID: "19x1", sessionName: "s1", now: time
        )
    }

    @Test func challengeLivesFiveMinutes() {
        var state = MyCRMAuthState()
        let challenge = state.challenge(username: "admin", token: "abc", now: start)
        #expect(challenge.issuedAt == 1_735_689_600)
        #expect(challenge.expiresAt == 1_735_689_900)
    }

    @Test func loginWithMD5OfTokenAndKey() throws {
        var state = MyCRMAuthState()
        let session = try loggedIn(&state, at: start)
        #expect(session.userID == "19x1")
        #expect(try state.use(sessionName: "s1", now: start).name == "s1")
    }

    @Test func wrongKeyIsInvalidCredentials() {
        var state = MyCRMAuthState()
        let challenge = state.challenge(username: "admin", token: "tok", now: start)
        #expect(throws: MyCRMError(.invalidUserCredentials, "Invalid username or password")) {
            try state.login(
                username: "admin", accessKeyHash: MyCRMAuthState.md5Hex(challenge.token + "wrong"), userAccessKey: key,
                userID: "19x1", sessionName: "s", now: start)
        }
        // Upper-case hex is refused too: the vendor compares with strcmp.
        #expect(throws: MyCRMError.self) {
            try state.login(
                username: "admin", accessKeyHash: MyCRMAuthState.md5Hex(challenge.token + key).uppercased(),
                userAccessKey: key, userID: "19x1", sessionName: "s", now: start)
        }
    }

    @Test func loginWithoutChallengeOrAfterExpiryIsInvalidToken() {
        var state = MyCRMAuthState()
        #expect(throws: MyCRMError(.invalidAuthToken, "Specified token is invalid or expired")) {
            try state.login(
                username: "admin", accessKeyHash: "x", userAccessKey: key, userID: "19x1", sessionName: "s",
                now: start)
        }
        let challenge = state.challenge(username: "admin", token: "tok", now: start)
        let hash = MyCRMAuthState.md5Hex(challenge.token + key)
        #expect(throws: MyCRMError.self) {
            try state.login(
                username: "admin", accessKeyHash: hash, userAccessKey: key, userID: "19x1", sessionName: "s",
                now: start.addingTimeInterval(300))
        }
    }

    @Test func tokenIsReusableWhileAliveAndReplacedByANewChallenge() throws {
        var state = MyCRMAuthState()
        let first = state.challenge(username: "admin", token: "first", now: start)
        let hash = MyCRMAuthState.md5Hex(first.token + key)
        _ = try state.login(
            username: "admin", accessKeyHash: hash, userAccessKey: key, userID: "19x1", sessionName: "a",
            now: start.addingTimeInterval(10))
        _ = try state.login(
            username: "admin", accessKeyHash: hash, userAccessKey: key, userID: "19x1", sessionName: "b",
            now: start.addingTimeInterval(299))
        _ = state.challenge(username: "admin", token: "second", now: start.addingTimeInterval(20))
        #expect(throws: MyCRMError.self) {
            try state.login(
                username: "admin", accessKeyHash: hash, userAccessKey: key, userID: "19x1", sessionName: "c",
                now: start.addingTimeInterval(30))
        }
    }

    @Test func missingAccessKeyIsUndefined() {
        var state = MyCRMAuthState()
        _ = state.challenge(username: "admin", token: "t", now: start)
        #expect(throws: MyCRMError(.accessKeyUndefined, "Access key for the user is undefined")) {
            try state.login(
                username: "admin", accessKeyHash: "x", userAccessKey: nil, userID: "19x1", sessionName: "s",
                now: start)
        }
    }

    @Test func idleExpiryThenInvalid() throws {
        var state = MyCRMAuthState()
        _ = try loggedIn(&state, at: start)
        // Used at 29 minutes: still alive, and the idle timer restarts.
        _ = try state.use(sessionName: "s1", now: start.addingTimeInterval(29 * 60))
        _ = try state.use(sessionName: "s1", now: start.addingTimeInterval(58 * 60))
        #expect(throws: MyCRMError(.sessionLeftIdle, "Session has been invalidated to due lack activity")) {
            try state.use(sessionName: "s1", now: start.addingTimeInterval(88 * 60))
        }
        #expect(throws: MyCRMError(.invalidSessionID, "Session Identifier provided is Invalid")) {
            try state.use(sessionName: "s1", now: start.addingTimeInterval(88 * 60))
        }
    }

    @Test func configurableIdleLimit() throws {
        var state = MyCRMAuthState(idleLifetime: 5)
        _ = try loggedIn(&state, at: start)
        _ = try state.use(sessionName: "s1", now: start.addingTimeInterval(4))
        #expect(throws: MyCRMError.self) { try state.use(sessionName: "s1", now: start.addingTimeInterval(9)) }
    }

    @Test func absoluteExpiryAfterOneDayEvenWhenBusy() throws {
        var state = MyCRMAuthState()
        _ = try loggedIn(&state, at: start)
        var time = start
        for _ in 0..<47 {
            time = time.addingTimeInterval(29 * 60)
            _ = try state.use(sessionName: "s1", now: time)
        }
        // 47 × 29 min = 22 h 43 min: alive. At 24 h it ends.
        #expect(throws: MyCRMError(.sessionExpired, "Session has life span over please login again")) {
            try state.use(sessionName: "s1", now: start.addingTimeInterval(86_400))
        }
    }

    @Test func noSessionIsAuthenticationRequired() {
        var state = MyCRMAuthState()
        for name in [nil, "", "null"] as [String?] {
            #expect(throws: MyCRMError(.authenticationRequired, "Authencation required")) {
                try state.use(sessionName: name, now: start)
            }
        }
    }

    @Test func logoutEndsTheSession() throws {
        var state = MyCRMAuthState()
        _ = try loggedIn(&state, at: start)
        state.logout(sessionName: "s1")
        #expect(throws: MyCRMError.self) { try state.use(sessionName: "s1", now: start) }
    }
}

@Suite struct MyCRMFormAndJSONTests {
    @Test func formDecodingLikePHP() {
        let form = QueryItems(query: "operation=query&query=select+*+from+Leads%3B&a=1&a=2&flag&=x&bad=%zz%4")
        #expect(form["operation"] == "query")
        #expect(form["query"] == "select * from Leads;")
        #expect(form["a"] == "2")
        #expect(form["flag"] == "")
        #expect(form["bad"] == "%zz%4")
        #expect(form[""] == nil)
    }

    @Test func formRoundTrip() {
        let pairs = [("element", #"{"firstname":"Zoë & Co","note":"a+b=c"}"#)]
        #expect(QueryItems(query: String(decoding: FormEncoding.encode(pairs), as: UTF8.self))["element"] == pairs[0].1)
    }

    @Test func answersAreWrittenInTheVendorsMemberOrder() throws {
        let record = MyCRMWire.object(MyCRMModule.leads.fieldNames.reversed().map { ($0, .string("")) })
        let envelope = MyCRMWire.object([("result", record), ("success", .bool(true))])
        let text = MyCRMWire.text(envelope)
        #expect(text.hasPrefix(#"{"success":true,"result":{""# + MyCRMModule.leads.fieldNames[0] + #"":"#))
        #expect(try JSONValue(parsing: text) == envelope)
        let rows: JSONValue = .array([MyCRMWire.object([("id", "10x1"), ("email", "a@b.c")])])
        #expect(MyCRMWire.text(rows, columns: ["id", "email"]) == #"[{"id":"10x1","email":"a@b.c"}]"#)
        #expect(
            MyCRMWire.text(["zeta": 1, "alpha": [2.5, "line\nbreak"]]) == #"{"alpha":[2.5,"line\nbreak"],"zeta":1}"#,
            "keys of objects the vendor does not build come sorted")
    }

    @Test func fieldStrings() throws {
        #expect(MyCRMWire.fieldString(.int(42)) == "42")
        #expect(MyCRMWire.fieldString(.double(2.5)) == "2.5")
        #expect(MyCRMWire.fieldString(.double(3)) == "3")
        #expect(MyCRMWire.fieldString(try JSONValue(parsing: "3.0")) == "3")
        #expect(MyCRMWire.fieldString(.bool(true)) == "1")
        #expect(MyCRMWire.fieldString(.null) == "")
        #expect(MyCRMWire.fieldString(.array([])) == nil)
    }

    /// RFC 1321's vectors and a UTF-8 input: the login hash is PHP's `md5()` in lower-case hex.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
        ("é", "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
    ])
    func md5Hex(input: String, expected: String) {
        #expect(MyCRMAuthState.md5Hex(input) == expected)
    }
}
