import Foundation
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension Dashboard {
    /// The API clients page (scope `clients:read`): the tenant's clients; a form creating one
    /// (`clients:write`, never with scopes the signed-in client lacks) and revoking (`clients:delete`).
    func clientsPage(_ user: DashboardUser, created: (client: APIClient, secret: String)? = nil, error: String? = nil) async throws
        -> Response
    {
        guard user.may("clients", .read) else { throw Self.forbidden("clients:read") }
        let clients = try await runtime.store.listAPIClients(tenant: user.tenantID)
        var context: [String: Any] = [
            "formToken": user.formToken, "mayCreate": user.may("clients", .write),
            "clients": clients.map { client -> [String: Any] in
                [
                    "id": client.id, "name": client.name, "scopes": client.scopes.joined(separator: " "),
                    "enabled": client.enabled, "created": Self.timestamp(client.createdAt), "isMe": client.id == user.clientID,
                    "mayRevoke": user.may("clients", .delete) && client.id != user.clientID,
                ]
            },
        ]
        if let created {
            context["created"] = ["id": created.client.id, "name": created.client.name, "secret": created.secret]
        }
        if let error { context["error"] = error }
        return render(
            "clients", title: "API clients", user: user, context: context,
            status: error == nil ? (created == nil ? .ok : .created) : .badRequest)
    }

    /// `POST /dashboard/clients`: creates a client and shows its secret this once.
    func createClient(_ request: Request, context: HubRequestContext, user: DashboardUser) async throws -> Response {
        let form = try await Self.checkedForm(request, context: context, user: user)
        guard user.may("clients", .write) else { throw Self.forbidden("clients:write") }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let scopesText = form["scopes"] ?? ""
        let requested: ScopeSet
        do {
            requested = try ScopeSet(parsing: scopesText)
        } catch let error as HubError {
            return try await clientsPage(user, error: error.message)
        }
        // A client never hands out more than it holds.
        let held = user.scopes.narrowed(to: requested)
        guard held.grants == requested.grants else {
            let missing = requested.grants.subtracting(held.grants).sorted().joined(separator: " ")
            return try await clientsPage(user, error: "This client cannot grant scopes it lacks: \(missing).")
        }
        do {
            let created = try await runtime.createAPIClient(tenant: user.tenantID, name: name, scopes: scopesText)
            return try await clientsPage(user, created: created)
        } catch let error as HubError {
            return try await clientsPage(user, error: error.message)
        }
    }

    /// `POST /dashboard/clients/{id}/revoke`: removes a client; its tokens and sessions stop
    /// working at once. The signed-in client cannot revoke itself here.
    func revokeClient(_ request: Request, context: HubRequestContext, id: String, user: DashboardUser) async throws -> Response {
        _ = try await Self.checkedForm(request, context: context, user: user)
        guard user.may("clients", .delete) else { throw Self.forbidden("clients:delete") }
        guard id != user.clientID else {
            throw DashboardRefusal(
                status: .conflict, heading: "Not revoked",
                text: "You are signed in as this client; revoke it with another client or the CLI.")
        }
        guard try await runtime.store.deleteAPIClient(id: id, tenant: user.tenantID) else {
            throw DashboardRefusal(status: .notFound, heading: "No such client", text: "This tenant has no API client \(id).")
        }
        return Self.redirect("/dashboard/clients")
    }
}
