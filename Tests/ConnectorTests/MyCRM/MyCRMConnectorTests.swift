import ConnectorKit
import Foundation
import Logging
import RealtyModel
import Synchronization
import Testing

@testable import MyCRMConnector

@Suite struct MyCRMSessionTests {
    @Test func loginIsGetChallengeThenFormPostWithMD5Key() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server)
        try await connector.verify()
        let calls = server.calls
        #expect(calls.map(\.operation) == ["getchallenge", "login"])
        #expect(calls[0].method == "GET")
        #expect(calls[0].url.path == "/crm/webservice.php")
        #expect(calls[0].parameters["username"] == MyCRMFakeServer.username)
        #expect(calls[1].method == "POST")
        #expect(calls[1].contentType == "application/x-www-form-urlencoded")
        #expect(
            calls[1].parameters["accessKey"] == MyCRMLoginKey.compute(token: MyCRMFakeServer.token, accessKey: MyCRMFakeServer.accessKey))
        #expect(calls[1].parameters["accessKey"]?.count == 32)
        #expect(!calls[1].body.contains(MyCRMFakeServer.accessKey), "the access key itself is never sent")
        #expect(calls.allSatisfy { $0.misplaced.isEmpty })
    }

    @Test func acceptsSessionIdAsTheDocumentShowsIt() async throws {
        let server = MyCRMFakeServer(sessionKey: "sessionId") { call, _ in
            MyCRMFakeServer.okBody(call.operation == "query" ? "[]" : "{}")
        }
        let connector = try MyCRMTestSupport.connector(server)
        let pages = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(pages.count == 1)
        let query = try #require(server.calls.first { $0.operation == "query" })
        #expect(server.isLive(query.parameters["sessionName"]))
    }

    @Test func everyOperationUsesItsRegisteredMethod() {
        let gets: Set<MyCRMOperation> = [.getChallenge, .listTypes, .describe, .retrieve, .query, .sync]
        for operation in MyCRMOperation.allCases {
            #expect(operation.method == (gets.contains(operation) ? .get : .post), "\(operation.rawValue)")
        }
    }

    @Test func invalidSessionLogsInAgainOnceAndResends() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server)
        try await connector.verify()
        server.expireSessions()
        _ = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(server.logins == 2)
        #expect(server.calls.map(\.operation) == ["getchallenge", "login", "query", "getchallenge", "login", "query"])
        #expect(server.isLive(server.calls.last?.parameters["sessionName"]))
    }

    @Test func concurrentCallersShareOneLogin() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server)
        try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<8 {
                group.addTask {
                    var contact = Contact()
                    contact.email = "c\(index)@example.com"
                    return try await connector.lookup(contact)
                }
            }
            for try await _ in group {}
        }
        #expect(server.logins == 1)
        #expect(server.calls.filter { $0.operation == "getchallenge" }.count == 1)
        #expect(server.calls.filter { $0.operation == "query" }.count == 8)
    }

    @Test func sessionExpiringMidPassIsRenewedAndThePassCompletes() async throws {
        let server = MyCRMFakeServer { call, _ in
            let statement = call.parameters["query"] ?? ""
            if statement.contains("FROM Leads ORDER BY id LIMIT 0,") {
                return MyCRMFakeServer.okBody("[" + (1...100).map { MyCRMTestSupport.lead($0) }.joined(separator: ",") + "]")
            }
            if statement.contains("FROM Leads ORDER BY id LIMIT 100,") {
                return MyCRMFakeServer.okBody("[" + MyCRMTestSupport.lead(101) + "]")
            }
            return MyCRMFakeServer.okBody("[]")
        }
        let connector = try MyCRMTestSupport.connector(server)
        var pages: [ConnectorPage<Contact>] = []
        for try await page in connector.read(Contact.self, mode: .full, after: nil) {
            pages.append(page)
            if pages.count == 1 { server.expireSessions() }
        }
        #expect(pages.flatMap(\.records).count == 101)
        #expect(server.logins == 2)
        #expect(pages.last?.isLast == true)
    }

    @Test func aSecondRefusalFailsAsAuthNamingTheConnection() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.failureBody("SESSION_EXPIRED", "Session expired") }
        let connector = try MyCRMTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        }
        #expect(error?.kind == .auth)
        #expect(error?.vendorCode == "SESSION_EXPIRED")
        #expect(error?.connectionID == "mycrm-test")
        #expect(error?.description.contains("mycrm-test") == true)
        #expect(server.logins == 2, "one re-login, then the failure")
    }

    @Test func wrongAccessKeyIsAnAuthError() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server, accessKey: "WrongKeyValue")
        let error = await #expect(throws: ConnectorError.self) { try await connector.verify() }
        #expect(error?.kind == .auth)
        #expect(error?.vendorCode == "INVALID_USER_CREDENTIALS")
        #expect(error?.connectionID == "mycrm-test")
        #expect(error.map { !String(reflecting: $0).contains("WrongKeyValue") } == true)
        #expect(server.calls.filter { $0.operation == "login" }.count == 3, "a refusal is tried twice more (a replaced challenge)")
    }

    @Test func idleSessionIsRenewedBeforeUse() async throws {
        let clock = ManualConnectorClock()
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server, clock: clock)
        try await connector.verify()
        clock.advance(by: .seconds(20 * 60))
        _ = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(server.logins == 1, "20 minutes idle: still valid")
        clock.advance(by: .seconds(29 * 60 + 30))
        _ = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(server.logins == 2, "29.5 minutes idle is within the renewal margin of the 30-minute idle timeout")
        #expect(server.calls.filter { $0.operation == "query" }.count == 2, "no request was refused first")
    }

    @Test func absoluteLifetimeIsRenewedEvenWhenBusy() async throws {
        let clock = ManualConnectorClock()
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server, clock: clock)
        try await connector.verify()
        for _ in 0..<52 {
            clock.advance(by: .seconds(28 * 60))
            _ = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        }
        // 52 × 28 minutes passes the one-day lifetime (less the renewal margin) once.
        #expect(server.logins == 2)
    }

    @Test func secretsStayOutOfLogsAndErrors() async throws {
        let recorder = MyCRMLogRecorder()
        let logger = Logger(label: "test", factory: { _ in recorder })
        let server = MyCRMFakeServer { call, _ in
            MyCRMFakeServer.failureBody("ACCESS_DENIED", "Permission denied for session \(call.parameters["sessionName"] ?? "")")
        }
        let connector = try MyCRMTestSupport.connector(server, logger: logger)
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .full, after: nil))
        }
        let session = try #require(server.calls.last?.parameters["sessionName"])
        #expect(error?.kind == .permission)
        for text in [recorder.all, error.map { String(reflecting: $0) } ?? ""] {
            #expect(!text.contains(MyCRMFakeServer.accessKey))
            #expect(!text.contains(session))
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody(#"{"message":"successfull"}"#) }
        let connector = try MyCRMTestSupport.connector(server)
        try await connector.verify()
        try await connector.logout()
        let logout = try #require(server.calls.last)
        #expect(logout.operation == "logout")
        #expect(logout.method == "POST")
        #expect(logout.parameters["sessionName"] != nil)
        try await connector.logout()
        #expect(server.calls.count == 3, "no session, nothing to end")
    }
}

@Suite struct MyCRMReadTests {
    @Test func fullPassPagesLeadsThenContactsWithVTQL() async throws {
        let server = MyCRMFakeServer { call, _ in
            let statement = call.parameters["query"] ?? ""
            if statement == "SELECT * FROM Leads ORDER BY id LIMIT 0, 100;" {
                return MyCRMFakeServer.okBody("[" + (1...100).map { MyCRMTestSupport.lead($0) }.joined(separator: ",") + "]")
            }
            if statement == "SELECT * FROM Leads ORDER BY id LIMIT 100, 100;" {
                // Rows the user may not read are dropped: a short page does not end the module.
                return MyCRMFakeServer.okBody("[" + (101...130).map { MyCRMTestSupport.lead($0) }.joined(separator: ",") + "]")
            }
            if statement == "SELECT * FROM Contacts ORDER BY id LIMIT 0, 100;" {
                return MyCRMFakeServer.okBody("[" + MyCRMTestSupport.contact(7) + "]")
            }
            return MyCRMFakeServer.okBody("[]")
        }
        let connector = try MyCRMTestSupport.connector(server)
        let pages = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .full, after: nil))
        let queries = server.calls.filter { $0.operation == "query" }
        #expect(queries.allSatisfy { $0.method == "GET" && ($0.parameters["query"] ?? "").hasSuffix(";") })
        #expect(
            queries.map { $0.parameters["query"] ?? "" } == [
                "SELECT * FROM Leads ORDER BY id LIMIT 0, 100;", "SELECT * FROM Leads ORDER BY id LIMIT 100, 100;",
                "SELECT * FROM Leads ORDER BY id LIMIT 200, 100;", "SELECT * FROM Contacts ORDER BY id LIMIT 0, 100;",
                "SELECT * FROM Contacts ORDER BY id LIMIT 100, 100;",
            ])
        let records = pages.flatMap(\.records)
        #expect(records.count == 131)
        #expect(records.filter { $0.contactType == "Lead" }.count == 130)
        #expect(records.last?.metadata.sourceKey == "12x7")
        // Each row's own text is kept for the store, byte for byte.
        #expect(records.last?.metadata.rawText == MyCRMTestSupport.contact(7))
        #expect(records.first?.metadata.rawText == MyCRMTestSupport.lead(1))
        #expect(pages.last?.isLast == true)
        #expect(pages.dropLast().allSatisfy { !$0.isLast && $0.cursor != nil })
    }

    @Test func fullPassResumesFromACursor() async throws {
        let server = MyCRMFakeServer { call, _ in
            let statement = call.parameters["query"] ?? ""
            if statement.hasPrefix("SELECT * FROM Users ORDER BY id LIMIT 0,") {
                return MyCRMFakeServer.okBody(
                    "[" + (1...100).map { #"{"id":"19x\#($0)","last_name":"U\#($0)"}"# }.joined(separator: ",") + "]")
            }
            if statement.hasPrefix("SELECT * FROM Users ORDER BY id LIMIT 100,") {
                return MyCRMFakeServer.okBody(#"[{"id":"19x101","last_name":"U101"}]"#)
            }
            return MyCRMFakeServer.okBody("[]")
        }
        let connector = try MyCRMTestSupport.connector(server)
        var iterator = connector.read(Member.self, mode: .full, after: nil).makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(first.records.count == 100)
        // A user's raw drops its credential fields, so it is not the row's text.
        #expect(first.records.allSatisfy { $0.metadata.rawText == nil })
        let cursor = try #require(first.cursor)
        let rest = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: cursor))
        #expect(rest.flatMap(\.records).map(\.metadata.sourceKey) == ["19x101"])
        #expect(rest.last?.isLast == true)
    }

    @Test func syncFollowsMoreAndReportsDeletions() async throws {
        let server = MyCRMFakeServer { call, index in
            let module = call.parameters["elementType"] ?? ""
            let since = call.parameters["modifiedTime"] ?? ""
            switch (module, since) {
            case ("Leads", "0"):
                return MyCRMFakeServer.okBody(
                    #"{"updated":[\#(MyCRMTestSupport.lead(1)),\#(MyCRMTestSupport.lead(2))],"deleted":["10x9"],"lastModifiedTime":1714550100,"more":true}"#
                )
            case ("Leads", "1714550100"):
                return MyCRMFakeServer.okBody(
                    #"{"updated":[\#(MyCRMTestSupport.lead(3))],"deleted":[],"lastModifiedTime":1714550200,"more":false}"#)
            case ("Contacts", "0"):
                return MyCRMFakeServer.okBody(
                    #"{"updated":[\#(MyCRMTestSupport.contact(5))],"deleted":["12x8"],"lastModifiedTime":1714550300,"more":false}"#)
            case ("Leads", "1714550200"):
                return MyCRMFakeServer.okBody(#"{"updated":[],"deleted":["10x1"],"lastModifiedTime":1714550200,"more":false}"#)
            case ("Contacts", "1714550300"):
                return MyCRMFakeServer.okBody(#"{"updated":[],"deleted":[],"lastModifiedTime":1714550300,"more":false}"#)
            default:
                return MyCRMFakeServer.failureBody("INTERNAL_SERVER_ERROR", "unexpected \(module) \(since)")
            }
        }
        let connector = try MyCRMTestSupport.connector(server)
        let pages = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .incremental, after: nil))
        #expect(pages.count == 3)
        #expect(pages.map { $0.records.count } == [2, 1, 1])
        #expect(pages.map(\.deletedSourceKeys) == [["10x9"], [], ["12x8"]])
        #expect(pages.map(\.isLast) == [false, false, true])
        let syncs = server.calls.filter { $0.operation == "sync" }
        #expect(syncs.allSatisfy { $0.method == "GET" && $0.parameters["syncType"] == "application" })
        // The last cursor continues each module from its own time.
        let next = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .incremental, after: pages.last?.cursor))
        #expect(next.flatMap(\.deletedSourceKeys) == ["10x1"])
        #expect(next.last?.isLast == true)
    }

    /// A user who is not an administrator is refused `syncType=application` (vtiger 8): the read
    /// asks again with `userandgroup` and the connection keeps that scope for its next reads.
    @Test func syncFallsBackToTheUsersOwnScopeWhenApplicationIsRefused() async throws {
        let server = MyCRMFakeServer { call, _ in
            guard call.parameters["syncType"] != "application" else {
                return MyCRMFakeServer.failureBody("ACCESS_DENIED", "Only admin users can perform application sync")
            }
            let lead = call.parameters["elementType"] == "Leads" ? MyCRMTestSupport.lead(1) : MyCRMTestSupport.contact(5)
            return MyCRMFakeServer.okBody(#"{"updated":[\#(lead)],"deleted":[],"lastModifiedTime":1714550100,"more":false}"#)
        }
        let connector = try MyCRMTestSupport.connector(server)
        let pages = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .incremental, after: nil))
        #expect(pages.flatMap(\.records).compactMap(\.metadata.sourceKey) == ["10x1", "12x5"])
        #expect(pages.last?.isLast == true)
        _ = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .incremental, after: pages.last?.cursor))
        let scopes = server.calls.filter { $0.operation == "sync" }.map {
            "\($0.parameters["elementType"] ?? "") \($0.parameters["syncType"] ?? "")"
        }
        // Refused once, then never asked again.
        #expect(
            scopes == [
                "Leads application", "Leads userandgroup", "Contacts userandgroup", "Leads userandgroup", "Contacts userandgroup",
            ])
    }

    /// Another permission answer for `userandgroup` is not retried: it is the connection's error.
    @Test func syncRefusedInEveryScopeFails() async throws {
        let server = MyCRMFakeServer { _, _ in
            MyCRMFakeServer.failureBody("ACCESS_DENIED", "Permission to perform the operation is denied")
        }
        let connector = try MyCRMTestSupport.connector(server)
        await #expect {
            _ = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .incremental, after: nil))
        } throws: { ($0 as? ConnectorError)?.kind == .permission }
        #expect(server.calls.filter { $0.operation == "sync" }.map { $0.parameters["syncType"] } == ["application", "userandgroup"])
    }

    @Test func syncThatClaimsMoreWithoutAdvancingFails() async throws {
        let server = MyCRMFakeServer { _, _ in
            MyCRMFakeServer.okBody(#"{"updated":[],"deleted":[],"lastModifiedTime":0,"more":true}"#)
        }
        let connector = try MyCRMTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .incremental, after: nil))
        }
        #expect(error?.kind == .invalidResponse)
    }

    @Test func memberIncrementalFallsBackToFullAndOtherResourcesAreRefused() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server)
        let pages = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .incremental, after: nil))
        #expect(pages.count == 1)
        #expect(server.calls.last?.operation == "query")
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await MyCRMTestSupport.collect(connector.read(Property.self, mode: .full, after: nil))
        }
        #expect(error?.kind == .configuration)
    }

    @Test func aForeignCursorIsAConfigurationError() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await MyCRMTestSupport.collect(connector.read(Contact.self, mode: .full, after: "not-a-cursor"))
        }
        #expect(error?.kind == .configuration)
    }
}

@Suite struct MyCRMWriteTests {
    @Test func createSendsTheElementAsFormEncodedJSON() async throws {
        let server = MyCRMFakeServer { _, _ in
            MyCRMFakeServer.okBody(MyCRMTestSupport.lead(77))
        }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.firstName = "Ana"
        contact.lastName = "O'Neil & Co"
        contact.email = "ana+web@example.com"
        contact.mobilePhone = "+34 600 000 001"
        contact.contactType = "Lead"
        contact.utmSource = "google"
        let result = try await connector.create(contact)
        #expect(result.remoteID == "10x77")
        let create = try #require(server.calls.last)
        #expect(create.operation == "create")
        #expect(create.method == "POST")
        #expect(create.contentType == "application/x-www-form-urlencoded")
        #expect(create.misplaced.isEmpty)
        #expect(create.parameters["elementType"] == "Leads")
        let element = try JSONDecoder().decode(JSONValue.self, from: Data((create.parameters["element"] ?? "").utf8))
        #expect(element["firstname"] == .string("Ana"))
        #expect(element["lastname"] == .string("O'Neil & Co"))
        #expect(element["email"] == .string("ana+web@example.com"))
        #expect(element["mobile"] == .string("+34 600 000 001"))
        #expect(element["utm_source"] == .string("google"))
        #expect(element["assigned_user_id"] == .string("19x1"), "defaults to the logged-in user")
    }

    @Test func createWithoutNamesFailsBeforeSending() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("{}") }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.email = "x@example.com"
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.create(contact) }
        #expect(error?.kind == .validation)
        #expect(error?.fieldErrors.map(\.field) == ["FirstName", "LastName"])
        #expect(!server.calls.contains { $0.operation == "create" })
    }

    @Test func mandatoryFieldErrorFromTheServerIsValidation() async throws {
        let server = MyCRMFakeServer { _, _ in
            MyCRMFakeServer.failureBody("MANDATORY_FIELDS_MISSING", "lastname does not have a value")
        }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.firstName = "A"
        contact.lastName = "B"
        contact.contactType = "Client"
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.create(contact) }
        #expect(error?.kind == .validation)
        #expect(error?.fieldErrors.first?.field == "lastname")
        #expect(server.calls.last?.parameters["elementType"] == "Contacts")
        #expect(server.calls.filter { $0.operation == "create" }.count == 1, "a create is never resent blindly")
    }

    @Test func updateIsAPartialReviseThatNeverEchoesVendorFields() async throws {
        let server = MyCRMFakeServer { call, _ in
            switch call.operation {
            case "describe":
                return MyCRMFakeServer.okBody(
                    call.parameters["elementType"] == "Leads"
                        ? #"{"name":"Leads","idPrefix":"10"}"# : #"{"name":"Contacts","idPrefix":"12"}"#)
            default:
                return MyCRMFakeServer.okBody(call.parameters["element"] ?? "{}")
            }
        }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.homePhone = "+1 555 0100"
        contact.contactType = "Client"
        let result = try await connector.update(contact, remoteID: "12x7")
        #expect(result.remoteID == "12x7")
        // No retrieve-and-send-back: the vendor's own fields (ssn, dl_license, ...) and fields
        // changed there meanwhile are left alone.
        #expect(!server.calls.contains { $0.operation == "retrieve" || $0.operation == "update" })
        let revise = try #require(server.calls.last)
        #expect(revise.operation == "revise" && revise.method == "POST")
        let element = try JSONValue(parsing: revise.parameters["element"] ?? "")
        #expect(element["id"] == .string("12x7"))
        #expect(element["homephone"] == .string("+1 555 0100"))
        #expect(element["lastname"] == nil && element["ssn"] == nil && element["dl_license"] == nil)
    }

    @Test func reviseSendsOnlyTheChangedFields() async throws {
        let server = MyCRMFakeServer { call, _ in
            if call.operation == "describe" {
                return MyCRMFakeServer.okBody(
                    call.parameters["elementType"] == "Leads" ? #"{"idPrefix":"10"}"# : #"{"idPrefix":"12"}"#)
            }
            return MyCRMFakeServer.okBody(MyCRMTestSupport.lead(42))
        }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.email = "new@example.com"
        _ = try await connector.revise(contact, remoteID: "10x42")
        let revise = try #require(server.calls.last)
        #expect(revise.operation == "revise" && revise.method == "POST")
        let element = try JSONDecoder().decode(JSONValue.self, from: Data((revise.parameters["element"] ?? "").utf8))
        #expect(element == .object(["id": .string("10x42"), "email": .string("new@example.com")]))
        // The describe answers are cached.
        _ = try await connector.revise(contact, remoteID: "10x42")
        #expect(server.calls.filter { $0.operation == "describe" }.count == 1)
    }

    @Test func updateOfAnIdOfAnotherModuleIsRefused() async throws {
        let server = MyCRMFakeServer { call, _ in
            MyCRMFakeServer.okBody(call.parameters["elementType"] == "Leads" ? #"{"idPrefix":"10"}"# : #"{"idPrefix":"12"}"#)
        }
        let connector = try MyCRMTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.update(Contact(), remoteID: "19x1") }
        #expect(error?.kind == .configuration)
        let malformed = await #expect(throws: ConnectorError.self) { _ = try await connector.update(Contact(), remoteID: "10x") }
        #expect(malformed?.kind == .validation)
    }

    @Test func lookupByEmailEscapesTheValue() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[" + MyCRMTestSupport.lead(5) + "]") }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.email = "o'hara@example.com"
        contact.contactType = "Lead"
        #expect(try await connector.lookup(contact) == "10x5")
        let query = try #require(server.calls.last)
        #expect(query.method == "GET")
        #expect(query.parameters["query"] == "select * from Leads where email = 'o''hara@example.com' limit 1;")
    }

    @Test func lookupByPhoneSearchesEveryPhoneField() throws {
        var contact = Contact()
        contact.mobilePhone = "+1 555 0101"
        contact.contactType = "Client"
        #expect(
            try MyCRMConnector.lookupQuery(for: contact)
                == "select * from Contacts where phone = '+1 555 0101' or mobile = '+1 555 0101' or homephone = '+1 555 0101' limit 1;")
        #expect(try MyCRMConnector.lookupQuery(for: Contact()) == nil)
        var hostile = Contact()
        hostile.email = "a\\'; drop@example.com"
        #expect(throws: ConnectorError.self) { try MyCRMConnector.lookupQuery(for: hostile) }
    }

    @Test func lookupWithoutMatchIsNil() async throws {
        let server = MyCRMFakeServer { _, _ in MyCRMFakeServer.okBody("[]") }
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.email = "nobody@example.com"
        #expect(try await connector.lookup(contact) == nil)
    }
}

@Suite struct MyCRMErrorTests {
    @Test(arguments: [
        ("INVALID_SESSIONID", ConnectorError.Kind.auth), ("SESSION_LEFT_IDLE", .auth), ("AUTHENTICATION_REQUIRED", .auth),
        ("INVALID_AUTH_TOKEN", .auth), ("INVALID_USER_CREDENTIALS", .auth), ("ACCESS_DENIED", .permission),
        ("MANDATORY_FIELDS_MISSING", .validation), ("REFERENCE_INVALID", .validation), ("QUERY_SYNTAX_ERROR", .validation),
        ("RECORD_NOT_FOUND", .notFound), ("INVALID_MODULE", .notFound), ("UNKOWN_ENTITY", .notFound),
        ("UNKNOWN_OPERATION", .configuration), ("DATABASE_QUERY_ERROR", .retryable), ("INTERNAL_SERVER_ERROR", .retryable),
        ("LEAD_ALREADY_CONVERTED", .conflict), ("DUPLICATE_RECORD", .conflict), ("SOMETHING_NEW", .rejected),
    ])
    func codesAreClassified(code: String, kind: ConnectorError.Kind) {
        #expect(MyCRMErrors.kind(forCode: code) == kind)
    }

    @Test func decoderReadsEnvelopesAndStatuses() {
        let redactor = Redactor(secrets: ["sess-secret-1"])
        func response(_ text: String, status: Int = 200) -> TransportResponse {
            TransportResponse(status: status, body: Data(text.utf8))
        }
        #expect(MyCRMErrors.decode(response(#"{"success":true,"result":[]}"#), operation: "query", redactor: redactor) == nil)
        #expect(MyCRMErrors.decode(response(#" { "success" : true , "result":1}"#), operation: "query", redactor: redactor) == nil)
        let denied = MyCRMErrors.decode(
            response(#"{"success":false,"error":{"code":"ACCESS_DENIED","message":"denied for sess-secret-1"}}"#),
            operation: "query", redactor: redactor)
        #expect(denied?.kind == .permission)
        #expect(denied?.message.contains("sess-secret-1") == false)
        #expect(MyCRMErrors.decode(response("<html>Fatal error</html>"), operation: "query", redactor: redactor)?.kind == .invalidResponse)
        #expect(MyCRMErrors.decode(response("bad gateway", status: 502), operation: "query", redactor: redactor)?.kind == .retryable)
        #expect(MyCRMErrors.decode(response(#"{"success":false}"#), operation: "query", redactor: redactor)?.kind == .invalidResponse)
    }

    @Test func recordNotFoundOnUpdateIsNotFound() async throws {
        let server = MyCRMFakeServer { call, _ in
            if call.operation == "describe" { return MyCRMFakeServer.okBody(#"{"idPrefix":"10"}"#) }
            return MyCRMFakeServer.failureBody("RECORD_NOT_FOUND", "Record you are trying to access is not found")
        }
        let connector = try MyCRMTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.update(Contact(), remoteID: "10x404") }
        #expect(error?.kind == .notFound)
        #expect(error?.vendorCode == "RECORD_NOT_FOUND")
    }

    @Test func transientServerFailureIsRetried() async throws {
        let server = MyCRMFakeServer { _, index in
            index == 0 ? MyCRMFakeServer.failureBody("DATABASE_QUERY_ERROR", "Database error") : MyCRMFakeServer.okBody("[]")
        }
        let connector = try MyCRMTestSupport.connector(server)
        let pages = try await MyCRMTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(pages.count == 1)
        #expect(server.calls.filter { $0.operation == "query" }.count == 2)
    }
}

@Suite struct MyCRMAddressCheckTests {
    @Test func getsFccWithTheEncodedAddressWithoutSession() async throws {
        let transport = MyCRMFakeServer { _, _ in "" }
        let recording = AddressTransport(inner: transport)
        let connector = try MyCRMConnector(
            configuration: MyCRMTestSupport.configuration(), transport: recording, clock: ManualConnectorClock(autoAdvance: true),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let answer = try await connector.checkAddress(street: "100 Ocean Dr", city: "Miami Beach", state: "FL")
        #expect(answer.locations.first?.providers.count == 1)
        #expect(answer.status == "successful")
        let request = try #require(recording.last)
        #expect(request.method == .get)
        #expect(request.url.path == "/crm/fcc")
        #expect(MyCRMFakeServer.queryParameters(request.url) == ["address": "100 Ocean Dr Miami Beach, FL"])
        #expect(transport.logins == 0, "the address service takes no session")
    }

    @Test func productionDefaultsToTheVendorHost() throws {
        #expect(
            MyCRMConnector.defaultAddressService(for: URL(string: "https://crm.example.com")!).absoluteString
                == "https://prefav2.mycrmllc.com")
        #expect(
            MyCRMConnector.defaultAddressService(for: URL(string: "http://127.0.0.1:8080/webservice.php")!).absoluteString
                == "http://127.0.0.1:8080")
    }
}

/// Answers `/fcc` with the seed's sample (trailing comma included) and everything else from the fake server.
final class AddressTransport: HTTPTransport {
    let inner: MyCRMFakeServer
    private let lastRequest = Mutex<TransportRequest?>(nil)

    init(inner: MyCRMFakeServer) { self.inner = inner }

    var last: TransportRequest? { lastRequest.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        guard request.url.path.hasSuffix("/fcc") else { return try await inner.send(request) }
        lastRequest.withLock { $0 = request }
        let body = #"""
            {"data":[{"coordinates":[25.79,-80.13],"unitCount":99,"buildingTypeCode":"B","bsl_flag":true,"license":"Fabric",
              "detail":[{"location_id":999999999,"provider_name":"Crown Castle Fiber LLC","brand_name":"\nCrown Castle Fiber LLC ",
               "technology_code":"40","bizrescode":"X","maxdown":1200,"maxup":35,"lowlatency":1,"frn":"0003768165",
               "provider_id":"130317","holding_company_name":"Crown Castle Inc","technology_code_type":"Fiber to the Premises",
               "prov_tech_flag":false},
              ]}],
             "result_count":1,"status_code":200,"message":null,"status":"\n successful ","request_date":"2024-05-01T16:42:21.481Z"}
            """#
        return TransportResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
    }
}
