import ConnectorKit
import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import Logging
import Mustache
import NIOCore
import RealtyModel

/// The operator dashboard under `/dashboard`: server-rendered HTML over the runtime, signed in
/// with an API client (see ``DashboardAuth``) whose scopes bound what is shown and possible.
///
/// Every page answers HTML, never the API's JSON errors: a page that fails says so in plain
/// words (and logs why). Pages are not cached and not framed, and send no referrer (a sign-in
/// link's token never leaves in a `Referer`).
struct Dashboard: Sendable {
    let runtime: HubRuntime
    let auth: DashboardAuth
    let library: MustacheLibrary
    /// Syncs started from the dashboard or the API (one per connection at a time).
    let syncs: BackgroundSyncs

    init(runtime: HubRuntime, secureCookies: Bool, syncs: BackgroundSyncs) {
        self.runtime = runtime
        self.syncs = syncs
        auth = DashboardAuth(store: runtime.store, secureCookies: secureCookies)
        do {
            library = try Self.templates()
        } catch {
            // The templates are constants of the binary, and a test parses each one.
            runtime.logger.critical("a dashboard template does not parse", metadata: ["hub.error": "\(error)"])
            library = MustacheLibrary()
        }
    }

    /// The templates, parsed.
    static func templates() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in DashboardTemplates.all { try library.register(text, named: name) }
        return library
    }

    func addRoutes(to router: Router<HubRequestContext>) {
        let dashboard = self
        router.get("/dashboard/assets/app.css") { _, _ in
            Self.asset(DashboardAssets.css, type: "text/css; charset=utf-8")
        }
        router.get("/dashboard/assets/app.js") { _, _ in
            Self.asset(DashboardAssets.javascript, type: "text/javascript; charset=utf-8")
        }
        router.get("/dashboard/sign-in") { request, context in
            await dashboard.guarded(request, context) { try await dashboard.signInPage(request) }
        }
        router.post("/dashboard/sign-in") { request, context in
            await dashboard.guarded(request, context) { try await dashboard.signIn(request, context: context) }
        }
        router.get("/dashboard/link") { request, context in
            await dashboard.guarded(request, context) { try await dashboard.followLink(request) }
        }
        router.post("/dashboard/sign-out") { request, context in
            await dashboard.guarded(request, context) { try await dashboard.signOut(request, context: context) }
        }
        router.get("/dashboard") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.overview(user) }
        }
        router.get("/dashboard/connections/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await dashboard.page(request, context) { user in try await dashboard.connectionPage(request, id: id, user: user) }
        }
        router.get("/dashboard/deliveries") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.deliveriesPage(request, user: user) }
        }
        router.get("/dashboard/deliveries/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await dashboard.page(request, context) { user in try await dashboard.deliveryPage(request, id: id, user: user) }
        }
        router.post("/dashboard/deliveries/:id/retry") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await dashboard.page(request, context) { user in
                try await dashboard.retryDelivery(request, context: context, id: id, user: user)
            }
        }
        router.get("/dashboard/records") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.recordsPage(request, user: user) }
        }
        router.get("/dashboard/records/:resource/:key") { request, context in
            let resource = context.parameters.get("resource") ?? ""
            let key = context.parameters.get("key") ?? ""
            return await dashboard.page(request, context) { user in try await dashboard.recordPage(resource: resource, key: key, user: user)
            }
        }
        router.get("/dashboard/clients") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.clientsPage(user) }
        }
        router.post("/dashboard/clients") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.createClient(request, context: context, user: user) }
        }
        router.post("/dashboard/clients/:id/revoke") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await dashboard.page(request, context) { user in
                try await dashboard.revokeClient(request, context: context, id: id, user: user)
            }
        }
        router.get("/dashboard/webhooks") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.webhooksPage(user) }
        }
        router.post("/dashboard/webhooks") { request, context in
            await dashboard.page(request, context) { user in try await dashboard.createWebhook(request, context: context, user: user) }
        }
        router.post("/dashboard/webhooks/:id/:action") { request, context in
            let id = context.parameters.get("id") ?? ""
            let action = context.parameters.get("action") ?? ""
            return await dashboard.page(request, context) { user in
                try await dashboard.webhookAction(request, context: context, id: id, action: action, user: user)
            }
        }
        router.post("/dashboard/connections/:id/:action") { request, context in
            let id = context.parameters.get("id") ?? ""
            let action = context.parameters.get("action") ?? ""
            return await dashboard.page(request, context) { user in
                try await dashboard.connectionAction(request, context: context, id: id, action: action, user: user)
            }
        }
    }

    // MARK: - Sign-in

    func signInPage(_ request: Request, error: String? = nil, clientID: String = "", status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        if error == nil, try await auth.user(of: request) != nil { return Self.redirect("/dashboard") }
        let token = DashboardToken.generate()
        var context: [String: Any] = ["formToken": token, "clientID": clientID]
        if let error { context["error"] = error }
        var response = render("signIn", title: "Sign in", user: nil, context: context, status: status)
        response.setCookie(auth.signInCookie(token))
        return response
    }

    func signIn(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        guard let expected = request.cookies[DashboardAuth.signInCookie]?.value,
            DashboardAuth.formTokenMatches(form["form_token"], expected)
        else {
            return try await signInPage(
                request, error: "The sign-in form expired or did not come from this page; please try again.", status: .forbidden)
        }
        let clientID = (form["client_id"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let signedIn = try await auth.signIn(clientID: clientID, secret: form["client_secret"] ?? "") else {
            return try await signInPage(
                request, error: "No enabled API client has this id and secret.", clientID: clientID, status: .unauthorized)
        }
        var response = Self.redirect("/dashboard")
        response.setCookie(auth.sessionCookie(signedIn.token))
        response.setCookie(auth.signInCookie(nil))
        return response
    }

    /// `/dashboard/link?token=...`: a one-time link signs in, then redirects to a URL without
    /// the token.
    func followLink(_ request: Request) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard let signedIn = try await auth.exchange(linkToken: token) else {
            return message(
                "This sign-in link does not work",
                "It was used already, has expired, or its API client is gone. Sign in with the client's id and secret, or ask for a new link.",
                user: nil, status: .unauthorized)
        }
        var response = Self.redirect("/dashboard")
        response.setCookie(auth.sessionCookie(signedIn.token))
        return response
    }

    func signOut(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        if let user = try await auth.user(of: request) {
            guard DashboardAuth.formTokenMatches(form["form_token"], user.formToken) else {
                return message("That form expired", "Reload the page and try again.", user: user, status: .forbidden)
            }
            try await auth.signOut(request)
        }
        var response = Self.redirect("/dashboard/sign-in")
        response.setCookie(auth.sessionCookie(nil))
        return response
    }

    // MARK: - Running pages

    /// Runs a page that needs a signed-in user: without one, a GET goes to the sign-in page and
    /// anything else is refused.
    func page(
        _ request: Request, _ context: HubRequestContext, _ body: @escaping @Sendable (DashboardUser) async throws -> Response
    ) async -> Response {
        await guarded(request, context) {
            guard let user = try await auth.user(of: request) else {
                if request.method == .get || request.method == .head { return Self.redirect("/dashboard/sign-in") }
                return message("Signed out", "Your session ended; sign in again.", user: nil, status: .forbidden)
            }
            do {
                return try await body(user)
            } catch let refusal as DashboardRefusal {
                return message(refusal.heading, refusal.text, user: user, status: refusal.status)
            }
        }
    }

    /// Runs `body`, turning a failure into a page that says so (the cause goes to the log).
    func guarded(_ request: Request, _ context: HubRequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as DashboardRefusal {
            return message(error.heading, error.text, user: nil, status: error.status)
        } catch {
            context.logger.error(
                "dashboard page failed", metadata: ["hub.error": "\(String(describing: error))", "hub.path": "\(request.uri.path)"])
            return message(
                "Something went wrong", "The hub could not show this page; the server log says why.", user: nil,
                status: .internalServerError)
        }
    }

    // MARK: - Rendering

    /// A page: `template` rendered with `context`, inside the layout.
    func render(
        _ template: String, title: String, user: DashboardUser?, context: [String: Any], notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let body = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body]
        if let user {
            layout["user"] = [
                "formToken": user.formToken, "clientName": user.clientName, "tenantID": user.tenantID,
                "mayReadRecords": !Self.readableResources(user).isEmpty,
            ]
        }
        if let notice { layout["notice"] = notice }
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func message(_ heading: String, _ text: String, user: DashboardUser?, status: HTTPResponse.Status) -> Response {
        render("message", title: heading, user: user, context: ["heading": heading, "text": text], status: status)
    }

    static let securityHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        return headers
    }()

    static func redirect(_ location: String) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=3600"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A submitted form (`application/x-www-form-urlencoded`, single-valued fields).
    static func form(_ request: Request, context: HubRequestContext) async throws -> [String: String] {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw DashboardRefusal(status: .unsupportedMediaType, heading: "Not a form", text: "Send the page's form.")
        }
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        do {
            return try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: buffer))
        } catch {
            throw DashboardRefusal(status: .badRequest, heading: "Not a form", text: "The form's fields could not be read.")
        }
    }

    /// A signed-in user's submitted form, refused (403) without the session's form token: what
    /// every POST handler behind ``page(_:_:_:)`` reads first.
    static func checkedForm(_ request: Request, context: HubRequestContext, user: DashboardUser) async throws -> [String: String] {
        let form = try await form(request, context: context)
        guard DashboardAuth.formTokenMatches(form["form_token"], user.formToken) else {
            throw DashboardRefusal(status: .forbidden, heading: "That form expired", text: "Reload the page and try again.")
        }
        return form
    }

    /// `2026-12-05 05:32:34 UTC` (whole seconds).
    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "—" }
        let text = Timestamp.format(date)
        let seconds = text.firstIndex(of: ".").map { text[..<$0] } ?? text.dropLast()
        return seconds.replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}

/// A request the dashboard refuses, with what to show.
struct DashboardRefusal: Error {
    var status: HTTPResponse.Status
    var heading: String
    var text: String
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
