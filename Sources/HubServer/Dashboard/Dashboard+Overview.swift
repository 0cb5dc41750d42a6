import ConnectorKit
import Foundation
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension Dashboard {
    /// The overview: each connection with its vendor, its state, its last and next sync, the
    /// records it brought per resource, today's requests against its budget and its open dead
    /// letters, each part shown only when the client's scopes read it.
    func overview(_ user: DashboardUser) async throws -> Response {
        let mayReadConnections = user.may("connections", .read)
        var connections: [[String: Any]] = []
        if mayReadConnections {
            // Every connection's counts in one read (maintained counts on SQLite).
            let counts = Dictionary(grouping: try await runtime.store.liveRecordCounts(tenant: user.tenantID), by: \.connectionID)
            for connection in try await runtime.store.listConnections(tenant: user.tenantID) {
                connections.append(try await card(connection, counts: counts[connection.id] ?? [], user: user))
            }
        }
        return render(
            "overview", title: "Connections", user: user,
            context: ["mayReadConnections": mayReadConnections, "connections": connections])
    }

    /// One connection's card, with its live record counts.
    func card(_ connection: Connection, counts live: [LiveRecordCount], user: DashboardUser) async throws -> [String: Any] {
        var card: [String: Any] = ["id": connection.id, "name": connection.name, "vendor": connection.vendor]
        let (states, state, label, reason) = await standing(of: connection)
        card["stateClass"] = state
        card["stateLabel"] = label
        if let reason { card["stateReason"] = reason }
        card["lastSync"] = Self.timestamp(states.compactMap(\.lastSyncedAt).max())
        card["nextSync"] =
            connection.enabled
            ? (states.compactMap(\.nextDueAt).min().map { Self.timestamp($0) } ?? "manual only") : "disabled"
        if let usage = try await runtime.requestBudget(for: connection) {
            card["budget"] = "\(usage.used) of \(usage.dailyLimit)"
        } else {
            card["budget"] = "no daily budget"
        }
        if user.may("deliveries", .read) {
            let dead = try await runtime.store.listDeliveries(
                tenant: user.tenantID, filter: DeliveryFilter(state: .dead, connectionID: connection.id, limit: 1_000))
            card["mayReadDeliveries"] = true
            card["hasDeadLetters"] = !dead.isEmpty
            card["deadLetters"] = dead.count >= 1_000 ? "1,000+" : String(dead.count)
        }
        var counts: [[String: Any]] = []
        for resource in ResourceName.apiResources where user.may(resource.pathName, .read) {
            if let count = live.first(where: { $0.resource == resource }), count.live > 0 {
                counts.append(["resource": resource.rawValue, "count": count.live])
            }
        }
        card["counts"] = counts
        card["hasCounts"] = !counts.isEmpty
        return card
    }

    /// How a connection stands: its resources' states and its overall state, label and reason.
    /// When no connector can be built (no credentials, an unknown vendor) it is failing, and the
    /// reason says why.
    func standing(of connection: Connection) async -> (states: [ResourceState], state: String, label: String, reason: String?) {
        var states: [ResourceState] = []
        var stateError: String?
        do {
            states = try await runtime.resourceStates(of: connection)
        } catch {
            stateError = "\(error)"
        }
        let (state, label, reason) = Self.state(of: connection, states: states, error: stateError)
        return (states, state, label, reason)
    }

    /// The card's state: disabled; failing (a resource's latest run failed, or no connector can
    /// be built); resources not available (none readable); healthy otherwise (never synced
    /// counts as healthy until a run says otherwise).
    static func state(of connection: Connection, states: [ResourceState], error: String?) -> (String, String, String?) {
        if !connection.enabled { return ("disabled", "Disabled", nil) }
        if let error { return ("failing", "Failing", error) }
        if let failing = states.first(where: { $0.availability == .failing }) {
            return ("failing", "Failing", "\(failing.resource.rawValue): \(failing.reason ?? "the last sync failed")")
        }
        if !states.isEmpty, states.allSatisfy({ $0.availability == .unavailable }) {
            return ("unavailable", "Resources not available", states.first?.reason)
        }
        if let exhausted = states.first(where: { $0.availability == .budgetExhausted }) {
            return ("unavailable", "Daily request budget spent", exhausted.reason)
        }
        return ("healthy", "Healthy", nil)
    }
}
