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

/// The dashboard's sign-in (a client's id and secret, or a one-time link), its session cookie
/// and form tokens, what a client's scopes show, and escaping of what vendors send.
@Suite struct DashboardTests {
    /// The `name=value` of a Set-Cookie header named `name`, and the whole header.
    static func cookie(_ response: TestResponse, _ name: String) -> (pair: String, header: String)? {
        for field in response.headers where field.name == .setCookie && field.value.hasPrefix(name + "=") {
            return (String(field.value.prefix { $0 != ";" }), field.value)
        }
        return nil
    }

    static func headers(cookies: [String], form: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if !cookies.isEmpty { fields[.cookie] = cookies.joined(separator: "; ") }
        if form { fields[.contentType] = "application/x-www-form-urlencoded" }
        return fields
    }

    static func formBody(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return ByteBuffer(string: text)
    }

    /// The value of the hidden `form_token` field of a page.
    static func formToken(_ html: String) -> String? {
        guard let range = html.range(of: #"name="form_token" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs `client` in through the form; the session cookie's `name=value`.
    static func signIn(_ client: any TestClientProtocol, id: String, secret: String) async throws -> String {
        let page = try await client.execute(uri: "/dashboard/sign-in", method: .get)
        let signInCookie = try #require(cookie(page, DashboardAuth.signInCookie))
        let token = try #require(formToken(page.text))
        let signedIn = try await client.execute(
            uri: "/dashboard/sign-in", method: .post, headers: headers(cookies: [signInCookie.pair], form: true),
            body: formBody([("form_token", token), ("client_id", id), ("client_secret", secret)]))
        #expect(signedIn.status == .seeOther, "\(signedIn.text)")
        return try #require(cookie(signedIn, DashboardAuth.sessionCookie)).pair
    }

    @Test func signInShowsTheOverviewAndSignOutEndsTheSession() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        try await harness.test { client in
            // Not signed in: the pages send the browser to the sign-in form.
            let anonymous = try await client.execute(uri: "/dashboard", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/dashboard/sign-in")

            let page = try await client.execute(uri: "/dashboard/sign-in", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.referrerPolicy] == "no-referrer")
            #expect(page.headers[.cacheControl] == "no-store")
            let signInCookie = try #require(Self.cookie(page, DashboardAuth.signInCookie))
            #expect(signInCookie.header.contains("HttpOnly") && signInCookie.header.contains("SameSite=Strict"))
            #expect(signInCookie.header.contains("Path=/dashboard") && !signInCookie.header.contains("Secure"))
            let token = try #require(Self.formToken(page.text))
            #expect(signInCookie.pair == "\(DashboardAuth.signInCookie)=\(token)", "the form token is the cookie's (double submit)")

            // A wrong secret, and a form without its cookie's token, sign nobody in.
            let wrong = try await client.execute(
                uri: "/dashboard/sign-in", method: .post, headers: Self.headers(cookies: [signInCookie.pair], form: true),
                body: Self.formBody([("form_token", token), ("client_id", harness.full.id), ("client_secret", "not-the-secret")]))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("No enabled API client has this id and secret."))
            #expect(Self.cookie(wrong, DashboardAuth.sessionCookie) == nil)
            let forged = try await client.execute(
                uri: "/dashboard/sign-in", method: .post, headers: Self.headers(cookies: [], form: true),
                body: Self.formBody([("form_token", token), ("client_id", harness.full.id), ("client_secret", harness.full.secret)]))
            #expect(forged.status == .forbidden)
            #expect(Self.cookie(forged, DashboardAuth.sessionCookie) == nil)

            let session = try await Self.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let overview = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session]))
            #expect(overview.status == .ok)
            let html = overview.text
            #expect(html.contains(#"<a href="/dashboard/connections/\#(harness.connectionID)">crm</a> <span class="vendor">mycrm</span>"#))
            #expect(html.contains("<tr><td>Contacts</td><td class=\"number\">25</td></tr>"), "the connection's 25 contacts")
            #expect(html.contains("<tr><td>Member</td><td class=\"number\">3</td></tr>"))
            #expect(html.contains("Healthy"))
            #expect(!html.contains(harness.full.secret), "no secret in a page")
            #expect(!html.contains(String(session.drop { $0 != "=" }.dropFirst())), "no session token in a page")

            // Sign-out needs the session's form token; then the cookie no longer signs in.
            let formToken = try #require(Self.formToken(html))
            let refused = try await client.execute(
                uri: "/dashboard/sign-out", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", "forged")]))
            #expect(refused.status == .forbidden)
            let out = try await client.execute(
                uri: "/dashboard/sign-out", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", formToken)]))
            #expect(out.status == .seeOther)
            #expect(Self.cookie(out, DashboardAuth.sessionCookie)?.header.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session]))
            #expect(after.status == .seeOther, "the old cookie signs nobody in")
        }
    }

    @Test func aLinkSignsInOnceAndARemovedClientIsSignedOut() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await HubServer.dashboardSignInToken(runtime: harness.runtime, clientID: harness.full.id)
        try await harness.test { client in
            let followed = try await client.execute(uri: "/dashboard/link?token=\(token)", method: .get)
            #expect(followed.status == .seeOther)
            #expect(followed.headers[.location] == "/dashboard", "the token leaves the address bar")
            let session = try #require(Self.cookie(followed, DashboardAuth.sessionCookie)).pair
            let again = try await client.execute(uri: "/dashboard/link?token=\(token)", method: .get)
            #expect(again.status == .unauthorized)
            #expect(again.text.contains("This sign-in link does not work"))
            for bad in ["", "short", String(repeating: "a", count: 42) + "!"] {
                let refused = try await client.execute(uri: "/dashboard/link?token=\(bad)", method: .get)
                #expect(refused.status == .unauthorized)
            }
            let signedIn = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session]))
            #expect(signedIn.status == .ok)

            // Removing the client ends its sessions at once.
            #expect(try await harness.runtime.store.deleteAPIClient(id: harness.full.id, tenant: "tenant-a"))
            let removed = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session]))
            #expect(removed.status == .seeOther)
            #expect(removed.headers[.location] == "/dashboard/sign-in")
        }
    }

    @Test func scopesBoundTheOverviewAndVendorDataIsEscaped() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let credentials = Data(#"{"username":"admin","access_key":"sandbox-access-key-1234"}"#.utf8)
        _ = try await harness.runtime.addConnection(
            tenant: "tenant-a", vendor: "mycrm", name: #"<script>alert("x")</script>"#, baseURL: "http://127.0.0.1:1", authURL: nil,
            credentials: credentials, syncIntervalSeconds: nil)
        try await harness.test { client in
            let session = try await Self.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let html = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session])).text
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "a hostile name is shown as text")
            #expect(!html.contains("<script>alert"))

            // A client that reads contacts only sees no connections.
            let reader = try await Self.signIn(client, id: harness.reader.id, secret: harness.reader.secret)
            let narrow = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [reader])).text
            #expect(narrow.contains("This client may not read connections (it lacks connections:read)."))
            #expect(!narrow.contains("crm"))

            // Another tenant's client sees only its own (none).
            let other = try await Self.signIn(client, id: harness.other.id, secret: harness.other.secret)
            let theirs = try await client.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [other])).text
            #expect(theirs.contains("No connections yet"))
            #expect(!theirs.contains(harness.connectionID))
        }
    }

    @Test func theConnectionPageShowsRunsAndItsActionsChangeTheConnection() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        for (index, status) in [SyncRun.Status.succeeded, .failed].enumerated() {
            var run = SyncRun(
                tenantID: "tenant-a", connectionID: harness.connectionID, resource: .contacts, mode: .full,
                startedAt: started.addingTimeInterval(Double(index) * 600))
            try await harness.runtime.store.startSyncRun(run)
            run.status = status
            run.finishedAt = run.startedAt.addingTimeInterval(2.5)
            run.inserted = 25
            run.pages = 1
            if status == .failed { run.error = #"the vendor answered <500> & "gave up""# }
            try await harness.runtime.store.finishSyncRun(run)
        }
        let page = "/dashboard/connections/\(harness.connectionID)"
        try await harness.test { client in
            let session = try await Self.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let shown = try await client.execute(uri: page, method: .get, headers: Self.headers(cookies: [session]))
            #expect(shown.status == .ok)
            let html = shown.text
            #expect(html.contains("<h1>crm <span class=\"vendor\">mycrm</span></h1>"))
            #expect(html.contains("Failing"), "the latest contacts run failed")
            #expect(html.contains("the vendor answered &lt;500&gt; &amp; &quot;gave up&quot;"), "the error in plain (escaped) words")
            #expect(html.contains("<td>\(Dashboard.timestamp(started))</td><td>Contacts</td><td>full</td><td>succeeded</td><td>2.5 s</td>"))
            #expect(html.contains(#"<svg class="chart""#) && html.contains("<title>25 records, 2.5 s</title>"), "the chart")
            let token = try #require(Self.formToken(html))

            // Actions need the session's form token and connections:write.
            let forged = try await client.execute(
                uri: page + "/disable", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", "forged")]))
            #expect(forged.status == .forbidden)
            #expect(try await harness.runtime.store.connection(id: harness.connectionID, tenant: "tenant-a")?.enabled == true)
            let disabled = try await client.execute(
                uri: page + "/disable", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(disabled.status == .seeOther)
            #expect(disabled.headers[.location] == page + "?done=disabled")
            #expect(try await harness.runtime.store.connection(id: harness.connectionID, tenant: "tenant-a")?.enabled == false)
            let after = try await client.execute(uri: page + "?done=disabled", method: .get, headers: Self.headers(cookies: [session]))
            #expect(after.text.contains("The connection is disabled: no syncs and no deliveries until it is enabled."))
            #expect(after.text.contains(">Enable</button>") && !after.text.contains(">Sync now</button>"))

            for (rate, expected, status) in [("2.5", 2.5, HTTPResponse.Status.seeOther), ("fast", 2.5, .badRequest), ("", nil, .seeOther)] {
                let paced = try await client.execute(
                    uri: page + "/pace", method: .post, headers: Self.headers(cookies: [session], form: true),
                    body: Self.formBody([("form_token", token), ("requests_per_second", rate)]))
                #expect(paced.status == status, "\(rate): \(paced.text)")
                let stored = try await harness.runtime.store.connection(id: harness.connectionID, tenant: "tenant-a")
                #expect(stored?.requestsPerSecond == expected, "\(rate)")
            }

            let missing = try await client.execute(
                uri: "/dashboard/connections/nope", method: .get, headers: Self.headers(cookies: [session]))
            #expect(missing.status == .notFound)

            // A client that may not read connections sees neither the page nor its actions.
            let reader = try await Self.signIn(client, id: harness.reader.id, secret: harness.reader.secret)
            let hidden = try await client.execute(uri: page, method: .get, headers: Self.headers(cookies: [reader]))
            #expect(hidden.status == .forbidden)
            #expect(hidden.text.contains("This client lacks the scope connections:read."))
        }
    }

    @Test func aDeadLetterIsShownRedactedAndRetried() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let store = harness.runtime.store
        let t0 = Date()
        let payload = Data(#"{"lead":{"Email":"ada@example.com","Password":"hunter2","nested":[{"access_key":"k-123"}]}}"#.utf8)
        _ = try await store.enqueue(
            [
                NewDelivery(
                    id: "d-dead", tenantID: "tenant-a", connectionID: harness.connectionID, kind: .leadCreate, payload: payload,
                    maxAttempts: 1),
                NewDelivery(id: "d-done", tenantID: "tenant-a", connectionID: harness.connectionID, kind: .leadCreate, payload: payload),
            ], now: t0)
        _ = try await store.claimDeliveries(owner: "w1", now: t0, leaseDuration: 60, limit: 10, connectionID: nil)
        _ = try await store.failDelivery(
            id: "d-dead", owner: "w1", error: "MyCRM refused the lead: <Email> is taken", errorCode: "vendor_validation", retryAt: nil,
            now: t0)
        _ = try await store.completeDelivery(id: "d-done", owner: "w1", remoteID: "r-1", now: t0)
        try await harness.test { client in
            let session = try await Self.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let dead = try await client.execute(
                uri: "/dashboard/deliveries?state=dead", method: .get, headers: Self.headers(cookies: [session]))
            #expect(dead.status == .ok)
            #expect(dead.text.contains(#"href="/dashboard/deliveries/d-dead""#) && !dead.text.contains("d-done"))
            #expect(dead.text.contains(#"<option value="dead" selected>dead</option>"#))
            let all = try await client.execute(uri: "/dashboard/deliveries", method: .get, headers: Self.headers(cookies: [session]))
            #expect(all.text.contains("d-dead") && all.text.contains("d-done"))
            let bad = try await client.execute(
                uri: "/dashboard/deliveries?state=lost", method: .get, headers: Self.headers(cookies: [session]))
            #expect(bad.status == .badRequest)

            let detail = try await client.execute(
                uri: "/dashboard/deliveries/d-dead", method: .get, headers: Self.headers(cookies: [session]))
            let html = detail.text
            #expect(html.contains("MyCRM refused the lead: &lt;Email&gt; is taken <code>vendor_validation</code>"))
            #expect(html.contains("ada@example.com") && html.contains("[redacted]"))
            #expect(!html.contains("hunter2") && !html.contains("k-123"), "secrets in the payload are redacted")
            #expect(html.contains(">Retry</button>"))
            let token = try #require(Self.formToken(html))
            let forged = try await client.execute(
                uri: "/dashboard/deliveries/d-dead/retry", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", "nope")]))
            #expect(forged.status == .forbidden)
            let retried = try await client.execute(
                uri: "/dashboard/deliveries/d-dead/retry", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(retried.status == .seeOther)
            #expect(retried.headers[.location] == "/dashboard/deliveries/d-dead?done=retried")
            #expect(try await store.delivery(id: "d-dead", tenant: "tenant-a")?.state == .pending)
            let again = try await client.execute(
                uri: "/dashboard/deliveries/d-done/retry", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(again.status == .conflict, "a delivered one is not retried")

            let reader = try await Self.signIn(client, id: harness.reader.id, secret: harness.reader.secret)
            let hidden = try await client.execute(uri: "/dashboard/deliveries", method: .get, headers: Self.headers(cookies: [reader]))
            #expect(hidden.status == .forbidden)
            let other = try await Self.signIn(client, id: harness.other.id, secret: harness.other.secret)
            let notTheirs = try await client.execute(
                uri: "/dashboard/deliveries/d-dead", method: .get, headers: Self.headers(cookies: [other]))
            #expect(notTheirs.status == .notFound)
        }
    }

    @Test func clientsAreCreatedWithAtMostTheCreatorsScopesAndRevoked() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let manager = try await harness.runtime.createAPIClient(
            tenant: "tenant-a", name: "manager", scopes: "clients:read clients:write contacts:read")
        try await harness.test { client in
            let full = try await Self.signIn(client, id: harness.full.id, secret: harness.full.secret)
            let page = try await client.execute(uri: "/dashboard/clients", method: .get, headers: Self.headers(cookies: [full]))
            #expect(page.status == .ok)
            #expect(page.text.contains("full (you)") && page.text.contains("reader"))
            #expect(!page.text.contains(harness.reader.secret), "secrets are never listed")
            let token = try #require(Self.formToken(page.text))
            let created = try await client.execute(
                uri: "/dashboard/clients", method: .post, headers: Self.headers(cookies: [full], form: true),
                body: Self.formBody([("form_token", token), ("name", "website"), ("scopes", "contacts:read leads:write")]))
            #expect(created.status == .created)
            let html = created.text
            let secret = try #require(
                html.range(of: #"<code class="secret-value">"#).map { String(html[$0.upperBound...].prefix { $0 != "<" }) })
            let id = try #require(
                html.range(of: "<dt>Client id</dt><dd><code>").map { String(html[$0.upperBound...].prefix { $0 != "<" }) })
            let stored = try #require(try await harness.runtime.store.apiClient(id: id))
            #expect(stored.name == "website" && Set(stored.scopes) == ["contacts:read", "leads:write"])
            #expect(!secret.isEmpty && APIClientSecret.verify(secret, hash: stored.secretHash), "the shown secret is the client's")
            let listed = try await client.execute(uri: "/dashboard/clients", method: .get, headers: Self.headers(cookies: [full]))
            #expect(listed.text.contains("website") && !listed.text.contains(secret), "shown once")

            // A client cannot grant what it lacks.
            let narrow = try await Self.signIn(client, id: manager.client.id, secret: manager.secret)
            let narrowPage = try await client.execute(uri: "/dashboard/clients", method: .get, headers: Self.headers(cookies: [narrow]))
            #expect(!narrowPage.text.contains(">Revoke</button>"), "no clients:delete, no revoke buttons")
            let narrowToken = try #require(Self.formToken(narrowPage.text))
            let wider = try await client.execute(
                uri: "/dashboard/clients", method: .post, headers: Self.headers(cookies: [narrow], form: true),
                body: Self.formBody([("form_token", narrowToken), ("name", "escalate"), ("scopes", "contacts:read *:*")]))
            #expect(wider.status == .badRequest)
            #expect(wider.text.contains("This client cannot grant scopes it lacks: *:*."))
            let junk = try await client.execute(
                uri: "/dashboard/clients", method: .post, headers: Self.headers(cookies: [narrow], form: true),
                body: Self.formBody([("form_token", narrowToken), ("name", "junk"), ("scopes", "records:read")]))
            #expect(junk.status == .badRequest)
            #expect(
                try await harness.runtime.store.listAPIClients(tenant: "tenant-a").map(\.name).sorted() == [
                    "full", "manager", "reader", "website",
                ])

            // Revoking: another client, at once; never the signed-in one.
            let revoked = try await client.execute(
                uri: "/dashboard/clients/\(id)/revoke", method: .post, headers: Self.headers(cookies: [full], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(revoked.status == .seeOther)
            #expect(try await harness.runtime.store.apiClient(id: id) == nil)
            let myself = try await client.execute(
                uri: "/dashboard/clients/\(harness.full.id)/revoke", method: .post, headers: Self.headers(cookies: [full], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(myself.status == .conflict)

            let reader = try await Self.signIn(client, id: harness.reader.id, secret: harness.reader.secret)
            let hidden = try await client.execute(uri: "/dashboard/clients", method: .get, headers: Self.headers(cookies: [reader]))
            #expect(hidden.status == .forbidden)
        }
    }

    @Test func webhooksAreSubscribedWithTheClientsScopesAndRemoved() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let narrow = try await harness.runtime.createAPIClient(
            tenant: "tenant-a", name: "hooks", scopes: "webhooks:read webhooks:write contacts:read")
        try await harness.test { client in
            let session = try await Self.signIn(client, id: narrow.client.id, secret: narrow.secret)
            let page = try await client.execute(uri: "/dashboard/webhooks", method: .get, headers: Self.headers(cookies: [session]))
            #expect(page.status == .ok)
            #expect(page.text.contains("No subscriptions yet."))
            let token = try #require(Self.formToken(page.text))
            let refused = try await client.execute(
                uri: "/dashboard/webhooks", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token), ("url", "https://hooks.example.com/x"), ("events", "delivery.dead")]))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("&quot;delivery.dead&quot; needs the deliveries:read scope, which this client lacks"))
            let local = try await client.execute(
                uri: "/dashboard/webhooks", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token), ("url", "http://127.0.0.1:9/x"), ("events", "*")]))
            #expect(local.status == .unprocessableContent, "private targets are refused by this hub")

            let created = try await client.execute(
                uri: "/dashboard/webhooks", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([
                    ("form_token", token), ("url", "https://hooks.example.com/x"), ("events", "contacts.*"), ("description", "<b>CRM</b>"),
                ]))
            #expect(created.status == .created)
            let stored = try #require(try await harness.runtime.store.listWebhooks(tenant: "tenant-a").first)
            #expect(stored.url == "https://hooks.example.com/x" && stored.events == ["contacts.*"])
            #expect(stored.clientID == narrow.client.id)
            let secrets = try await harness.runtime.store.webhookSecrets(id: stored.id, tenant: "tenant-a", now: Date())
            #expect(created.text.contains(#"<code class="secret-value">\#(try #require(secrets.first))</code>"#), "the secret, once")
            #expect(created.text.contains("&lt;b&gt;CRM&lt;/b&gt;"))
            let listed = try await client.execute(uri: "/dashboard/webhooks", method: .get, headers: Self.headers(cookies: [session]))
            #expect(!listed.text.contains(try #require(secrets.first)))

            let disabled = try await client.execute(
                uri: "/dashboard/webhooks/\(stored.id)/disable", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(disabled.status == .seeOther)
            #expect(try await harness.runtime.webhook(id: stored.id, tenant: "tenant-a").enabled == false)
            let removed = try await client.execute(
                uri: "/dashboard/webhooks/\(stored.id)/remove", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(removed.status == .seeOther)
            #expect(try await harness.runtime.store.listWebhooks(tenant: "tenant-a").isEmpty)
            let gone = try await client.execute(
                uri: "/dashboard/webhooks/\(stored.id)/remove", method: .post, headers: Self.headers(cookies: [session], form: true),
                body: Self.formBody([("form_token", token)]))
            #expect(gone.status == .notFound)

            let reader = try await Self.signIn(client, id: harness.reader.id, secret: harness.reader.secret)
            let hidden = try await client.execute(uri: "/dashboard/webhooks", method: .get, headers: Self.headers(cookies: [reader]))
            #expect(hidden.status == .forbidden)
        }
    }

    /// Two hub processes on one PostgreSQL database (two runtimes, two routers here): a session
    /// made through one signs in on the other, and removing its client through the other ends it.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func aSessionWorksAcrossProcessesOnPostgreSQL() async throws {
        try await PostgresTestDatabase.withSchemaURL { _, url in
            let key = try SecretKey.generate().encoded
            func open() async throws -> HubRuntime {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-dash-\(UUID().uuidString)")
                let configuration = HubConfiguration(
                    dataDirectory: directory.path, environment: ["REALTYHUB_SECRET_KEY": key], databaseURL: url)
                return try await HubRuntime.open(configuration, logger: Logger(label: "dashboard-test"))
            }
            let first = try await open()
            let second = try await open()
            do {
                let (client, secret) = try await first.createAPIClient(tenant: "acme", name: "ops", scopes: "*:*")
                let one = Application(router: HubAPI(runtime: first, metrics: PrometheusCollectorRegistry()).router())
                let two = Application(router: HubAPI(runtime: second, metrics: PrometheusCollectorRegistry()).router())
                let session = try await one.test(.router) { client1 in
                    try await Self.signIn(client1, id: client.id, secret: secret)
                }
                try await two.test(.router) { client2 in
                    let page = try await client2.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session]))
                    #expect(page.status == .ok, "the other process knows the session")
                    #expect(try await second.store.deleteAPIClient(id: client.id, tenant: "acme"))
                }
                try await one.test(.router) { client1 in
                    let page = try await client1.execute(uri: "/dashboard", method: .get, headers: Self.headers(cookies: [session]))
                    #expect(page.status == .seeOther, "removed through the other process: signed out here at once")
                }
            } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
            await first.shutdown()
            await second.shutdown()
        }
    }

    @Test func cookiesAreSecureBehindHTTPS() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let api = HubAPI(runtime: harness.runtime, metrics: PrometheusCollectorRegistry(), secureDashboardCookies: true)
        let app = Application(router: api.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/dashboard/sign-in", method: .get)
            #expect(Self.cookie(page, DashboardAuth.signInCookie)?.header.contains("Secure") == true)
            let session = try await Self.signIn(client, id: harness.full.id, secret: harness.full.secret)
            #expect(!session.isEmpty)
        }
    }

    @Test func everyTemplateParses() throws {
        _ = try Dashboard.templates()
    }
}
