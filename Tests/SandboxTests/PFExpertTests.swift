import Foundation
import NIOHTTP1
import RealtyModel
import Testing

@testable import Sandbox

/// A logged-in PF Expert client against a running sandbox.
struct PFSession: Sendable {
    let sandbox: RunningSandbox
    let client: LiveClient
    let info: EmulatorInfo
    let token: String

    static func options(records: Int = 50, tokenTTL: Duration? = nil, clock: SandboxClock = .manual()) -> SandboxOptions {
        SandboxOptions(
            vendors: [.pfExpert], settings: EmulatorSettings(records: records, seed: 42, tokenTTL: tokenTTL), clock: clock)
    }

    /// Starts PF Expert, fetches a token, runs `body`, stops.
    static func run(
        _ options: SandboxOptions = options(), _ body: (PFSession) async throws -> Void
    ) async throws {
        try await withLiveSandbox(options) { sandbox, client in
            let info = try #require(sandbox.info(.pfExpert))
            let reply = try await requestToken(client, info)
            let token = try #require(reply.json?["access_token"]?.strictString)
            try await body(PFSession(sandbox: sandbox, client: client, info: info, token: token))
        }
    }

    static func basic(_ key: String, _ secret: String) -> String {
        "Basic " + Data("\(key):\(secret)".utf8).base64EncodedString()
    }

    static func requestToken(
        _ client: LiveClient, _ info: EmulatorInfo, authorization: String? = nil,
        body: String = #"{"scope":"openid","grant_type":"client_credentials"}"#
    ) async throws -> LiveReply {
        let auth = authorization ?? basic(info.credentials["api_key"] ?? "", info.credentials["api_secret"] ?? "")
        return try await client.postJSON(info.authURL ?? "", body, headers: [("Authorization", auth)])
    }

    var auth: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    /// GET with the path's brackets percent-encoded (a URL may not carry them raw).
    func get(_ path: String, headers: [(String, String)] = []) async throws -> LiveReply {
        let encoded = path.replacingOccurrences(of: "[", with: "%5B").replacingOccurrences(of: "]", with: "%5D")
        return try await client.get(info.baseURL + encoded, headers: auth + headers)
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> LiveReply {
        try await client.send(method, info.baseURL + path, headers: auth + [("Content-Type", "application/json")], body: body)
    }

    func control(_ json: String) async throws -> LiveReply {
        try await client.postJSON(info.controlURL + "/control", json)
    }
}

@Suite struct PFExpertAuthTests {
    @Test func tokenFlow() async throws {
        try await PFSession.run { pf in
            let reply = try await PFSession.requestToken(pf.client, pf.info)
            #expect(reply.status == 200)
            #expect(reply.json?["token_type"] == "Bearer")
            #expect(reply.json?["expires_in"] == 1800)
            #expect(reply.json?["access_token"]?.strictString?.split(separator: ".").count == 3)
            #expect(reply.header("Cache-Control") == "no-store")
            #expect(try await pf.get("/users/1").status == 200)
            // The seed's own example sends the token in a `Token` header.
            #expect(try await pf.client.get(pf.info.baseURL + "/users/1", headers: [("Token", pf.token)]).status == 200)
            // Form-encoded bodies are accepted too.
            let form = try await pf.client.send(
                .POST, pf.info.authURL ?? "",
                headers: [
                    ("Authorization", PFSession.basic(pf.info.credentials["api_key"] ?? "", pf.info.credentials["api_secret"] ?? "")),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: "grant_type=client_credentials&scope=openid")
            #expect(form.status == 200)
        }
    }

    @Test func badClientCredentials() async throws {
        try await PFSession.run { pf in
            let key = pf.info.credentials["api_key"] ?? ""
            let wrong = try await PFSession.requestToken(pf.client, pf.info, authorization: PFSession.basic(key, "nope"))
            #expect(wrong.status == 401)
            #expect(wrong.json?["error"] == "invalid_client")
            #expect(wrong.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
            let notBasic = try await PFSession.requestToken(pf.client, pf.info, authorization: "Bearer abc")
            #expect(notBasic.status == 401)
            let garbled = try await PFSession.requestToken(pf.client, pf.info, authorization: "Basic %%%")
            #expect(garbled.status == 401)
            let missing = try await pf.client.postJSON(pf.info.authURL ?? "", #"{"grant_type":"client_credentials"}"#)
            #expect(missing.status == 401)
        }
    }

    @Test func badTokenRequests() async throws {
        try await PFSession.run { pf in
            let password = try await PFSession.requestToken(pf.client, pf.info, body: #"{"grant_type":"password"}"#)
            #expect(password.status == 400)
            #expect(password.json?["error"] == "unsupported_grant_type")
            let noGrant = try await PFSession.requestToken(pf.client, pf.info, body: #"{"scope":"openid"}"#)
            #expect(noGrant.json?["error"] == "invalid_request")
            let notJSON = try await PFSession.requestToken(pf.client, pf.info, body: "{grant_type")
            #expect(notJSON.status == 400)
            #expect(notJSON.json?["error"] == "invalid_request")
            let get = try await pf.client.get(pf.info.authURL ?? "")
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST")
        }
    }

    @Test func missingInvalidAndExpiredTokens() async throws {
        let clock = SandboxClock.manual()
        try await PFSession.run(PFSession.options(tokenTTL: .seconds(60), clock: clock)) { pf in
            let fresh = try await PFSession.requestToken(pf.client, pf.info)
            #expect(fresh.json?["expires_in"] == 60)

            let none = try await pf.client.get(pf.info.baseURL + "/leads")
            #expect(none.status == 401)
            #expect(
                none.json == [
                    "lead": "AuthenticationError", "messages": ["Authentication is required: send Authorization: Bearer <access_token>"],
                ])
            #expect(none.header("WWW-Authenticate") == "Bearer")

            let invalid = try await pf.client.get(pf.info.baseURL + "/leads", headers: [("Authorization", "Bearer forged")])
            #expect(invalid.status == 401)
            #expect(invalid.json?["messages"] == ["The access token is invalid"])

            clock.advance(by: .seconds(59))
            #expect(try await pf.get("/leads").status == 200)
            clock.advance(by: .seconds(1))
            let expired = try await pf.get("/leads")
            #expect(expired.status == 401)
            #expect(expired.json?["lead"] == "AuthenticationError")
            #expect(expired.json?["messages"] == ["The access token has expired"])
            // A fresh token works again (no refresh flow: just ask again).
            let again = try await PFSession.requestToken(pf.client, pf.info)
            let token = try #require(again.json?["access_token"]?.strictString)
            #expect(try await pf.client.get(pf.info.baseURL + "/leads", headers: [("Authorization", "Bearer \(token)")]).status == 200)
        }
    }

    @Test func expireTokensAndDenyRightsThroughControl() async throws {
        try await PFSession.run { pf in
            let denied = try await pf.control(#"{"op":"deny","resource":"leads","access":"write"}"#)
            #expect(denied.json?["info"]?["denied"] == ["leads:write"])
            #expect(try await pf.get("/leads").status == 200)
            let forbidden = try await pf.send(.POST, "/leads", #"{"lead":{"first_name":"A","email":"a@example.com"}}"#)
            #expect(forbidden.status == 403)
            #expect(forbidden.json?["lead"] == "AccessDenied")
            _ = try await pf.control(#"{"op":"allow","resource":"leads"}"#)
            #expect(try await pf.send(.POST, "/leads", #"{"lead":{"first_name":"A","email":"a@example.com"}}"#).status == 201)

            _ = try await pf.control(#"{"op":"expire_tokens"}"#)
            #expect(try await pf.get("/leads").status == 401)
        }
    }
}

@Suite struct PFExpertListTests {
    @Test func pagingCountAndPerPageCap() async throws {
        try await PFSession.run { pf in
            let all = try await pf.get("/users")
            #expect(all.status == 200)
            #expect(all.json?["count"] == 50)
            #expect(all.json?["page"] == 1)
            #expect(all.json?["per_page"] == 100)
            #expect(all.json?["users"]?.arrayValue?.count == 50)
            #expect(all.header("X-MyCRM-API-Warning") == nil)

            let third = try await pf.get("/users?page=3&per_page=20")
            #expect(third.json?["users"]?.arrayValue?.compactMap { $0["id"]?.strictInt } == Array(41...50))
            #expect(third.json?["count"] == 50)
            let past = try await pf.get("/users?page=9&per_page=20")
            #expect(past.json?["users"] == [])
            #expect(past.json?["count"] == 50)

            let capped = try await pf.get("/users?per_page=500")
            #expect(capped.status == 200)
            #expect(capped.json?["per_page"] == 100)
            #expect(capped.header("X-MyCRM-API-Warning")?.contains("per_page cannot exceed 100") == true)

            for bad in ["page=0", "page=x", "per_page=0", "per_page=-5", "sort_order=sideways"] {
                let reply = try await pf.get("/users?\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.json?["user"] == "InvalidRequest", "\(bad)")
            }
        }
    }

    @Test func listKeysFollowTheVendor() async throws {
        try await PFSession.run(PFSession.options(records: 5)) { pf in
            let keys = [
                "/users": "users", "/properties": "properties", "/leads": "leads", "/locations": "location",
                "/whatsapp-leads": "whatsapp", "/calltrackings": "call_trackings",
            ]
            for (path, key) in keys {
                let reply = try await pf.get(path)
                #expect(reply.json?[key]?.arrayValue?.count == 5, "\(path)")
            }
            let client = try await pf.get("/clients/settings")
            #expect(client.json?["client"]?["group"] == "fulladmin")
        }
    }

    @Test func fieldsProjection() async throws {
        try await PFSession.run { pf in
            let one = try await pf.get("/users/7?fields=id,first_name")
            #expect(one.json?["user"]?.objectValue?.keys.sorted() == ["first_name", "id"])
            let list = try await pf.get("/properties?fields=id,price.value,bogus&per_page=3")
            let first = try #require(list.json?["properties"]?.arrayValue?.first)
            #expect(first.objectValue?.keys.sorted() == ["id", "price"])
            #expect(first["price"]?.objectValue?.keys.sorted() == ["value"])
            #expect(list.header("X-MyCRM-API-Warning")?.contains("bogus") == true)
            // The page text calls the parameter "field"; that spelling works too.
            let singular = try await pf.get("/leads/2?field=email")
            #expect(singular.json?["lead"]?.objectValue?.keys.sorted() == ["email"])
        }
    }

    @Test func sortAndSortOrder() async throws {
        try await PFSession.run { pf in
            let desc = try await pf.get("/leads?sort=email&sort_order=desc&fields=id,email")
            let emails = desc.json?["leads"]?.arrayValue?.compactMap { $0["email"]?.strictString } ?? []
            #expect(emails.count == 50)
            #expect(emails == emails.sorted { $0.lowercased() > $1.lowercased() })
            let byPrice = try await pf.get("/properties?sort=price.value&fields=price")
            let prices = byPrice.json?["properties"]?.arrayValue?.compactMap { $0["price"]?["value"]?.strictInt } ?? []
            #expect(prices == prices.sorted())
            let unknown = try await pf.get("/leads?sort=shoe_size&per_page=3")
            #expect(unknown.status == 200)
            #expect(unknown.json?["leads"]?.arrayValue?.compactMap { $0["id"]?.strictInt } == [1, 2, 3])
            #expect(unknown.header("X-MyCRM-API-Warning")?.contains("shoe_size") == true)
        }
    }

    @Test func filters() async throws {
        try await PFSession.run { pf in
            let lead = try #require(try await pf.get("/leads/12").json?["lead"])
            let email = try #require(lead["email"]?.strictString)
            let byEmail = try await pf.get(
                "/leads?filters%5Bemail%5D=\(email.uppercased().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            #expect(byEmail.json?["count"] == 1)
            #expect(byEmail.json?["leads"]?.arrayValue?.first?["id"] == 12)
            let mobile = try #require(lead["mobile"]?.strictString)
            let byMobile = try await pf.get("/leads?filters[mobile]=\(mobile.replacingOccurrences(of: "+", with: "%2B"))")
            #expect(byMobile.json?["leads"]?.arrayValue?.contains { $0["id"] == 12 } == true)

            // Date range on creation, inclusive, with day bounds.
            let created = try #require(lead["created_at"]?.strictString)
            let day = String(created.prefix(10))
            let sameDay = try await pf.get("/leads?filters[created][from]=\(day)&filters[created][to]=\(day)")
            let days = sameDay.json?["leads"]?.arrayValue?.compactMap { $0["created_at"]?.strictString?.prefix(10) } ?? []
            #expect(days.contains(Substring(day)) && days.allSatisfy { $0 == day })
            let badDate = try await pf.get("/leads?filters[created][from]=yesterday")
            #expect(badDate.status == 400)
            #expect(badDate.json?["messages"]?.arrayValue?.first?.strictString?.contains("filters[created][from]") == true)

            let cheap = try await pf.get("/properties?filters[to_price]=1000000&fields=price")
            let prices = cheap.json?["properties"]?.arrayValue?.compactMap { $0["price"]?["value"]?.strictInt } ?? []
            #expect(!prices.isEmpty && prices.allSatisfy { $0 <= 1_000_000 })
            let sale = try await pf.get("/properties?filters[offering_type]=sale&filters[status]=available")
            let records = sale.json?["properties"]?.arrayValue ?? []
            #expect(records.allSatisfy { $0["price"]?["offering_type"] == "sale" && $0["status"] == "available" })
            let byUser = try await pf.get("/properties?filters[user]=3")
            #expect(byUser.json?["properties"]?.arrayValue?.allSatisfy { $0["user"]?["id"] == 3 } == true)
            let text = try await pf.get("/locations?filters[string]=marina")
            #expect(
                text.json?["location"]?.arrayValue?.allSatisfy {
                    ($0["community"]?.strictString ?? "").lowercased().contains("marina")
                } == true)
            let unknown = try await pf.get("/leads?filters[favourite_colour]=blue")
            #expect(unknown.json?["count"] == 50)
            #expect(unknown.header("X-MyCRM-API-Warning")?.contains("favourite_colour") == true)
        }
    }

    @Test func incrementalSyncThroughUpdatedFilter() async throws {
        let clock = SandboxClock.manual(start: Date(timeIntervalSince1970: 1_750_000_000))
        try await PFSession.run(PFSession.options(clock: clock)) { pf in
            let since = PFExpertTime.format(clock.now)
            let before = try await pf.get("/leads?filters[updated][from]=\(since)")
            #expect(before.json?["count"] == 0)
            clock.advance(by: .seconds(10))
            let mutated = try await pf.control(#"{"op":"mutate","resource":"leads","count":3}"#)
            let ids = Set(mutated.json?["ids"]?.arrayValue?.compactMap { $0.strictString.flatMap { Int($0) } } ?? [])
            #expect(ids.count == 3)
            let after = try await pf.get("/leads?filters[updated][from]=\(since)&sort=updated_at")
            #expect(after.json?["count"] == 3)
            #expect(Set(after.json?["leads"]?.arrayValue?.compactMap { $0["id"]?.strictInt } ?? []) == ids)
            let inserted = try await pf.control(#"{"op":"insert","resource":"leads","count":2}"#)
            #expect(inserted.json?["ids"] == ["51", "52"])
            #expect(try await pf.get("/leads?filters[updated][from]=\(since)").json?["count"] == 5)
            let deleted = try await pf.control(#"{"op":"delete","resource":"leads","count":4}"#)
            #expect(deleted.json?["ids"]?.arrayValue?.count == 4)
            #expect(try await pf.get("/leads").json?["count"] == 48)
            // Control changes are not client writes.
            #expect(pf.sandbox.writeLog.entries().isEmpty)
        }
    }

    @Test func expandRelatedObjects() async throws {
        try await PFSession.run { pf in
            let plain = try #require(try await pf.get("/properties/4").json?["property"])
            let userID = try #require(plain["user"]?["id"]?.strictInt)
            #expect(plain["user"]?.objectValue?.keys.sorted() == ["id"])
            let expanded = try await pf.get("/properties/4", headers: [("X-MyCRM-Expand-Data", "true")])
            #expect(expanded.json?["property"]?["user"]?["id"]?.strictInt == userID)
            #expect(expanded.json?["property"]?["user"]?["email"]?.strictString != nil)
            #expect(expanded.json?["property"]?["location"]?["community"]?.strictString != nil)

            let onlyLocation = try await pf.get("/properties/4", headers: [("X-MyCRM-Expand-Data", "location")])
            #expect(onlyLocation.json?["property"]?["user"]?.objectValue?.keys.sorted() == ["id"])
            #expect(onlyLocation.json?["property"]?["location"]?["city"] == "Dubai")

            // Collections only come with the header.
            let user = try await pf.get("/users/\(userID)")
            #expect(user.json?["user"]?["properties"] == nil)
            let withCollections = try await pf.get("/users/\(userID)", headers: [("X-MyCRM-Expand-Data", "properties")])
            let owned = withCollections.json?["user"]?["properties"]?.arrayValue ?? []
            #expect(owned.contains { $0["id"] == 4 })

            let none = try await pf.get("/locations/1", headers: [("X-MyCRM-Expand-Data", "true")])
            #expect(none.status == 200)
            #expect(none.header("X-MyCRM-API-Warning")?.contains("not available") == true)
        }
    }

    @Test func sameSeedSameData() async throws {
        let options = PFSession.options(records: 8)
        let first = try await SandboxRunner.withSandbox(options) { sandbox in
            try await sandbox.emulator(.pfExpert)?.control(.list(resource: "properties")).records
        }
        let second = try await SandboxRunner.withSandbox(options) { sandbox in
            try await sandbox.emulator(.pfExpert)?.control(.list(resource: "properties")).records
        }
        #expect(first?.count == 8)
        #expect(first == second)
    }
}

@Suite struct PFExpertWriteTests {
    @Test func createReturns201WithLocationAndWrappedBody() async throws {
        try await PFSession.run { pf in
            let body =
                #"{"lead":{"first_name":"Nadia","last_name":"Ali","email":"nadia.ali@example.com","mobile":"+971501234567","user":{"id":3}}}"#
            let created = try await pf.send(.POST, "/leads", body)
            #expect(created.status == 201)
            let lead = try #require(created.json?["lead"])
            #expect(lead["id"] == 51)
            #expect(lead["email"] == "nadia.ali@example.com")
            #expect(lead["user"] == ["id": 3])
            #expect(lead["created_at"]?.strictString != nil)
            let location = try #require(created.header("Location"))
            #expect(location == pf.info.baseURL + "/leads/51")
            let fetched = try await pf.client.get(location, headers: pf.auth)
            #expect(fetched.json?["lead"] == lead)

            let writes = pf.sandbox.writeLog.entries(vendor: .pfExpert)
            #expect(writes.count == 1)
            #expect(writes.first?.operation == .create)
            #expect(writes.first?.id == "51")
            #expect(writes.first?.keys == ["email": "nadia.ali@example.com", "phone": "+971501234567"])

            // A property, with its type and location given as bare ids.
            let property = try await pf.send(
                .POST, "/properties",
                #"{"property":{"type":2,"location":5,"price":{"offering_type":"sale","value":"1500000"},"bedrooms":"3","status":"available"}}"#
            )
            #expect(property.status == 201)
            #expect(property.json?["property"]?["type"] == ["id": 2, "name": "villa"])
            #expect(property.json?["property"]?["price"]?["value"] == 1_500_000)
            #expect(property.json?["property"]?["bedrooms"] == 3)
            #expect(property.json?["property"]?["reference"] == "RH-00051")
        }
    }

    @Test func validationErrors() async throws {
        try await PFSession.run { pf in
            let invalid = try await pf.send(.POST, "/leads", #"{"lead":{"email":"not-an-email","status":"dreaming","user":999}}"#)
            #expect(invalid.status == 400)
            #expect(invalid.json?["lead"] == "InvalidRequest")
            let messages = invalid.json?["messages"]?.arrayValue?.compactMap(\.strictString) ?? []
            #expect(messages.contains("email: This value is not a valid email address."))
            #expect(messages.contains("status: The value you selected is not a valid choice."))
            #expect(messages.contains("user: This value is not valid."))
            #expect(messages.contains("first_name: This value should not be blank."))

            let noContact = try await pf.send(.POST, "/leads", #"{"lead":{"first_name":"Solo"}}"#)
            #expect(noContact.json?["messages"] == ["email: Please provide at least an email, a mobile or a phone number."])

            let notJSON = try await pf.send(.POST, "/leads", "{lead:")
            #expect(notJSON.status == 400)
            #expect(notJSON.json == ["lead": "InvalidRequest", "messages": ["Invalid JSON body"]])
            let array = try await pf.send(.POST, "/leads", "[1,2]")
            #expect(array.json?["messages"] == ["The request body must be a JSON object"])
            let empty = try await pf.send(.POST, "/leads")
            #expect(empty.status == 400)

            let duplicate = try await pf.send(.POST, "/users", #"{"user":{"first_name":"A","last_name":"B","email":"x@example.com"}}"#)
            #expect(duplicate.status == 201)
            let again = try await pf.send(.POST, "/users", #"{"user":{"first_name":"A","last_name":"B","email":"X@example.com"}}"#)
            #expect(again.json?["messages"] == ["email: This value is already used."])

            let price = try await pf.send(
                .POST, "/properties", #"{"property":{"type":"villa","location":1,"price":{"offering_type":"lease","value":0}}}"#)
            #expect(price.json?["messages"] == ["price: offering_type: The value you selected is not a valid choice."])
            #expect(pf.sandbox.writeLog.entries().count == 1)
        }
    }

    @Test func unwrappedBodiesAndUnknownFieldsAreAcceptedWithWarnings() async throws {
        try await PFSession.run { pf in
            let reply = try await pf.send(.POST, "/leads", #"{"first_name":"Bare","phone":"+33612345678","id":77,"shoe_size":44}"#)
            #expect(reply.status == 201)
            let warning = reply.header("X-MyCRM-API-Warning") ?? ""
            #expect(warning.contains("wrapped in \"lead\""))
            #expect(warning.contains("shoe_size"))
            #expect(warning.contains("Read-only field(s) ignored: id"))
            #expect(reply.json?["lead"]?["id"] == 51)
        }
    }

    @Test func updateReplacePatchAndDelete() async throws {
        try await PFSession.run { pf in
            let original = try #require(try await pf.get("/leads/5").json?["lead"])

            let patched = try await pf.send(.PATCH, "/leads/5", #"{"lead":{"status":"won"}}"#)
            #expect(patched.status == 200)
            #expect(patched.header("Location") == pf.info.baseURL + "/leads/5")
            #expect(patched.json?["lead"]?["status"] == "won")
            #expect(patched.json?["lead"]?["email"] == original["email"])

            let operations = try await pf.send(
                .PATCH, "/properties/2",
                #"{"operations":[{"op":"replace","path":"/listing_level","value":{"name":"premium"}},{"op":"replace","path":"/price/value","value":2222000},{"op":"remove","path":"/unit_number"}]}"#
            )
            #expect(operations.status == 200)
            #expect(operations.json?["property"]?["listing_level"] == ["name": "premium"])
            #expect(operations.json?["property"]?["price"]?["value"] == 2_222_000)
            #expect(operations.json?["property"]?["unit_number"] == .null)
            let move = try await pf.send(.PATCH, "/properties/2", #"{"operations":[{"op":"move","path":"/status","from":"/state"}]}"#)
            #expect(move.status == 400)
            #expect(move.json?["property"] == "InvalidAction")
            let readOnly = try await pf.send(.PATCH, "/properties/2", #"{"operations":[{"op":"replace","path":"/id","value":9}]}"#)
            #expect(readOnly.json?["property"] == "InvalidAction")

            // PUT replaces: fields not given are cleared, required ones must be there.
            let incomplete = try await pf.send(.PUT, "/leads/5", #"{"lead":{"last_name":"Only"}}"#)
            #expect(incomplete.status == 400)
            let replaced = try await pf.send(.PUT, "/leads/5", #"{"lead":{"first_name":"New","email":"new@example.com"}}"#)
            #expect(replaced.status == 200)
            #expect(replaced.json?["lead"]?["status"] == .null)
            #expect(replaced.json?["lead"]?["created_at"] == original["created_at"])

            let deleted = try await pf.send(.DELETE, "/leads/5")
            #expect(deleted.status == 204)
            let gone = try await pf.get("/leads/5")
            #expect(gone.status == 404)
            #expect(gone.json == ["lead": "ResourceNotFound", "messages": ["Lead 5 not found"]])
            #expect(try await pf.send(.DELETE, "/leads/5").status == 404)

            let ops = pf.sandbox.writeLog.entries(vendor: .pfExpert).map(\.operation)
            #expect(ops == [.update, .update, .update, .delete])
        }
    }

    @Test func routeAndMethodErrors() async throws {
        try await PFSession.run { pf in
            let noRoute = try await pf.get("/users/foo/bar")
            #expect(noRoute.status == 404)
            #expect(noRoute.json == ["user": "ResourceNotFound", "messages": [#"No route found for "GET /users/foo/bar""#]])
            let notNumeric = try await pf.get("/users/foo")
            #expect(notNumeric.json?["user"] == "ResourceNotFound")
            let nowhere = try await pf.get("/tasks")
            #expect(nowhere.json?["error"] == "ResourceNotFound")
            let missing = try await pf.get("/properties/9999")
            #expect(missing.json == ["property": "ResourceNotFound", "messages": ["Property 9999 not found"]])

            let readOnly = try await pf.send(.POST, "/locations", #"{"location":{"city":"X"}}"#)
            #expect(readOnly.status == 405)
            #expect(readOnly.header("Allow") == "GET")
            #expect(readOnly.json?["location"] == "MethodNotAllowed")
            let postItem = try await pf.send(.POST, "/leads/3", "{}")
            #expect(postItem.status == 405)
            #expect(postItem.header("Allow") == "GET, PUT, PATCH, DELETE")
            // Routing comes before authentication, as in the Symfony stack the legacy API runs on.
            let anonymous = try await pf.client.send(.DELETE, pf.info.baseURL + "/calltrackings/1")
            #expect(anonymous.status == 405)
        }
    }
}
