import Foundation
import HTTPTypes
import RealtyModel
import Testing

@testable import Sandbox

@Suite struct MyCRMLoginTests {
    @Test func challengeAndLogin() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let challenge = try await client.get("getchallenge", [("username", harness.userName)])
            let result = try #require(challenge.result)
            let token = try #require(result["token"]?.strictString)
            #expect(token.count == 13 && token.allSatisfy(\.isHexDigit))
            let serverTime = try #require(result["serverTime"]?.strictInt)
            #expect(result["expireTime"]?.strictInt == serverTime + 300)
            #expect(serverTime == Int(harness.clock.now.timeIntervalSince1970))

            let login = try await client.post(
                "login",
                [
                    ("username", harness.userName), ("accessKey", MyCRMAuthState.md5Hex(token + harness.accessKey)),
                ])
            let session = try #require(login.result)
            #expect(session["sessionName"]?.strictString?.isEmpty == false)
            #expect(session["sessionId"] == session["sessionName"])
            #expect(session["userId"] == .string("19x1"))
            #expect(session["version"] == .string("0.22"))
        }
    }

    @Test func loginFailures() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            #expect(try await client.get("getchallenge", [("username", "nobody")]).errorCode == "ACCESS_DENIED")
            #expect(try await client.get("getchallenge").errorCode == "ACCESS_DENIED")
            // No challenge yet.
            #expect(
                try await client.post("login", [("username", harness.userName), ("accessKey", "x")]).errorCode
                    == "INVALID_AUTH_TOKEN")
            let token = try #require(
                try await client.get("getchallenge", [("username", harness.userName)])
                    .result?["token"]?.strictString)
            let wrong = try await client.post(
                "login",
                [
                    ("username", harness.userName), ("accessKey", MyCRMAuthState.md5Hex(token + "not-the-key")),
                ])
            #expect(wrong.errorCode == "INVALID_USER_CREDENTIALS")
            #expect(wrong.errorMessage == "Invalid username or password")
            // The raw access key instead of the hash.
            #expect(
                try await client.post("login", [("username", harness.userName), ("accessKey", harness.accessKey)])
                    .errorCode == "INVALID_USER_CREDENTIALS")
        }
    }

    @Test func inactiveUserCannotLogIn() async throws {
        let harness = MyCRMHarness()
        let inactive = try #require(harness.emulator.store.users().first { !$0.isActive })
        try await harness.run { client in
            let token = try #require(
                try await client.get("getchallenge", [("username", inactive.userName)])
                    .result?["token"]?.strictString)
            let login = try await client.post(
                "login",
                [
                    ("username", inactive.userName), ("accessKey", MyCRMAuthState.md5Hex(token + inactive.accessKey)),
                ])
            #expect(login.errorCode == "INVALID_USER_CREDENTIALS")
        }
    }

    @Test func challengeExpiresAfterFiveMinutes() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let token = try #require(
                try await client.get("getchallenge", [("username", harness.userName)])
                    .result?["token"]?.strictString)
            harness.clock.advance(by: .seconds(301))
            let login = try await client.post(
                "login",
                [
                    ("username", harness.userName), ("accessKey", MyCRMAuthState.md5Hex(token + harness.accessKey)),
                ])
            #expect(login.errorCode == "INVALID_AUTH_TOKEN")
        }
    }

    @Test func sessionLeftIdleAfterThirtyMinutes() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            harness.clock.advance(by: .seconds(29 * 60))
            #expect(try await client.get("listtypes", session: session).result != nil)
            harness.clock.advance(by: .seconds(30 * 60))
            let idle = try await client.get("listtypes", session: session)
            #expect(idle.errorCode == "SESSION_LEFT_IDLE")
            #expect(try await client.get("listtypes", session: session).errorCode == "INVALID_SESSIONID")
        }
    }

    @Test func tokenTTLSettingOverridesTheIdleLimit() async throws {
        let harness = MyCRMHarness(tokenTTL: .seconds(60))
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            harness.clock.advance(by: .seconds(61))
            #expect(try await client.get("listtypes", session: session).errorCode == "SESSION_LEFT_IDLE")
        }
    }

    @Test func sessionExpiresAfterOneDayEvenWhenUsed() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            for _ in 0..<60 {
                harness.clock.advance(by: .seconds(29 * 60))
                if harness.clock.now.timeIntervalSince1970 >= 1_735_689_600 + 86_400 { break }
                #expect(try await client.get("listtypes", session: session).result != nil)
            }
            let expired = try await client.get("listtypes", session: session)
            #expect(expired.errorCode == "SESSION_EXPIRED")
        }
    }

    @Test func extendSessionAndLogout() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            harness.clock.advance(by: .seconds(25 * 60))
            let extended = try await client.post("extendsession", session: session)
            #expect(extended.result?["sessionName"] == .string(session))
            harness.clock.advance(by: .seconds(25 * 60))
            #expect(try await client.get("listtypes", session: session).result != nil)

            let logout = try await client.post("logout", session: session)
            #expect(logout.result == MyCRMWire.object([("message", .string("successfull"))]))
            #expect(try await client.get("listtypes", session: session).errorCode == "INVALID_SESSIONID")
        }
    }

    @Test func operationsNeedASession() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let anonymous = try await client.get("query", [("query", "select * from Leads;")])
            #expect(anonymous.errorCode == "AUTHENTICATION_REQUIRED")
            #expect(
                try await client.get("query", [("query", "select * from Leads;")], session: "made-up").errorCode
                    == "INVALID_SESSIONID")
        }
    }
}

@Suite struct MyCRMTransportTests {
    @Test func unknownOrMissingOperation() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            #expect(try await client.get("frobnicate").errorCode == "UNKNOWN_OPERATION")
            let (status, body) = try await client.send(.get)
            #expect(status == .ok)
            #expect(body.errorCode == "UNKNOWN_OPERATION")
            // The operation name is case-insensitive.
            #expect(try await client.get("GetChallenge", [("username", harness.userName)]).result != nil)
        }
    }

    @Test func wrongMethodIsRefused() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let postedQuery = try await client.post("query", [("query", "select * from Leads;")], session: session)
            #expect(postedQuery.errorCode == "OPERATION_NOT_SUPPORTED")
            #expect(postedQuery.errorMessage?.contains("GET") == true)
            #expect(
                try await client.get("login", [("username", harness.userName), ("accessKey", "x")]).errorCode
                    == "OPERATION_NOT_SUPPORTED")
            #expect(try await client.get("logout", session: session).errorCode == "OPERATION_NOT_SUPPORTED")
            #expect(try await client.get("extendsession", session: session).errorCode == "OPERATION_NOT_SUPPORTED")
            #expect(
                try await client.get("create", [("elementType", "Leads")], session: session).errorCode
                    == "OPERATION_NOT_SUPPORTED")
            #expect(
                try await client.post("retrieve", [("id", "10x1")], session: session).errorCode
                    == "OPERATION_NOT_SUPPORTED")
            let (status, put) = try await client.send(.put, query: [("operation", "retrieve"), ("id", "10x1")])
            #expect(status == .ok)
            #expect(put.errorCode == "OPERATION_NOT_SUPPORTED")
            // Still logged in: nothing above ended the session.
            #expect(try await client.get("retrieve", [("id", "10x1")], session: session).result != nil)
        }
    }

    @Test func postParametersAreReadFromTheBodyOnly() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            // operation and sessionName may ride in the URL, the element must be in the body.
            let element = #"{"firstname":"Q","lastname":"S","assigned_user_id":"19x1"}"#
            let (_, inQuery) = try await client.send(
                .post,
                query: [
                    ("operation", "create"), ("sessionName", session), ("elementType", "Leads"),
                    ("element", element),
                ],
                form: [])
            #expect(inQuery.errorCode == "ACCESS_DENIED")
            let (_, inBody) = try await client.send(
                .post, query: [("operation", "create"), ("sessionName", session)],
                form: [("elementType", "Leads"), ("element", element)])
            #expect(inBody.result?["lastname"] == .string("S"))
        }
    }

    @Test func jsonBodyIsNotAForm() async throws {
        let harness = MyCRMHarness()
        try await harness.run { client in
            let (_, body) = try await client.send(.post, form: [("operation", "login")], contentType: "application/json")
            #expect(body.errorCode == "UNKNOWN_OPERATION")
            #expect(body.errorMessage?.contains("application/x-www-form-urlencoded") == true)
        }
    }
}

@Suite struct MyCRMRecordTests {
    @Test func createRetrieveReviseUpdateDelete() async throws {
        let harness = MyCRMHarness(records: 5)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let element =
                #"{"firstname":"Zoë","lastname":"Quinn","email":"zoe@example.com","phone":"(617) 555-0100","#
                + #""assigned_user_id":"19x2","leadsource":"Web Site","utm_source":"google","nonsense":"ignored","#
                + #""id":"10x999","modifiedtime":"1999-01-01 00:00:00"}"#
            let created = try #require(
                try await client.post(
                    "create", [("elementType", "Leads"), ("element", element)],
                    session: session
                ).result)
            let id = try #require(created["id"]?.strictString)
            #expect(id == "10x11")
            #expect(created.keys == MyCRMModule.leads.fieldNames)
            #expect(created["firstname"] == .string("Zoë"))
            #expect(created["utm_source"] == .string("google"))
            #expect(created["city"] == .string(""))
            #expect(created["modifiedby"] == .string("19x1"))
            #expect(created["createdtime"] == .string("2025-01-01 00:00:00"))
            #expect(created["nonsense"] == nil)

            #expect(try await client.get("retrieve", [("id", id)], session: session).result == created)

            harness.clock.advance(by: .seconds(60))
            let revised = try #require(
                try await client.post(
                    "revise", [("element", #"{"id":"\#(id)","city":"Boston","phone":5550101}"#)], session: session
                ).result)
            #expect(revised["city"] == .string("Boston"))
            #expect(revised["phone"] == .string("5550101"))
            #expect(revised["email"] == .string("zoe@example.com"))
            #expect(revised["modifiedtime"] == .string("2025-01-01 00:01:00"))

            let partialUpdate = try await client.post(
                "update", [("element", #"{"id":"\#(id)","city":"Miami"}"#)],
                session: session)
            #expect(partialUpdate.errorCode == "MANDATORY_FIELDS_MISSING")

            let updated = try #require(
                try await client.post(
                    "update",
                    [
                        (
                            "element",
                            #"{"id":"\#(id)","firstname":"Zoe","lastname":"Quinn","assigned_user_id":"19x1","city":"Miami"}"#
                        )
                    ],
                    session: session
                ).result)
            #expect(updated["city"] == .string("Miami"))
            #expect(updated["email"] == .string(""), "update replaces the whole record")
            #expect(updated["createdtime"] == created["createdtime"])

            let deleted = try await client.post("delete", [("id", id)], session: session)
            #expect(deleted.result == MyCRMWire.object([("status", .string("successful"))]))
            #expect(try await client.get("retrieve", [("id", id)], session: session).errorCode == "RECORD_NOT_FOUND")
            #expect(try await client.post("delete", [("id", id)], session: session).errorCode == "RECORD_NOT_FOUND")
            #expect(
                try await client.post("revise", [("element", #"{"id":"\#(id)","city":"X"}"#)], session: session)
                    .errorCode == "RECORD_NOT_FOUND")

            let writes = harness.writeLog.entries(vendor: .mycrm)
            #expect(writes.map(\.operation.rawValue) == ["create", "revise", "update", "delete"])
            #expect(writes.allSatisfy { $0.id == id && $0.resource == "Leads" })
            #expect(writes[0].keys["email"] == "zoe@example.com")
            #expect(writes[0].body["firstname"] == .string("Zoë"))
        }
    }

    @Test func contactsHaveTheirOwnPrefixAndBooleans() async throws {
        let harness = MyCRMHarness(records: 2)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let created = try #require(
                try await client.post(
                    "create",
                    [
                        ("elementType", "Contacts"),
                        (
                            "element",
                            #"{"firstname":"A","lastname":"B","assigned_user_id":"19x1","is_customer":true,"birthday":"1980-02-03"}"#
                        ),
                    ],
                    session: session
                ).result)
            #expect(created["id"]?.strictString?.hasPrefix("12x") == true)
            #expect(created["is_customer"] == .string("1"))
            #expect(created["birthday"] == .string("1980-02-03"))
        }
    }

    @Test func writeErrors() async throws {
        let harness = MyCRMHarness(records: 2)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            func create(_ type: String, _ element: String) async throws -> JSONValue {
                try await client.post("create", [("elementType", type), ("element", element)], session: session)
            }
            let missing = try await create("Leads", #"{"firstname":"A","assigned_user_id":"19x1"}"#)
            #expect(missing.errorCode == "MANDATORY_FIELDS_MISSING")
            #expect(missing.errorMessage == "lastname does not have a value")
            #expect(
                try await create("Leads", #"{"firstname":"A","lastname":"  ","assigned_user_id":"19x1"}"#).errorCode
                    == "MANDATORY_FIELDS_MISSING")
            #expect(try await create("Leads", #"{"firstname":"A","lastname":"B"}"#).errorCode == "MANDATORY_FIELDS_MISSING")
            #expect(try await create("Leads", #"{"firstname":"A","#).errorCode == "INTERNAL_SERVER_ERROR")
            #expect(try await create("Leads", #"["firstname"]"#).errorCode == "INTERNAL_SERVER_ERROR")
            #expect(
                try await create("Leads", #"{"firstname":{"x":1},"lastname":"B","assigned_user_id":"19x1"}"#)
                    .errorCode == "INTERNAL_SERVER_ERROR")
            #expect(
                try await client.post("create", [("elementType", "Leads")], session: session).errorCode
                    == "INTERNAL_SERVER_ERROR")
            #expect(try await create("Accounts", #"{"accountname":"X"}"#).errorCode == "ACCESS_DENIED")
            #expect(
                try await create("Users", #"{"user_name":"x","last_name":"y","email1":"z@example.com"}"#).errorCode
                    == "ACCESS_DENIED")
            let owner = #"{"firstname":"A","lastname":"B","assigned_user_id":"%@"}"#
            #expect(
                try await create("Leads", owner.replacingOccurrences(of: "%@", with: "1")).errorCode
                    == "INVALID_ID_ATTRIBUTE")
            #expect(
                try await create("Leads", owner.replacingOccurrences(of: "%@", with: "12x1")).errorCode
                    == "REFERENCE_INVALID")
            #expect(
                try await create("Leads", owner.replacingOccurrences(of: "%@", with: "19x5")).errorCode
                    == "ACCESS_DENIED", "user 5 is inactive")
            #expect(
                try await create("Leads", owner.replacingOccurrences(of: "%@", with: "19x99")).errorCode
                    == "ACCESS_DENIED")
            #expect(
                try await client.post("update", [("element", #"{"firstname":"A"}"#)], session: session).errorCode
                    == "INVALID_ID_ATTRIBUTE")
            #expect(
                try await client.post("revise", [("element", #"{"id":"19x1","title":"Boss"}"#)], session: session)
                    .errorCode == "ACCESS_DENIED")
            #expect(
                try await client.post("revise", [("element", #"{"id":"10x1","lastname":""}"#)], session: session)
                    .errorCode == "MANDATORY_FIELDS_MISSING")
            #expect(try await client.post("delete", [("id", "19x2")], session: session).errorCode == "ACCESS_DENIED")
            #expect(harness.writeLog.entries(vendor: .mycrm).isEmpty)
        }
    }

    @Test func retrieveErrorsAndUsers() async throws {
        let harness = MyCRMHarness(records: 2)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            for bad in ["abc", "10x", "x1", "99x1", "10xabc", ""] {
                #expect(
                    try await client.get("retrieve", [("id", bad)], session: session).errorCode == "INVALID_ID_ATTRIBUTE",
                    "\(bad)")
            }
            #expect(try await client.get("retrieve", session: session).errorCode == "INVALID_ID_ATTRIBUTE")
            #expect(try await client.get("retrieve", [("id", "10x999")], session: session).errorCode == "RECORD_NOT_FOUND")
            #expect(
                try await client.get("retrieve", [("id", "12x1")], session: session).errorCode == "RECORD_NOT_FOUND",
                "record 1 is a lead, not a contact")
            let admin = try #require(try await client.get("retrieve", [("id", "19x1")], session: session).result)
            #expect(admin["user_name"] == .string("admin"))
            #expect(admin["is_admin"] == .string("on"))
            #expect(!admin.jsonText.contains(harness.accessKey), "the access key is never returned")
        }
    }
}

@Suite struct MyCRMQueryAndSyncTests {
    @Test func queryOverHTTP() async throws {
        let harness = MyCRMHarness(records: 150)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            func query(_ text: String) async throws -> JSONValue {
                try await client.get("query", [("query", text)], session: session)
            }
            #expect(try await query("select count(*) from Leads;").result == .array([["count": "150"]]))
            #expect(try await query("select count(*) from Users;").result == .array([["count": "5"]]))
            #expect(try await query("select * from Leads;").result?.arrayValue?.count == 100)
            var seen: Set<String> = []
            for offset in stride(from: 0, to: 200, by: 40) {
                let rows = try #require(
                    try await query("select id, email from Leads order by id limit \(offset), 40;")
                        .result?.arrayValue)
                for row in rows { seen.insert(row["id"]?.strictString ?? "") }
                #expect(rows.allSatisfy { $0.objectValue.map { Set($0.keys) } == ["id", "email"] })
            }
            #expect(seen.count == 150)
            let bostonians = try #require(
                try await query("select * from Contacts where mailingcity = 'boston';").result?
                    .arrayValue)
            #expect(bostonians.allSatisfy { $0["mailingcity"] == .string("Boston") })

            let missingSemicolon = try await query("select * from Leads")
            #expect(missingSemicolon.errorCode == "QUERY_SYNTAX_ERROR")
            #expect(try await query("select * from Accounts;").errorCode == "ACCESS_DENIED")
            #expect(try await query("select * from Leads where nofield = 1;").errorCode == "ACCESS_DENIED")
            #expect(try await query("").errorCode == "QUERY_SYNTAX_ERROR")
            #expect(try await client.get("query", session: session).errorCode == "QUERY_SYNTAX_ERROR")
            #expect(try await query("sélect ☃ from 'Leads';").errorCode == "QUERY_SYNTAX_ERROR")
        }
    }

    @Test func syncPagesThroughEverythingThenSeesChangesAndDeletions() async throws {
        let harness = MyCRMHarness(records: 120)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            var since = 0
            var updated: Set<String> = []
            var pages = 0
            while true {
                let page = try #require(
                    try await client.get(
                        "sync",
                        [
                            ("modifiedTime", String(since)), ("syncType", "application"),
                        ], session: session
                    ).result)
                let rows = try #require(page["updated"]?.arrayValue)
                if pages == 0 { #expect(rows.count >= 100, "a page holds 100 changes (more only for ties)") }
                for row in rows { updated.insert(row["id"]?.strictString ?? "") }
                let last = try #require(page["lastModifiedTime"]?.strictInt)
                #expect(last >= since)
                since = last
                pages += 1
                if page["more"] != .bool(true) { break }
                #expect(pages < 10)
            }
            #expect(updated.count == 240)
            #expect(pages >= 3)

            // Nothing new.
            let quiet = try #require(
                try await client.get(
                    "sync",
                    [
                        ("modifiedTime", String(since)),
                        ("syncType", "application"),
                    ], session: session
                ).result)
            #expect(quiet["updated"] == .array([]) && quiet["deleted"] == .array([]) && quiet["more"] == .bool(false))
            #expect(quiet["lastModifiedTime"] == .int(since))

            // Changes made later: three edits and two deletions inside the CRM, one API delete.
            harness.clock.advance(by: .seconds(10))
            let mutated = try await harness.emulator.control(.mutate(resource: "leads", count: 3))
            let removed = try await harness.emulator.control(.delete(resource: "Contacts", count: 2))
            let apiDeleted = try #require(mutated.ids.first)
            #expect(try await client.post("delete", [("id", apiDeleted)], session: session).result != nil)

            let changes = try #require(
                try await client.get(
                    "sync",
                    [
                        ("modifiedTime", String(since)),
                        ("syncType", "application"),
                    ], session: session
                ).result)
            let changedIDs = Set(try #require(changes["updated"]?.arrayValue).compactMap { $0["id"]?.strictString })
            let deletedIDs = Set(try #require(changes["deleted"]?.arrayValue).compactMap(\.strictString))
            #expect(changedIDs == Set(mutated.ids.dropFirst()))
            #expect(deletedIDs == Set(removed.ids + [apiDeleted]))
            #expect(changes["lastModifiedTime"]?.strictInt == Int(harness.clock.now.timeIntervalSince1970))

            // One module only.
            let leadsOnly = try #require(
                try await client.get(
                    "sync",
                    [
                        ("modifiedTime", String(since)),
                        ("elementType", "Leads"), ("syncType", "application"),
                    ], session: session
                ).result)
            #expect(leadsOnly["deleted"] == .array([.string(apiDeleted)]))
        }
    }

    @Test func syncDefaultsToTheSessionUsersRecords() async throws {
        let harness = MyCRMHarness(records: 20)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let mine = try #require(try await client.get("sync", [("modifiedTime", "0")], session: session).result)
            let rows = try #require(mine["updated"]?.arrayValue)
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { $0["assigned_user_id"] == .string("19x1") })
            #expect(rows.count < 40)

            let agent = try #require(harness.emulator.store.users().first { !$0.isAdmin && $0.isActive })
            let agentSession = try await client.login(agent.userName, agent.accessKey)
            #expect(
                try await client.get(
                    "sync", [("modifiedTime", "0"), ("syncType", "application")],
                    session: agentSession
                ).errorCode == "ACCESS_DENIED")
            #expect(
                try await client.get("sync", [("modifiedTime", "soon")], session: session).errorCode
                    == "DATABASE_QUERY_ERROR")
            #expect(
                try await client.get("sync", [("modifiedTime", "0"), ("elementType", "Accounts")], session: session)
                    .errorCode == "ACCESS_DENIED")
        }
    }

    @Test func syncPageWidensForChangesInTheSameSecond() async throws {
        let harness = MyCRMHarness(records: 150)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            harness.clock.advance(by: .seconds(5))
            let mutated = try await harness.emulator.control(.mutate(resource: "leads", count: 130))
            let since = Int(harness.clock.now.timeIntervalSince1970) - 1
            let page = try #require(
                try await client.get(
                    "sync",
                    [
                        ("modifiedTime", String(since)),
                        ("elementType", "Leads"), ("syncType", "application"),
                    ], session: session
                ).result)
            // All 130 share one second: the vendor returns them together rather than lose any.
            #expect(page["updated"]?.arrayValue?.count == mutated.ids.count)
            #expect(page["more"] == .bool(false))
        }
    }
}

@Suite struct MyCRMDescribeTests {
    @Test func describeLeadsAndContacts() async throws {
        let harness = MyCRMHarness(records: 1)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let leads = try #require(try await client.get("describe", [("elementType", "Leads")], session: session).result)
            #expect(leads["idPrefix"] == .string("10"))
            #expect(leads["createable"] == .bool(true))
            let fields = try #require(leads["fields"]?.arrayValue)
            let names = fields.compactMap { $0["name"]?.strictString }
            #expect(
                names == [
                    "firstname", "lastname", "phone", "mobile", "leadsource", "email", "business_name", "assigned_user_id",
                    "lane", "code", "pobox", "state", "city", "zip4", "apart", "description", "utm_source", "utm_medium",
                    "utm_campaign", "utm_content", "utm_term", "createdtime", "modifiedtime", "modifiedby", "id",
                ])
            let mandatory = fields.filter { $0["mandatory"] == .bool(true) }.compactMap { $0["name"]?.strictString }
            #expect(mandatory == ["firstname", "lastname", "assigned_user_id"])
            #expect(fields.last?["type"]?["name"] == .string("autogenerated"))
            #expect(fields.first { $0["name"] == .string("leadsource") }?["type"]?["picklistValues"]?.arrayValue?.count == 12)

            let contacts = try #require(
                try await client.get("describe", [("elementType", "Contacts")], session: session)
                    .result)
            #expect(contacts["idPrefix"] == .string("12"))
            let contactNames = try #require(contacts["fields"]?.arrayValue).compactMap { $0["name"]?.strictString }
            #expect(
                Array(contactNames.prefix(32)) == [
                    "firstname", "lastname", "phone", "mobile", "homephone", "leadsource", "birthday", "email",
                    "business_name", "assigned_user_id", "is_customer", "mailingstreet", "mailingpobox", "mailingstate",
                    "mailingcity", "mailingzip", "apart", "zip4", "description", "pager", "csg_number", "spouse_name", "ssn",
                    "service_dt", "dl_license", "dl_state", "dl_expdate", "utm_source", "utm_medium", "utm_campaign",
                    "utm_content", "utm_term",
                ])
            let users = try #require(try await client.get("describe", [("elementType", "Users")], session: session).result)
            #expect(users["idPrefix"] == .string("19"))
            #expect(users["createable"] == .bool(false))
            #expect(
                try await client.get("describe", [("elementType", "Potentials")], session: session).errorCode
                    == "ACCESS_DENIED")
            #expect(try await client.get("describe", session: session).errorCode == "ACCESS_DENIED")
        }
    }

    @Test func listTypes() async throws {
        let harness = MyCRMHarness(records: 1)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let all = try #require(try await client.get("listtypes", session: session).result)
            #expect(all["types"] == .array([.string("Leads"), .string("Contacts"), .string("Users")]))
            #expect(all["information"]?["Leads"]?["singular"] == .string("Lead"))
            let withDates = try #require(
                try await client.get(
                    "listtypes", [("fieldTypeList", #"["date"]"#)],
                    session: session
                ).result)
            #expect(withDates["types"] == .array([.string("Contacts")]))
            #expect(
                try await client.get("listtypes", [("fieldTypeList", "date")], session: session).errorCode
                    == "INTERNAL_SERVER_ERROR")
        }
    }
}

@Suite struct MyCRMAddressTests {
    @Test func availabilityShape() async throws {
        let harness = MyCRMHarness(records: 1)
        try await harness.run { client in
            let (status, body) = try await client.send(.get, path: "/fcc", query: [("address", "12 Beacon Street Boston, MA")])
            #expect(status == .ok)
            #expect(body.keys == ["data", "result_count", "status_code", "message", "status", "request_date"])
            #expect(body["result_count"] == .int(1))
            #expect(body["status_code"] == .int(200))
            #expect(body["message"] == .null)
            #expect(body["status"] == .string("successful"))
            #expect(body["request_date"] == .string("2025-01-01T00:00:00.000Z"))
            let location = try #require(body["data"]?.arrayValue?.first)
            #expect(location.keys == ["coordinates", "unitCount", "buildingTypeCode", "bsl_flag", "license", "detail"])
            #expect(location["coordinates"]?.arrayValue?.count == 2)
            #expect(location["bsl_flag"] == .bool(true))
            let detail = try #require(location["detail"]?.arrayValue)
            #expect(!detail.isEmpty)
            for provider in detail {
                #expect(
                    provider.keys == [
                        "location_id", "provider_name", "brand_name", "technology_code", "bizrescode", "maxdown", "maxup",
                        "lowlatency", "frn", "provider_id", "holding_company_name", "technology_code_type", "prov_tech_flag",
                    ])
                #expect(provider["location_id"]?.strictInt != nil)
                #expect(provider["technology_code"]?.strictString != nil)
                #expect(provider["frn"]?.strictString != nil)
            }
            // Same address, same answer.
            let (_, again) = try await client.send(.get, path: "/fcc", query: [("address", "12 Beacon Street Boston, MA")])
            #expect(again == body)
        }
    }

    @Test func addressErrorsAndNoCoverage() async throws {
        let harness = MyCRMHarness(records: 1)
        try await harness.run { client in
            let (missingStatus, missing) = try await client.send(.get, path: "/fcc")
            #expect(missingStatus == .badRequest)
            #expect(missing["status_code"] == .int(400))
            let (noCommaStatus, _) = try await client.send(.get, path: "/fcc", query: [("address", "12 Beacon Street")])
            #expect(noCommaStatus == .badRequest)
            let (abroadStatus, abroad) = try await client.send(
                .get, path: "/fcc",
                query: [("address", "1 Rue de Rivoli Paris, Île-de-France")])
            #expect(abroadStatus == .ok)
            #expect(abroad["result_count"] == .int(0))
            let (_, fullName) = try await client.send(.get, path: "/fcc", query: [("address", "1 Main St Austin, Texas")])
            #expect(fullName["result_count"] == .int(1))
        }
    }
}

@Suite struct MyCRMControlTests {
    @Test func listInsertDeleteReset() async throws {
        let harness = MyCRMHarness(records: 10)
        let emulator = harness.emulator
        #expect(try await emulator.control(.list(resource: "leads")).ids.count == 10)
        let inserted = try await emulator.control(.insert(resource: "Leads", count: 3))
        #expect(inserted.ids == ["10x21", "10x22", "10x23"])
        let deleted = try await emulator.control(.delete(resource: "leads", count: 2))
        #expect(deleted.ids == ["10x22", "10x23"])
        let list = try await emulator.control(.list(resource: "leads"))
        #expect(list.ids.count == 11)
        #expect(list.info?["deleted"] == .array(["10x22", "10x23"]))
        #expect(list.records?.first?["id"] == .string("10x1"))
        #expect(try await emulator.control(.list(resource: "users")).ids.count == 5)
        await #expect(throws: ControlError.self) { try await emulator.control(.insert(resource: "users", count: 1)) }
        await #expect(throws: ControlError.self) { try await emulator.control(.list(resource: "accounts")) }
        await #expect(throws: ControlError.self) { try await emulator.control(.custom(op: "explode", arguments: .null)) }
        _ = try await emulator.control(.reset)
        #expect(try await emulator.control(.list(resource: "leads")).ids.count == 10)
    }

    @Test func seedIsDeterministic() async throws {
        let first = MyCRMHarness(records: 15, seed: 99)
        let second = MyCRMHarness(records: 15, seed: 99)
        let other = MyCRMHarness(records: 15, seed: 100)
        let a = try await first.emulator.control(.list(resource: "contacts")).records
        let b = try await second.emulator.control(.list(resource: "contacts")).records
        let c = try await other.emulator.control(.list(resource: "contacts")).records
        #expect(a == b)
        #expect(a != c)
        #expect(first.accessKey == second.accessKey)
        #expect(first.accessKey.count == 16)
    }
}

@Suite struct MyCRMRobustnessTests {
    @Test func hostileInputAlwaysGetsTheEnvelope() async throws {
        let harness = MyCRMHarness(records: 3)
        try await harness.run { client in
            let session = try await client.login(harness.userName, harness.accessKey)
            let gets: [[(String, String)]] = [
                [("operation", "sync"), ("modifiedTime", "1e400")],
                [("operation", "sync"), ("modifiedTime", "nan")],
                [("operation", "sync"), ("modifiedTime", "-5")],
                [("operation", "sync"), ("modifiedTime", "99999999999999999999999")],
                [("operation", "query"), ("query", "select * from Leads limit 99999999999999999999999;")],
                [("operation", "query"), ("query", "select * from Leads where " + String(repeating: "(", count: 5_000))],
                [("operation", "query"), ("query", "select * from Leads where id in ('x');")],
                [
                    ("operation", "query"),
                    ("query", "select * from Leads where firstname like '" + String(repeating: "%_", count: 500) + "';"),
                ],
                [("operation", "retrieve"), ("id", "10x99999999999999999999999")],
                [("operation", "retrieve"), ("id", "\u{0}")],
                [("operation", "describe"), ("elementType", String(repeating: "L", count: 10_000))],
                [("operation", "listtypes"), ("fieldTypeList", "[[[[")],
                [("operation", "\u{FFFF}")],
            ]
            for parameters in gets {
                let (status, body) = try await client.send(.get, query: parameters + [("sessionName", session)])
                #expect(status == .ok)
                #expect(body["success"] != nil, "\(parameters.map(\.0))")
            }
            let posts: [[(String, String)]] = [
                [("operation", "create"), ("elementType", "Leads"), ("element", String(repeating: "[", count: 100_000))],
                [("operation", "create"), ("elementType", "Leads"), ("element", "\"just a string\"")],
                [("operation", "update"), ("element", #"{"id":10}"#)],
                [("operation", "revise"), ("element", #"{"id":null}"#)],
                [("operation", "delete"), ("id", "10x1x1")],
                [("operation", "login"), ("username", "admin")],
            ]
            for parameters in posts {
                let (status, body) = try await client.send(.post, form: parameters + [("sessionName", session)])
                #expect(status == .ok)
                #expect(body["success"] == .bool(false), "\(parameters.map(\.0))")
            }
            // Still serving.
            #expect(try await client.get("retrieve", [("id", "10x1")], session: session).result != nil)
        }
    }

    @Test func negativeControlCountsChangeNothing() async throws {
        let harness = MyCRMHarness(records: 3)
        #expect(try await harness.emulator.control(.mutate(resource: "leads", count: -1)).ids.isEmpty)
        #expect(try await harness.emulator.control(.insert(resource: "leads", count: -1)).ids.isEmpty)
        #expect(try await harness.emulator.control(.delete(resource: "leads", count: -1)).ids.isEmpty)
        #expect(try await harness.emulator.control(.list(resource: "leads")).ids.count == 3)
    }
}
