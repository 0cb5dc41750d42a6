import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import RealtyModel
import Testing

@testable import HubServer

/// The dashboard's records page (search by each kind, paging, the resources a client's scopes
/// read) and a record's page (fields, the vendor payload with sealed members, the change list),
/// with hostile vendor data escaped.
@Suite struct DashboardRecordsTests {
    static func get(_ client: any TestClientProtocol, _ uri: String, _ session: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: DashboardTests.headers(cookies: [session]))
    }

    /// The record keys a records page lists, in order.
    static func keys(_ html: String) -> [String] {
        html.matches(of: #/<td><a href="/dashboard/records/[a-z_]+/([^"]+)"><code>/#).map { String($0.output.1) }
    }

    /// A page's `rel` link (`prev`, `next`), unescaped.
    static func link(_ html: String, _ rel: String) -> String? {
        guard let range = html.range(of: #"<a rel="\#(rel)" href=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The `<option>`s of the resource picker, as (value, selected).
    static func pickerOptions(_ html: String) -> [String] {
        guard let start = html.range(of: #"<select name="resource">"#),
            let end = html[start.upperBound...].range(of: "</select>")
        else { return [] }
        return html[start.upperBound..<end.lowerBound].matches(of: #/<option value="([a-z_]+)"( selected)?>/#).map {
            String($0.output.1) + ($0.output.2 == nil ? "" : "*")
        }
    }

    /// A search matching more than the store counts says "more than 1000", offers to narrow it,
    /// and still pages on (full pages have a next link).
    @Test func aBroadSearchSaysMoreThanAndPagesOn() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let scope = SyncScope(tenant: "tenant-a", connectionID: harness.connectionID, sourceSystemName: "mycrm")
        // 1,050 contacts named Broad…: more than the 1,000 a search counts.
        let broad = (0..<1_050).map { index -> Contact in
            var contact = Fixtures.contact(1_000 + index)
            contact.firstName = "Broad\(index)"
            return contact
        }
        _ = try await harness.runtime.store.upsert(broad, scope: scope, cursor: nil)
        try await harness.test { client in
            let session = try await DashboardTests.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let page = try await Self.get(client, "/dashboard/records?resource=contacts&kind=name&q=broad", session)
            #expect(page.status == .ok)
            #expect(Self.keys(page.text).count == 50)
            #expect(page.text.contains("Contacts 1–50 of more than 1000, newest first. Type more of the search to narrow it."))
            #expect(Self.link(page.text, "next") == "/dashboard/records?resource=contacts&kind=name&q=broad&page=2")
            let narrow = try await Self.get(client, "/dashboard/records?resource=contacts&kind=name&q=broad104", session)
            #expect(
                narrow.text.contains("Contacts 1–11 of 11, newest first.") && !narrow.text.contains("narrow it"), "Broad104, Broad1040…1049"
            )
        }
    }

    @Test func searchesByEachKindAndPages() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        // 60 more contacts (First100...First159), synced after the harness's 25: 85 in all.
        let scope = SyncScope(tenant: "tenant-a", connectionID: harness.connectionID, sourceSystemName: "mycrm")
        let extra = try await harness.runtime.store.upsert((100..<160).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        let extraKeys = extra.items.map(\.key)
        let keys = harness.contactKeys
        try await harness.test { client in
            let session = try await DashboardTests.signIn(client, id: harness.full.id, secret: harness.full.secret)

            let email = try await Self.get(client, "/dashboard/records?resource=contacts&kind=email&q=Person7%40Example.com", session)
            #expect(email.status == .ok)
            #expect(Self.keys(email.text) == [keys[7]], "an email, case-insensitively, exactly")
            let phone = try await Self.get(client, "/dashboard/records?resource=contacts&kind=phone&q=%2B34+600+000+007", session)
            #expect(Self.keys(phone.text) == [keys[7]], "+34 600 000 007 is +34 600 000007 (digits)")
            let reference = try await Self.get(client, "/dashboard/records?resource=contacts&kind=reference&q=c-2", session)
            #expect(Set(Self.keys(reference.text)) == Set([keys[2]] + keys[20...24]), "vendor keys c-2, c-20...c-24")
            #expect(Self.keys(reference.text).count == 6)
            #expect(Self.link(reference.text, "next") == nil && Self.link(reference.text, "prev") == nil)

            // A name prefix finds 71 (First1, First10...19, First100...159): 50, then 21.
            let name = try await Self.get(client, "/dashboard/records?resource=contacts&kind=name&q=first1", session)
            #expect(name.status == .ok)
            let first = Self.keys(name.text)
            #expect(first.count == 50)
            #expect(name.text.contains("Contacts 1–50 of 71, newest first."))
            #expect(name.text.contains(#"<input name="q" type="search" value="first1""#), "the form keeps the search")
            let next = try #require(Self.link(name.text, "next"))
            #expect(next == "/dashboard/records?resource=contacts&kind=name&q=first1&page=2", "the next page keeps the query")
            #expect(Self.link(name.text, "prev") == nil)
            let second = try await Self.get(client, next, session)
            let rest = Self.keys(second.text)
            #expect(rest.count == 21 && second.text.contains("Contacts 51–71 of 71"))
            #expect(Self.link(second.text, "prev") == "/dashboard/records?resource=contacts&kind=name&q=first1&page=1")
            #expect(Self.link(second.text, "next") == nil)
            #expect(Set(first + rest) == Set([keys[1]] + keys[10...19] + extraKeys) && Set(first + rest).count == 71)
            #expect(Set(first).isSubset(of: Set(extraKeys)), "newest first: the later batch fills the first page")

            // Without a search: Contacts, newest first, 50 a page.
            let list = try await Self.get(client, "/dashboard/records", session)
            #expect(list.status == .ok)
            #expect(Self.pickerOptions(list.text).contains("contacts*"), "Contacts is chosen first")
            let listed = Self.keys(list.text)
            #expect(listed.count == 50 && Set(listed).isSubset(of: Set(extraKeys)))
            #expect(list.text.contains("Contacts 1–50 of 85, newest first."))
            let listNext = try #require(Self.link(list.text, "next"))
            #expect(listNext == "/dashboard/records?resource=contacts&page=2")
            let lastPage = try await Self.get(client, listNext, session)
            #expect(Set(Self.keys(lastPage.text) + listed) == Set(keys + extraKeys))
            #expect(
                (list.text + lastPage.text).contains(
                    #"<td>First100 Last3</td><td><a href="/dashboard/connections/\#(harness.connectionID)">crm</a></td>"#))

            // Every resource's list renders (its title fields are real columns).
            for resource in ResourceName.apiResources {
                let page = try await Self.get(client, "/dashboard/records?resource=\(resource.pathName)", session)
                #expect(page.status == .ok, "\(resource): \(page.text)")
            }
            let members = try await Self.get(client, "/dashboard/records?resource=members", session)
            #expect(Self.keys(members.text).count == 3 && members.text.contains("<td>Agent1 Smith</td>"))

            // A search the store refuses is said on the page, with 400.
            let noAt = try await Self.get(client, "/dashboard/records?resource=contacts&kind=email&q=nobody", session)
            #expect(noAt.status == .badRequest)
            #expect(noAt.text.contains("This search cannot run: an email search needs a whole address, with @."))
            #expect(noAt.text.contains(#"value="nobody""#), "the form keeps what was typed")
            let noField = try await Self.get(client, "/dashboard/records?resource=developments&kind=phone&q=123", session)
            #expect(noField.status == .badRequest)
            #expect(noField.text.contains("This search cannot run: Development has no phone field to search."))
            let tooLong = try await Self.get(
                client, "/dashboard/records?resource=contacts&kind=name&q=\(String(repeating: "a", count: 201))", session)
            #expect(tooLong.status == .badRequest && tooLong.text.contains("longer than 200 characters"))
            for bad in ["kind=fuzzy&q=x", "page=0", "page=many", "page=1000001"] {
                let refused = try await Self.get(client, "/dashboard/records?resource=contacts&\(bad)", session)
                #expect(refused.status == .badRequest, "\(bad)")
            }
            let unknown = try await Self.get(client, "/dashboard/records?resource=leads", session)
            #expect(unknown.status == .notFound)
            let none = try await Self.get(client, "/dashboard/records?resource=contacts&kind=email&q=nobody%40example.com", session)
            #expect(none.status == .ok && none.text.contains("No Contacts records match this search."))
        }
    }

    @Test func scopesBoundTheRecordsPages() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let members = try await harness.runtime.createAPIClient(
            tenant: "tenant-a", name: "members", scopes: "members:read connections:read")
        let operations = try await harness.runtime.createAPIClient(tenant: "tenant-a", name: "ops", scopes: "connections:read")
        let contact = harness.contactKeys[0]
        try await harness.test { client in
            // Reads members only: only Member in the picker, chosen; contacts are refused.
            let session = try await DashboardTests.signIn(client, id: members.client.id, secret: members.secret)
            let page = try await Self.get(client, "/dashboard/records", session)
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<a href="/dashboard/records">Records</a>"#))
            #expect(Self.pickerOptions(page.text) == ["members*"])
            #expect(Self.keys(page.text).count == 3)
            let contacts = try await Self.get(client, "/dashboard/records?resource=contacts", session)
            #expect(contacts.status == .forbidden && contacts.text.contains("This client lacks the scope contacts:read."))
            let record = try await Self.get(client, "/dashboard/records/contacts/\(contact)", session)
            #expect(record.status == .forbidden)
            #expect(!record.text.contains("First0"))

            // Reads contacts only (and no connections): the connection is shown by id, unlinked.
            let reader = try await DashboardTests.signIn(client, id: harness.reader.id, secret: harness.reader.secret)
            let readerPage = try await Self.get(client, "/dashboard/records", reader)
            #expect(Self.pickerOptions(readerPage.text) == ["contacts*"])
            #expect(readerPage.text.contains("<td><code>\(harness.connectionID)</code></td>"))
            #expect(!readerPage.text.contains("/dashboard/connections/"))

            // Reads no records: no nav link, and the page is refused.
            let ops = try await DashboardTests.signIn(client, id: operations.client.id, secret: operations.secret)
            let overview = try await Self.get(client, "/dashboard", ops)
            #expect(overview.status == .ok && !overview.text.contains(#"href="/dashboard/records""#))
            let refused = try await Self.get(client, "/dashboard/records", ops)
            #expect(refused.status == .forbidden)

            // Another tenant's record does not exist here; unknown resources and keys neither.
            let full = try await DashboardTests.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let theirs = try await Self.get(client, "/dashboard/records/contacts/\(harness.otherContactKey)", full)
            #expect(theirs.status == .notFound && theirs.text.contains("This tenant has no Contacts record"))
            let theirsByEmail = try await Self.get(
                client, "/dashboard/records?resource=contacts&kind=email&q=person999%40example.com", full)
            #expect(Self.keys(theirsByEmail.text).isEmpty)
            let other = try await DashboardTests.signIn(client, id: harness.other.id, secret: harness.other.secret)
            let mine = try await Self.get(client, "/dashboard/records/contacts/\(contact)", other)
            #expect(mine.status == .notFound)
            let ownTenant = try await Self.get(client, "/dashboard/records/contacts/\(harness.otherContactKey)", other)
            #expect(ownTenant.status == .ok)
            #expect(try await Self.get(client, "/dashboard/records/leads/x", full).status == .notFound)
            #expect(try await Self.get(client, "/dashboard/records/contacts/no-such-key", full).status == .notFound)
        }
    }

    @Test func aRecordPageShowsFieldsSealedPayloadAndChanges() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        try await harness.test { client in
            let session = try await DashboardTests.signIn(client, id: harness.full.id, secret: harness.full.secret)
            try await Self.checkRecordPage(
                runtime: harness.runtime, client: client, session: session, tenant: "tenant-a", connectionID: harness.connectionID,
                connectionName: "crm")
        }
    }

    /// The same record page on PostgreSQL (its search and change list are the other store's).
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func aRecordPageOnPostgreSQL() async throws {
        try await PostgresTestDatabase.withSchemaURL { _, url in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-records-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let configuration = HubConfiguration(
                dataDirectory: directory.path, environment: ["REALTYHUB_SECRET_KEY": try SecretKey.generate().encoded], databaseURL: url)
            let runtime = try await HubRuntime.open(configuration, logger: Logger(label: "dashboard-records-test"))
            do {
                let (apiClient, secret) = try await runtime.createAPIClient(tenant: "acme", name: "ops", scopes: "*:*")
                let connection = try await runtime.addConnection(
                    tenant: "acme", vendor: "mycrm", name: "pg-crm", baseURL: "http://127.0.0.1:1", authURL: nil,
                    credentials: Data(#"{"username":"admin","access_key":"sandbox-access-key-1234"}"#.utf8), syncIntervalSeconds: nil)
                let app = Application(router: HubAPI(runtime: runtime, metrics: PrometheusCollectorRegistry()).router())
                try await app.test(.router) { client in
                    let session = try await DashboardTests.signIn(client, id: apiClient.id, secret: secret)
                    try await Self.checkRecordPage(
                        runtime: runtime, client: client, session: session, tenant: "acme", connectionID: connection.id,
                        connectionName: "pg-crm")
                }
            } catch {
                await runtime.shutdown()
                throw error
            }
            await runtime.shutdown()
        }
    }

    /// A contact with a hostile name and sensitive payload members, created, updated and
    /// deleted through `connectionID`: its page shows the fields that are set (escaped), the
    /// payload with `[sealed]` members, and three changes newest first; the list shows it escaped.
    static func checkRecordPage(
        runtime: HubRuntime, client: any TestClientProtocol, session: String, tenant: String, connectionID: String,
        connectionName: String
    ) async throws {
        let hostile = #"<script>alert("x")</script>"#
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        var contact = Contact(
            metadata: RecordMetadata(
                sourceSystemName: "mycrm", sourceKey: "hostile-1",
                raw: .object([
                    "id": .string("hostile-1"), "name": .string(hostile), "password": .string("hunter2"),
                    "keys": .array([.object(["access_key": .string("k-123"), "kind": .string("api")])]),
                ])))
        contact.firstName = hostile
        contact.lastName = "Lovelace"
        contact.email = "ada@example.com"
        let store = runtime.store
        func scope() -> SyncScope { SyncScope(tenant: tenant, connectionID: connectionID, sourceSystemName: "mycrm") }
        let created = try await store.upsert([contact], scope: scope(), cursor: nil)
        let key = created.items[0].key
        contact.notes = "called back"
        let updated = try await store.upsert([contact], scope: scope(), cursor: nil)
        #expect(updated.updated == 1)
        #expect(try await store.markDeleted(Contact.self, sourceKeys: ["hostile-1"], scope: scope()) == 1)
        let stored = try #require(try await store.record(Contact.self, tenant: tenant, key: key))
        guard case .string(let ciphertext)? = stored.metadata.raw?["password"]?[SealedField.marker] else {
            Issue.record("the password is not sealed in the store: \(String(describing: stored.metadata.raw))")
            return
        }

        let page = try await get(client, "/dashboard/records/contacts/\(key)", session)
        #expect(page.status == .ok)
        let html = page.text
        #expect(html.contains("<h1>\(escaped) Lovelace <code class=\"vendor\">\(key)</code> <span class=\"deleted\">deleted</span></h1>"))
        #expect(html.contains("<tr><th>FirstName</th><td>\(escaped)</td></tr>"))
        #expect(html.contains("<tr><th>Email</th><td>ada@example.com</td></tr>"))
        #expect(html.contains("<tr><th>Notes</th><td>called back</td></tr>"))
        #expect(!html.contains("<th>MobilePhone</th>") && !html.contains("<th>HomeCity</th>"), "nulls are left out")
        #expect(html.contains("<dt>SourceSystemContactKey</dt><dd><code>hostile-1</code> at mycrm</dd>"))
        #expect(html.contains(#"<dd class="record-deleted-state">yes</dd>"#))
        #expect(html.contains(#"<dt>Connection</dt><dd><a href="/dashboard/connections/\#(connectionID)">\#(connectionName)</a></dd>"#))
        // The payload: sealed members as [sealed], never the value or the ciphertext.
        #expect(html.contains("&quot;password&quot; : &quot;[sealed]&quot;"))
        #expect(html.contains("&quot;access_key&quot; : &quot;[sealed]&quot;"))
        #expect(html.contains("&quot;name&quot; : &quot;&lt;script&gt;alert("), "the vendor's name, as text")
        #expect(!html.contains("hunter2") && !html.contains("k-123") && !html.contains(ciphertext) && !html.contains("$sealed"))
        #expect(!html.contains("<script>alert"), "nothing the vendor sent is markup")
        // The change list: created, updated, deleted, newest first, each through the connection.
        let changes = html.matches(
            of: #/<tr class="change-([a-z]+)"><td>[^<]+</td><td>([a-z]+)</td><td><a href="([^"]+)">([^<]+)</a></td></tr>/#)
        #expect(changes.map { String($0.output.1) } == ["deleted", "updated", "created"])
        #expect(changes.allSatisfy { $0.output.2 == $0.output.1 && $0.output.3 == "/dashboard/connections/\(connectionID)" })
        #expect(changes.allSatisfy { $0.output.4 == connectionName })

        // The list: found by its name prefix once deleted records are asked for, escaped.
        let hidden = try await get(client, "/dashboard/records?resource=contacts&kind=name&q=%3Cscript", session)
        #expect(keys(hidden.text).isEmpty, "deleted records are left out by default")
        let found = try await get(client, "/dashboard/records?resource=contacts&kind=name&q=%3Cscript&deleted=1", session)
        #expect(keys(found.text) == [key])
        #expect(found.text.contains("<td>\(escaped) Lovelace</td>"))
        #expect(found.text.contains(#"<span class="deleted">deleted</span>"#))
        #expect(found.text.contains(#"value="&lt;script""#) && !found.text.contains("<script>alert"))
    }
}
