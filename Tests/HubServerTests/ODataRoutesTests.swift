import Foundation
import HTTPTypes
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// The `/odata` routes (RESO Web API, docs/reso-web-api.md) over the SQLite store: documents,
/// headers, reads by key and navigation, `$filter`/`$select`/`$orderby`/paging/`$count`/`$expand`,
/// errors in OData's format, scopes and tenants.
@Suite struct ODataRoutesTests {
    @Test func serviceDocumentAndMetadataNeedATokenAndNegotiateTheirFormat() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let token = fixture.token
        try await fixture.harness.test { client in
            for uri in ["/odata", "/odata/"] {
                let document = try await OData.get(client, uri, token: token)
                #expect(document.status == .ok, "\(uri)")
                #expect(document.json["@odata.context"] == .string(OData.root + "$metadata"), "the root from the Host")
                #expect(document.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(document.headers[.odataVersion] == "4.01")
            }
            let anonymous = try await OData.get(client, "/odata/$metadata", token: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[HTTPField.Name("WWW-Authenticate")!]?.hasPrefix("Bearer") == true)
            #expect(OData.error(anonymous).code == "unauthorized")
            #expect(anonymous.headers[.odataVersion] == "4.01")

            let xml = try await OData.get(client, "/odata/$metadata", token: token, headers: [(.accept, "*/*")])
            #expect(xml.status == .ok)
            #expect(xml.headers[.contentType] == "application/xml")
            let explicitXML = try await OData.get(client, "/odata/$metadata?$format=application/xml", token: token)
            #expect(explicitXML.headers[.contentType] == "application/xml")
            let json = try await OData.get(client, "/odata/$metadata?$format=json", token: token)
            #expect(json.headers[.contentType] == "application/json")
            let accepted = try await OData.get(client, "/odata/$metadata", token: token, headers: [(.accept, "application/json")])
            #expect(accepted.headers[.contentType] == "application/json")
            let both = try await OData.get(
                client, "/odata/$metadata", token: token, headers: [(.accept, "application/json, application/xml")])
            #expect(both.headers[.contentType] == "application/xml", "an Accept naming xml gets xml")
            let atom = try await OData.get(client, "/odata/$metadata?$format=atom", token: token)
            #expect(atom.status == .notAcceptable)
        }
    }

    @Test func versionHeadersAndMethods() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let token = fixture.token
        try await fixture.harness.test { client in
            let plain = try await OData.get(client, "/odata/Property", token: token)
            #expect(plain.status == .ok)
            #expect(plain.headers[.odataVersion] == "4.01")
            #expect(plain.headers[.contentType] == "application/json;odata.metadata=minimal")
            let old = try await OData.get(client, "/odata/Property", token: token, headers: [(.odataVersion, "4.0")])
            #expect(old.status == .ok && old.headers[.odataVersion] == "4.0")
            let capped = try await OData.get(client, "/odata/Property", token: token, headers: [(.odataMaxVersion, "4.0")])
            #expect(capped.status == .ok && capped.headers[.odataVersion] == "4.0")
            let newer = try await OData.get(client, "/odata/Property", token: token, headers: [(.odataMaxVersion, "5.0")])
            #expect(newer.headers[.odataVersion] == "4.01")
            for bad in ["3.0", "4.02", "5.0", "x"] {
                let refused = try await OData.get(client, "/odata/Property", token: token, headers: [(.odataVersion, bad)])
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.headers[.odataVersion] == "4.01")
                #expect(refused.headers[.contentType] == "application/json")
                #expect(OData.error(refused).target == "OData-Version")
            }
            let post = try await client.execute(uri: "/odata/Property", method: .post, headers: bearer(token), body: buffer("{}"))
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET")
            #expect(OData.error(post).code == "method_not_allowed")
            for method in [HTTPRequest.Method.delete, .options, .head] {
                let refused = try await client.execute(uri: "/odata/$metadata", method: method, headers: bearer(token))
                #expect(refused.status == .methodNotAllowed, "\(method)")
            }
            let xml = try await OData.get(client, "/odata/Property?$format=xml", token: token)
            #expect(xml.status == .notAcceptable)
            let acceptXML = try await OData.get(client, "/odata/Property", token: token, headers: [(.accept, "application/xml")])
            #expect(acceptXML.status == .notAcceptable)
            let json = try await OData.get(client, "/odata/Property?$format=json", token: token, headers: [(.accept, "application/json")])
            #expect(json.status == .ok)
        }
    }

    /// A listing by key, exactly: every property written (nulls included), numbers as numbers,
    /// timestamps in the hub's form, no `raw`, `DeletedYN` false.
    @Test func entityByKeyIsExact() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let key = fixture.listings[0]
        let stored = try #require(try await fixture.harness.runtime.store.record(Property.self, tenant: "tenant-a", key: key))
        func time(_ date: Date?) -> RealtyModel.JSONValue { date.map { .string(Timestamp.format($0)) } ?? .null }
        var expected: [String: RealtyModel.JSONValue] = [
            "@odata.context": .string(OData.root + "$metadata#Property/$entity"),
            "ListingKey": .string(key), "SourceSystemName": "apimo", "SourceSystemListingKey": "p-1",
            "ConnectionId": .string(fixture.harness.connectionID),
            "ModificationTimestamp": time(stored.metadata.modificationTimestamp),
            "OriginalEntryTimestamp": time(stored.metadata.originalEntryTimestamp),
            "SourceModificationTimestamp": .null, "SourceEntryTimestamp": .null,
            "ContentHash": stored.metadata.contentHash.map(RealtyModel.JSONValue.string) ?? .null, "DeletedYN": false,
        ]
        for field in Property.fields { expected[field.name] = .null }
        expected["ListingId"] = "L1"
        expected["StandardStatus"] = "Active"
        expected["City"] = "Marbella"
        expected["ListPrice"] = .number(try #require(JSONNumber(text: "250000.5")))
        expected["BedroomsTotal"] = 3
        expected["ListAgentKey"] = .string(fixture.members[0])
        expected["ListOfficeKey"] = .string(fixture.offices[0])
        expected["NewConstructionYN"] = false
        expected["PublicRemarks"] = "Sea view, O'Neill's favourite"
        let entity = RealtyModel.JSONValue.object(expected)
        try await fixture.harness.test { client in
            let answer = try await OData.get(client, "/odata/Property('\(key)')", token: fixture.token)
            #expect(answer.status == .ok)
            #expect(answer.json == entity)
            #expect(answer.text.hasPrefix(#"{"@odata.context":"http://localhost/odata/$metadata#Property/$entity","ListingKey":"#))
            #expect(answer.text.contains(#""ListPrice":250000.5,"#) && answer.text.contains(#""BedroomsTotal":3,"#))

            let selected = try await OData.get(client, "/odata/Property('\(key)')?$select=City,ListPrice", token: fixture.token)
            #expect(
                selected.json
                    == [
                        "@odata.context": .string(OData.root + "$metadata#Property(City,ListPrice)/$entity"), "City": "Marbella",
                        "ListPrice": .number(try #require(JSONNumber(text: "250000.5"))),
                    ])
            // A key is percent-decoded and its quotes undoubled: these name no listing (404, not 400).
            for path in ["Property('O''Brien')", "Property(%27O%27%27Brien%27)", "Property('a%2Fb')", "Property('')"] {
                let missing = try await OData.get(client, "/odata/\(path)", token: fixture.token)
                #expect(missing.status == .notFound, "\(path)")
                #expect(OData.error(missing).code == "not_found")
                #expect(missing.headers[.contentType] == "application/json")
            }
            #expect(try ODataPath(parsing: "/odata/Property(%27O%27%27Brien%27)") == .entity("Property", key: "O'Brien"))
            #expect(
                try ODataPath(parsing: "/odata/Property('a%2Fb')/ListAgent") == .navigation("Property", key: "a/b", property: "ListAgent"))
            for malformed in ["Property('O'Brien')", "Property(O)", "Property('x'"] {
                let refused = try await OData.get(client, "/odata/\(malformed)", token: fixture.token)
                #expect(refused.status == .badRequest, "\(malformed)")
            }
            let deleted = try await OData.get(client, "/odata/Media('\(fixture.deletedMedia)')", token: fixture.token)
            #expect(deleted.status == .notFound, "a deleted record is gone")
            let notOnKey = try await OData.get(client, "/odata/Property('\(key)')?$top=1", token: fixture.token)
            #expect(notOnKey.status == .badRequest && OData.error(notOnKey).target == "$top")
        }
    }

    @Test func filters() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let (l1, l2, l3) = (fixture.listings[0], fixture.listings[1], fixture.listings[2])
        try await fixture.harness.test { client in
            func keys(_ set: String, _ filter: String, _ key: String) async throws -> Set<String> {
                let answer = try await OData.get(client, "/odata/\(set)?$filter=\(OData.encode(filter))", token: fixture.token)
                #expect(answer.status == .ok, "\(filter): \(answer.text)")
                return Set(OData.strings(answer, key))
            }
            func listings(_ filter: String) async throws -> Set<String> { try await keys("Property", filter, "ListingKey") }
            #expect(try await listings("City eq 'Marbella'") == [l1])
            #expect(try await listings("City ne 'Marbella'") == [l2, l3])
            #expect(try await listings("ListPrice gt 250000") == [l1, l2])
            #expect(try await listings("ListPrice gt 250000.5") == [l2])
            #expect(try await listings("BedroomsTotal ge 3 and BedroomsTotal lt 5") == [l1])
            #expect(try await listings("City in ('Paris','Dubai')") == [l2, l3])
            #expect(try await listings("contains(PublicRemarks,'O''Neill')") == [l1])
            #expect(try await listings("startswith(City,'Ma')") == [l1])
            #expect(try await listings("tolower(City) eq 'paris'") == [l2])
            #expect(try await listings("not (City eq 'Paris') and ListingId ne null") == [l1, l3])
            #expect(try await listings("NewConstructionYN eq true") == [l3])
            #expect(try await listings("ListAgentKey eq null") == [l3])
            #expect(try await listings("Media/any(m: m/MediaCategory eq 'Photo')") == [l1, l2])
            #expect(try await listings("Media/any(m: m/MediaCategory eq 'Floor Plan')") == [], "the floor plan was taken down")
            #expect(try await listings("not Media/any()") == [l3])
            #expect(try await listings("ListAgent/MemberFirstName eq 'Bob'") == [l2])
            #expect(try await listings("ListingKey eq '\(l2)'") == [l2])
            let members = try await keys("Member", "MemberLanguages/any(l: l eq 'Spanish')", "MemberKey")
            #expect(members == [fixture.members[0]])
            let french = try await keys("Member", "MemberLanguages/any(l: l eq 'French') or MemberFirstName eq 'Cy'", "MemberKey")
            #expect(french == [fixture.members[1], fixture.members[2]])
            #expect(try await keys("Contacts", "Birthdate gt 1990-01-01", "ContactKey") == [fixture.contacts[1]])
            #expect(try await keys("Contacts", "Birthdate le 1985-06-15", "ContactKey") == [fixture.contacts[0]])

            // '+' is a space (form encoding, Q21); %2B is a plus.
            let plus = try await OData.get(client, "/odata/Property?$filter=City+eq+'Paris'", token: fixture.token)
            #expect(OData.strings(plus, "ListingKey") == [l2])
            let offset = try await OData.get(
                client, "/odata/Property?$filter=ModificationTimestamp%20gt%202000-01-01T00:00:00%2B01:00", token: fixture.token)
            #expect(OData.values(offset).count == 3)
        }
    }

    @Test func selectOrderTopSkipAndCount() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let (l1, l2, l3) = (fixture.listings[0], fixture.listings[1], fixture.listings[2])
        try await fixture.harness.test { client in
            let selected = try await OData.get(client, "/odata/Property?$select=ListingId,City&$orderby=ListingId", token: fixture.token)
            #expect(
                selected.json
                    == [
                        "@odata.context": .string(OData.root + "$metadata#Property(ListingId,City)"),
                        "value": [
                            ["ListingId": "L1", "City": "Marbella"], ["ListingId": "L2", "City": "Paris"],
                            ["ListingId": "L3", "City": "Dubai"],
                        ],
                    ])
            let ordered = try await OData.get(
                client, "/odata/Property?$orderby=StandardStatus%20desc,ListPrice%20asc&$select=ListingKey", token: fixture.token)
            #expect(OData.strings(ordered, "ListingKey") == [l2, l3, l1], "Pending first, then Active by price")
            let window = try await OData.get(client, "/odata/Property?$orderby=ListingId&$top=1&$skip=1", token: fixture.token)
            #expect(OData.strings(window, "ListingKey") == [l2])
            #expect(window.json["@odata.nextLink"] == nil, "$top is used up")

            let counted = try await OData.get(
                client, "/odata/Property?$count=true&$top=1&$filter=BedroomsTotal%20gt%200", token: fixture.token)
            #expect(counted.json["@odata.count"] == 2)
            #expect(OData.values(counted).count == 1)
            let onlyCount = try await OData.get(client, "/odata/Property?$top=0&$count=true", token: fixture.token)
            #expect(onlyCount.json["@odata.count"] == 3 && OData.values(onlyCount).isEmpty)
            let bare = try await OData.get(client, "/odata/Property/$count?$filter=City%20ne%20'Paris'", token: fixture.token)
            #expect(bare.status == .ok && bare.text == "2")
            #expect(bare.headers[.contentType] == "text/plain")
            #expect(bare.headers[.odataVersion] == "4.01")

            // omit-values=nulls leaves nulls out and says so.
            let omitted = try await OData.get(
                client, "/odata/Property('\(l3)')?$select=ListingId,PublicRemarks", token: fixture.token,
                headers: [(.prefer, "omit-values=nulls")])
            #expect(
                omitted.json == [
                    "@odata.context": .string(OData.root + "$metadata#Property(ListingId,PublicRemarks)/$entity"), "ListingId": "L3",
                ])
            #expect(omitted.headers[.preferenceApplied] == "omit-values=nulls")
            let lists = try await OData.get(client, "/odata/Member('\(fixture.members[2])')?$select=MemberLanguages", token: fixture.token)
            #expect(lists.json["MemberLanguages"] == [], "a list held as nil is []")
        }
    }

    /// Server-driven paging: next links carry every option, followed to the end they give the
    /// whole list once; a `$top` larger than a page is served in pages until used up.
    @Test func pagingWithNextLinks() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        try await fixture.harness.test { client in
            let whole = try await OData.get(client, "/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey", token: fixture.token)
            let expected = OData.strings(whole, "ContactKey")
            #expect(expected.count == 27)
            #expect(whole.json["@odata.nextLink"] == nil)

            let small = [(HTTPField.Name.prefer, "odata.maxpagesize=4")]
            let first = try await OData.get(
                client, "/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey&$count=true", token: fixture.token, headers: small)
            #expect(first.headers[.preferenceApplied] == "odata.maxpagesize=4")
            #expect(OData.values(first).count == 4 && first.json["@odata.count"] == 27)
            let link = try #require(first.json["@odata.nextLink"]?.string)
            #expect(link == "http://localhost/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey&$count=true&$skip=4")
            // Behind a TLS proxy the links are https.
            let proxied = try await OData.get(
                client, "/odata/Contacts?$select=ContactKey", token: fixture.token,
                headers: small + [(HTTPField.Name("X-Forwarded-Proto")!, "https")])
            #expect(proxied.json["@odata.nextLink"]?.string == "https://localhost/odata/Contacts?$select=ContactKey&$skip=4")
            #expect(proxied.json["@odata.context"]?.string == "https://localhost/odata/$metadata#Contacts(ContactKey)")
            let paged = try await OData.all(
                client, "/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey", token: fixture.token, headers: small)
            #expect(paged.values.compactMap { $0["ContactKey"]?.string } == expected)
            #expect(paged.pages == 7)

            let topped = try await OData.all(
                client, "/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey&$top=10&$skip=2", token: fixture.token,
                headers: small)
            #expect(topped.values.compactMap { $0["ContactKey"]?.string } == Array(expected[2..<12]))
            #expect(topped.pages == 3, "4, 4, then 2")
            let last = try await OData.get(
                client, "/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey&$skip=24", token: fixture.token, headers: small)
            #expect(OData.values(last).count == 3 && last.json["@odata.nextLink"] == nil)
            let exact = try await OData.get(
                client, "/odata/Contacts?$orderby=LastName,FirstName&$select=ContactKey&$skip=23", token: fixture.token, headers: small)
            #expect(OData.values(exact).count == 4 && exact.json["@odata.nextLink"] == nil, "a full last page has no next link")
            let clamped = try await OData.get(
                client, "/odata/Contacts?$top=1", token: fixture.token, headers: [(.prefer, "odata.maxpagesize=5000")])
            #expect(clamped.headers[.preferenceApplied] == "odata.maxpagesize=1000")
        }
    }

    @Test func navigationAndExpansion() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let (l1, l2, l3) = (fixture.listings[0], fixture.listings[1], fixture.listings[2])
        try await fixture.harness.test { client in
            let agent = try await OData.get(client, "/odata/Property('\(l1)')/ListAgent", token: fixture.token)
            #expect(agent.status == .ok)
            #expect(agent.json["@odata.context"] == .string(OData.root + "$metadata#Member/$entity"))
            #expect(agent.json["MemberKey"] == .string(fixture.members[0]) && agent.json["MemberFirstName"] == "Ana")
            #expect(agent.json["MemberLanguages"] == ["English", "Spanish"])
            let none = try await OData.get(client, "/odata/Property('\(l3)')/ListAgent", token: fixture.token)
            #expect(none.status == .noContent)
            let photos = try await OData.get(client, "/odata/Property('\(l1)')/Media", token: fixture.token)
            #expect(photos.json["@odata.context"] == .string(OData.root + "$metadata#Media"))
            #expect(OData.strings(photos, "SourceSystemMediaKey") == ["pic-1-1", "pic-1-2"], "in Order, whatever the keys' order")
            let reordered = try await OData.get(client, "/odata/Property('\(l1)')/Media?$orderby=Order%20desc", token: fixture.token)
            #expect(OData.strings(reordered, "SourceSystemMediaKey") == ["pic-1-2", "pic-1-1"])
            let office = try await OData.get(
                client, "/odata/Member('\(fixture.members[1])')/Office?$select=OfficeName", token: fixture.token)
            #expect(
                office.json == [
                    "@odata.context": .string(OData.root + "$metadata#Office(OfficeName)/$entity"), "OfficeName": "Paris Office",
                ])
            let unknown = try await OData.get(client, "/odata/Property('\(l1)')/BuyerAgent", token: fixture.token)
            #expect(unknown.status == .notFound)
            let missingParent = try await OData.get(client, "/odata/Property('nope')/Media", token: fixture.token)
            #expect(missingParent.status == .notFound)

            // $expand of both kinds; the foreign keys are read but not written when not selected.
            let expanded = try await OData.get(
                client, "/odata/Property?$select=ListingId&$expand=ListAgent,Media,ListOffice&$orderby=ListingId", token: fixture.token)
            #expect(expanded.status == .ok)
            let rows = OData.values(expanded)
            #expect(rows.count == 3)
            guard case .object(let first)? = rows.first else {
                Issue.record("no rows")
                return
            }
            #expect(Set(first.keys) == ["ListingId", "ListAgent", "Media", "ListOffice"])
            #expect(rows[0]["ListAgent"]?["MemberFirstName"] == "Ana" && rows[1]["ListAgent"]?["MemberFirstName"] == "Bob")
            #expect(rows[2]["ListAgent"] == .null && rows[2]["ListOffice"] == .null && rows[2]["Media"] == [])
            #expect(rows[0]["ListOffice"]?["OfficeName"] == "Costa Office")
            #expect(rows[0]["Media"]?.array?.compactMap { $0["Order"]?.number } == [1, 2], "in Order")
            #expect(rows[1]["Media"]?.array?.compactMap { $0["SourceSystemMediaKey"]?.string } == ["pic-2-1"])
            #expect(rows[0]["Media"]?.array?.first?["raw"] == nil)

            let byKey = try await OData.get(client, "/odata/Property('\(l2)')?$expand=ListAgent&$select=City", token: fixture.token)
            #expect(byKey.json["City"] == "Paris" && byKey.json["ListAgent"]?["MemberKey"] == .string(fixture.members[1]))
            let owners = try await OData.get(
                client, "/odata/Contacts?$filter=Birthdate%20ne%20null&$expand=OwnerMember&$orderby=FirstName", token: fixture.token)
            #expect(OData.values(owners).compactMap { $0["OwnerMember"]?["MemberFirstName"]?.string } == ["Ana", "Bob"])
        }
    }

    @Test func errorsAreODataErrors() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        try await fixture.harness.test { client in
            let bad = try await OData.get(client, "/odata/Property?$filter=City%20eq", token: fixture.token)
            #expect(bad.status == .badRequest)
            #expect(OData.error(bad).code == "syntax_error" && OData.error(bad).target == "$filter")
            #expect(bad.headers[.contentType] == "application/json" && bad.headers[.odataVersion] == "4.01")
            let unknown = try await OData.get(client, "/odata/Property?$filter=BadField%20eq%20'SoBad'", token: fixture.token)
            #expect(unknown.status == .badRequest && OData.error(unknown).code == "unknown_property")
            let wrongCase = try await OData.get(client, "/odata/Property?$select=city", token: fixture.token)
            #expect(wrongCase.status == .badRequest && OData.error(wrongCase).target == "$select")
            let has = try await OData.get(client, "/odata/Property?$filter=City%20has%20'x'", token: fixture.token)
            #expect(has.status == .badRequest && OData.error(has).code == "not_supported", "\(has.text)")
            let rawPlus = try await OData.get(
                client, "/odata/Property?$filter=ModificationTimestamp%20gt%202024-01-01T00:00:00+01:00", token: fixture.token)
            #expect(rawPlus.status == .badRequest && OData.error(rawPlus).message?.contains("%2B") == true, "\(rawPlus.text)")
            let search = try await OData.get(client, "/odata/Property?$search=sea", token: fixture.token)
            #expect(
                search.status == .badRequest && OData.error(search).code == "not_supported" && OData.error(search).target == "$search")
            let option = try await OData.get(client, "/odata/Property?$foo=1", token: fixture.token)
            #expect(option.status == .badRequest && OData.error(option).code == "invalid_option")
            let orderList = try await OData.get(client, "/odata/Member?$orderby=MemberLanguages", token: fixture.token)
            #expect(orderList.status == .badRequest)
            let tooFar = try await OData.get(client, "/odata/Property?$top=99999999", token: fixture.token)
            #expect(tooFar.status == .contentTooLarge && OData.error(tooFar).target == "$top")
            let escape = try await OData.get(client, "/odata/Property?$filter=City%zz", token: fixture.token)
            #expect(escape.status == .badRequest)
            for set in ["ResourceNotFound", "property", "Lookup2"] {
                let missing = try await OData.get(client, "/odata/\(set)", token: fixture.token)
                #expect(missing.status == .notFound, "\(set)")
                #expect(OData.error(missing).code == "not_found")
            }
            let deep = try await OData.get(client, "/odata/Property/$count/x", token: fixture.token)
            #expect(deep.status == .notFound)
            let badToken = try await OData.get(client, "/odata/Property", token: "rh1.bad.token")
            #expect(badToken.status == .unauthorized && badToken.headers[HTTPField.Name("WWW-Authenticate")!] != nil)
        }
    }

    /// The per-client request rate of `/v1` applies: 429 with `Retry-After`, in OData's format.
    @Test func rateLimited() async throws {
        // One request per 100 s (a bucket of one): the second is refused however slow the machine.
        let harness = try await APIHarness.make(requestsPerSecond: 0.01)
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let first = try await OData.get(client, "/odata/Contacts?$top=1", token: token)
            #expect(first.status == .ok)
            let refused = try await OData.get(client, "/odata/Contacts?$top=1", token: token)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil && OData.error(refused).code == "rate_limited")
            #expect(refused.headers[.odataVersion] == "4.01" && refused.headers[.contentType] == "application/json")
        }
    }

    @Test func scopesAndTenants() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let reader = try await fixture.harness.token(fixture.harness.reader) // contacts:read only
        let other = try await fixture.harness.token(fixture.harness.other) // tenant B, *:*
        try await fixture.harness.test { client in
            let refused = try await OData.get(client, "/odata/Property", token: reader)
            #expect(refused.status == .forbidden && OData.error(refused).code == "insufficient_scope")
            let contacts = try await OData.get(client, "/odata/Contacts?$top=1", token: reader)
            #expect(contacts.status == .ok)
            let metadata = try await OData.get(client, "/odata/$metadata", token: reader)
            #expect(metadata.status == .ok, "any token reads the metadata")
            for uri in [
                "/odata/Contacts?$expand=OwnerMember", "/odata/Contacts?$filter=OwnerMember/MemberFirstName%20eq%20'Ana'",
                "/odata/Contacts?$orderby=OwnerMember/MemberFirstName", "/odata/Contacts('\(fixture.contacts[0])')/OwnerMember",
                "/odata/EntityEvent",
            ] {
                let needsMore = try await OData.get(client, uri, token: reader)
                #expect(needsMore.status == .forbidden, "\(uri)")
            }
            let mediaOnly = try await fixture.token(scopes: "properties:read")
            let lambda = try await OData.get(client, "/odata/Property?$filter=Media/any(m:m/Order%20eq%201)", token: mediaOnly)
            #expect(lambda.status == .forbidden, "any() over Media needs media:read")

            let theirs = try await OData.get(client, "/odata/Contacts?$select=ContactKey", token: other)
            #expect(OData.strings(theirs, "ContactKey") == [fixture.harness.otherContactKey])
            let count = try await OData.get(client, "/odata/Contacts/$count", token: other)
            #expect(count.text == "1")
            let foreign = try await OData.get(client, "/odata/Contacts('\(fixture.contacts[0])')", token: other)
            #expect(foreign.status == .notFound)
            let mine = try await OData.get(client, "/odata/Contacts('\(fixture.harness.otherContactKey)')", token: fixture.token)
            #expect(mine.status == .notFound)
        }
    }

    @Test func entityEventFeed() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let all = try await fixture.harness.runtime.store.events(tenant: "tenant-a", after: 0, limit: 1000)
        let contactsOnly = try await fixture.token(scopes: "events:read contacts:read")
        try await fixture.harness.test { client in
            let small = [(HTTPField.Name.prefer, "odata.maxpagesize=7")]
            let paged = try await OData.all(
                client, "/odata/EntityEvent?$filter=EntityEventSequence%20gt%200&$orderby=EntityEventSequence", token: fixture.token,
                headers: small)
            #expect(paged.values.compactMap { $0["EntityEventSequence"]?.number }.map { Int64($0) } == all.map(\.sequence))
            #expect(paged.pages == (all.count + 6) / 7)
            let first = try #require(paged.values.first)
            let event = try #require(all.first)
            #expect(
                first
                    == .object([
                        "EntityEventSequence": .number(JSONNumber(event.sequence)), "ResourceName": .string(event.resourceName.rawValue),
                        "ResourceRecordKey": .string(event.resourceRecordKey),
                        "ResourceRecordUrl": .string(OData.root + event.resourceName.rawValue + "('\(event.resourceRecordKey)')"),
                        "EventType": .string(event.change.rawValue), "ConnectionId": event.connectionID.map { .string($0) } ?? .null,
                        "ModificationTimestamp": .string(Timestamp.format(event.timestamp)),
                    ]))

            let page = try await OData.get(
                client, "/odata/EntityEvent?$filter=EntityEventSequence%20gt%200", token: fixture.token, headers: small)
            let link = try #require(page.json["@odata.nextLink"]?.string)
            #expect(link == "http://localhost/odata/EntityEvent?$filter=EntityEventSequence%20gt%20\(all[6].sequence)")

            let properties = try await OData.all(
                client,
                "/odata/EntityEvent?$filter=ResourceName%20eq%20'Property'%20and%20EntityEventSequence%20ge%201&$select=ResourceRecordKey",
                token: fixture.token, headers: small)
            #expect(
                properties.values.compactMap { $0["ResourceRecordKey"]?.string }
                    == all.filter { $0.resourceName == .property }.map(\.resourceRecordKey))
            #expect(properties.values.allSatisfy { $0["ResourceName"] == nil })

            let topped = try await OData.all(client, "/odata/EntityEvent?$top=10", token: fixture.token, headers: small)
            #expect(topped.values.count == 10 && topped.pages == 2)

            let visible = try await OData.all(client, "/odata/EntityEvent", token: contactsOnly)
            #expect(
                visible.values.compactMap { $0["ResourceName"]?.string }
                    == all.filter { $0.resourceName == .contacts }.map { _ in "Contacts" })

            let one = try await OData.get(client, "/odata/EntityEvent(\(event.sequence))", token: fixture.token)
            #expect(one.status == .ok && one.json["EntityEventSequence"] == .number(JSONNumber(event.sequence)))
            #expect(one.json["@odata.context"] == .string(OData.root + "$metadata#EntityEvent/$entity"))

            for refused in [
                "$orderby=EntityEventSequence%20desc", "$filter=ResourceRecordKey%20eq%20'x'", "$count=true", "$skip=1",
                "$filter=EntityEventSequence%20gt%200%20or%20ResourceName%20eq%20'Media'",
            ] {
                let answer = try await OData.get(client, "/odata/EntityEvent?\(refused)", token: fixture.token)
                #expect(answer.status == .badRequest, "\(refused)")
                #expect(OData.error(answer).message?.isEmpty == false)
            }
        }
    }
}
