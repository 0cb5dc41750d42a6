import Foundation
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension Dashboard {
    /// The webhooks page (scope `webhooks:read`): the tenant's subscriptions and where each
    /// stands; create one (its secret shown once), enable, disable or remove (`webhooks:write`).
    func webhooksPage(_ user: DashboardUser, created: (WebhookSubscription, String)? = nil, error: String? = nil) async throws
        -> Response
    {
        guard user.may("webhooks", .read) else { throw Self.forbidden("webhooks:read") }
        let subscriptions = try await runtime.store.listWebhooks(tenant: user.tenantID)
        var rows: [[String: Any]] = []
        for subscription in subscriptions {
            let letters = try await runtime.store.webhookDeadLetters(id: subscription.id, tenant: user.tenantID)
            var row: [String: Any] = [
                "id": subscription.id, "url": subscription.url, "events": subscription.events.joined(separator: " "),
                "enabled": subscription.enabled, "lastSequence": subscription.cursor, "deadLetters": letters.count,
                "hasDeadLetters": !letters.isEmpty,
            ]
            if let reason = subscription.disabledReason { row["disabledReason"] = reason }
            if let error = subscription.lastError { row["lastError"] = "\(error) (\(subscription.attempts) attempts)" }
            if let description = subscription.description { row["description"] = description }
            rows.append(row)
        }
        var context: [String: Any] = [
            "formToken": user.formToken, "mayWrite": user.may("webhooks", .write), "webhooks": rows, "hasWebhooks": !rows.isEmpty,
        ]
        if let (subscription, secret) = created { context["created"] = ["id": subscription.id, "secret": secret] }
        if let error { context["error"] = error }
        return render(
            "webhooks", title: "Webhooks", user: user, context: context,
            status: error == nil ? (created == nil ? .ok : .created) : .unprocessableContent)
    }

    /// `POST /dashboard/webhooks`: subscribes a URL (checked as through the API: its target,
    /// and the event types against the signed-in client's read scopes).
    func createWebhook(_ request: Request, context: HubRequestContext, user: DashboardUser) async throws -> Response {
        let form = try await Self.checkedForm(request, context: context, user: user)
        guard user.may("webhooks", .write) else { throw Self.forbidden("webhooks:write") }
        let events = (form["events"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let description = (form["description"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let created = try await runtime.createWebhook(
                tenant: user.tenantID, creator: WebhookCreator(clientID: user.clientID, scopes: user.scopes),
                url: (form["url"] ?? "").trimmingCharacters(in: .whitespaces), events: events,
                description: description.isEmpty ? nil : description, allowPrivateTargets: runtime.allowPrivateWebhookTargets)
            return try await webhooksPage(user, created: created)
        } catch let error as HubError {
            let details = error.details.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return try await webhooksPage(user, error: details.isEmpty ? error.message : "\(error.message): \(details)")
        }
    }

    /// `POST /dashboard/webhooks/{id}/{enable|disable|remove}`.
    func webhookAction(_ request: Request, context: HubRequestContext, id: String, action: String, user: DashboardUser)
        async throws -> Response
    {
        _ = try await Self.checkedForm(request, context: context, user: user)
        guard user.may("webhooks", .write) else { throw Self.forbidden("webhooks:write") }
        do {
            switch action {
            case "enable", "disable":
                _ = try await runtime.updateWebhook(
                    id: id, tenant: user.tenantID, creator: WebhookCreator(clientID: user.clientID, scopes: user.scopes),
                    change: WebhookChange(enabled: action == "enable"), allowPrivateTargets: runtime.allowPrivateWebhookTargets)
            case "remove":
                try await runtime.deleteWebhook(id: id, tenant: user.tenantID)
            default:
                throw DashboardRefusal(status: .notFound, heading: "No such action", text: "Webhooks have no action \(action).")
            }
        } catch let error as HubError where error.code == .notFound {
            throw DashboardRefusal(status: .notFound, heading: "No such webhook", text: "This tenant has no webhook \(id).")
        } catch let error as HubError {
            let details = error.details.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            throw DashboardRefusal(status: .unprocessableContent, heading: "Not changed", text: "\(error.message) \(details)")
        }
        return Self.redirect("/dashboard/webhooks")
    }
}
