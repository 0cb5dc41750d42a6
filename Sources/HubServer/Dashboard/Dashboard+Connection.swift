import ConnectorKit
import Foundation
import HubOperations
import HubStore
import Hummingbird
import Logging
import RealtyModel

extension Dashboard {
    /// What the connection page's actions did, by the `done` query parameter of the redirect
    /// after them (fixed texts: nothing a request sends is echoed back).
    static let connectionNotices: [String: String] = [
        "tested": "The vendor accepted the connection's credentials.",
        "sync-started": "A sync of every readable resource started; its runs appear below as they finish.",
        "sync-running": "A sync started from the dashboard or the API is still running.",
        "enabled": "The connection is enabled: the scheduler syncs it again and deliveries go out.",
        "disabled": "The connection is disabled: no syncs and no deliveries until it is enabled.",
        "paced": "The connection's request rate is saved.",
    ]

    /// The connection page: its resources and how each stands (in plain words), its sync runs
    /// as a table and a chart, and the actions the client's scopes allow.
    func connectionPage(_ request: Request, id: String, user: DashboardUser) async throws -> Response {
        guard user.may("connections", .read) else { throw Self.forbidden("connections:read") }
        guard let connection = try await runtime.store.connection(id: id, tenant: user.tenantID) else {
            throw DashboardRefusal(status: .notFound, heading: "No such connection", text: "This tenant has no connection \(id).")
        }
        let (states, state, label, reason) = await standing(of: connection)
        let runs = try await runtime.store.listSyncRuns(tenant: user.tenantID, connectionID: connection.id, limit: 100)
        var context: [String: Any] = [
            "id": connection.id, "name": connection.name, "vendor": connection.vendor, "baseURL": connection.baseURL,
            "stateClass": state, "stateLabel": label, "enabled": connection.enabled, "formToken": user.formToken,
            "mayWrite": user.may("connections", .write),
            "rate": connection.requestsPerSecond.map { String($0) } ?? "",
            "interval": connection.syncIntervalSeconds.map { "every \($0) s" } ?? "manual only",
        ]
        if let reason { context["stateReason"] = reason }
        context["resources"] = states.map { state -> [String: Any] in
            var row: [String: Any] = [
                "resource": state.resource.rawValue, "availability": Self.availability(state.availability),
                "availabilityClass": state.availability.rawValue, "lastSync": Self.timestamp(state.lastSyncedAt),
                "nextSync": state.nextDueAt.map { Self.timestamp($0) } ?? "—", "running": state.running,
            ]
            if let reason = state.reason { row["reason"] = reason }
            return row
        }
        context["runs"] = runs.prefix(50).map { run -> [String: Any] in
            var row: [String: Any] = [
                "resource": run.resource.rawValue, "mode": run.mode.rawValue, "status": run.status.rawValue,
                "started": Self.timestamp(run.startedAt),
                "duration": run.finishedAt.map { Self.duration($0.timeIntervalSince(run.startedAt)) } ?? "running",
                "inserted": run.inserted, "updated": run.updated, "unchanged": run.unchanged, "deleted": run.deleted,
                "pages": run.pages,
            ]
            if let error = run.error ?? run.skipped { row["error"] = error }
            return row
        }
        context["hasRuns"] = !runs.isEmpty
        context["chart"] = SyncRunChart.svg(runs)
        let done = request.uri.queryParameters["done"].map(String.init)
        return render(
            "connection", title: connection.name, user: user, context: context, notice: done.flatMap { Self.connectionNotices[$0] })
    }

    /// `POST /dashboard/connections/{id}/{action}`: test, sync, enable, disable, pace.
    func connectionAction(_ request: Request, context: HubRequestContext, id: String, action: String, user: DashboardUser)
        async throws -> Response
    {
        let form = try await Self.checkedForm(request, context: context, user: user)
        guard user.may("connections", .write) else { throw Self.forbidden("connections:write") }
        guard let connection = try await runtime.store.connection(id: id, tenant: user.tenantID) else {
            throw DashboardRefusal(status: .notFound, heading: "No such connection", text: "This tenant has no connection \(id).")
        }
        let page = "/dashboard/connections/\(connection.id)"
        switch action {
        case "test":
            do {
                _ = try await runtime.testConnection(connection)
            } catch let error as ConnectorError {
                throw DashboardRefusal(
                    status: .badGateway, heading: "The connection test failed", text: APIError(from: error).message)
            }
            return Self.redirect(page + "?done=tested")
        case "sync":
            guard connection.enabled else {
                throw DashboardRefusal(status: .conflict, heading: "The connection is disabled", text: "Enable it to sync.")
            }
            let runtime = self.runtime
            let started = await syncs.start(connectionID: connection.id) {
                do {
                    _ = try await runtime.sync(tenant: connection.tenantID, connections: [connection], resource: nil, full: false)
                } catch {
                    runtime.logger.warning(
                        "dashboard-started sync failed", metadata: ["hub.connection.id": "\(connection.id)", "hub.error": "\(error)"])
                }
            }
            return Self.redirect(page + (started ? "?done=sync-started" : "?done=sync-running"))
        case "enable", "disable":
            let enabled = action == "enable"
            _ = try await runtime.updateConnection(
                connection.id, tenant: user.tenantID, changes: ConnectionChanges(enabled: enabled))
            return Self.redirect(page + (enabled ? "?done=enabled" : "?done=disabled"))
        case "pace":
            var changes = ConnectionChanges()
            let text = (form["requests_per_second"] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                changes.requestsPerSecond = .some(nil)
            } else {
                guard let rate = Double(text), rate.isFinite, rate >= 0, rate <= 10_000 else {
                    throw DashboardRefusal(
                        status: .badRequest, heading: "Not a request rate",
                        text: "Give requests per second as a number from 0 (unpaced) to 10,000, or leave it empty for the vendor's default."
                    )
                }
                changes.requestsPerSecond = .some(rate)
            }
            _ = try await runtime.updateConnection(connection.id, tenant: user.tenantID, changes: changes)
            return Self.redirect(page + "?done=paced")
        default:
            throw DashboardRefusal(status: .notFound, heading: "No such action", text: "The connection page has no action \(action).")
        }
    }

    static func availability(_ availability: ResourceState.Availability) -> String {
        switch availability {
        case .notSynced: return "Not synced yet"
        case .available: return "Available"
        case .partial: return "Partly available"
        case .unavailable: return "Not available on this connection"
        case .failing: return "Failing"
        case .budgetExhausted: return "Waiting for the daily request budget"
        }
    }

    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int((seconds * 1_000).rounded())) ms" }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        return "\(Int(seconds / 60)) min \(Int(seconds.truncatingRemainder(dividingBy: 60))) s"
    }

    static func forbidden(_ scope: String) -> DashboardRefusal {
        DashboardRefusal(status: .forbidden, heading: "Not allowed", text: "This client lacks the scope \(scope).")
    }
}

/// The inline SVG chart of a connection's sync runs: records read (bars) and duration (a line)
/// over time, oldest left. Built from numbers and fixed words only, so it is inserted unescaped.
enum SyncRunChart {
    static let width = 640.0
    static let height = 180.0
    static let margin = 28.0

    static func svg(_ runs: [SyncRun]) -> String {
        let finished = runs.filter { $0.finishedAt != nil }.sorted { $0.startedAt < $1.startedAt }.suffix(40)
        guard !finished.isEmpty else { return "" }
        let records = finished.map { Double($0.inserted + $0.updated + $0.unchanged + $0.deleted) }
        let durations = finished.map { ($0.finishedAt ?? $0.startedAt).timeIntervalSince($0.startedAt) }
        let maxRecords = max(records.max() ?? 1, 1)
        let maxDuration = max(durations.max() ?? 1, 0.001)
        let plotWidth = width - 2 * margin
        let plotHeight = height - 2 * margin
        let step = plotWidth / Double(finished.count)
        var parts: [String] = []
        parts.append(
            #"<svg class="chart" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="Records read and duration of the last \#(finished.count) sync runs" xmlns="http://www.w3.org/2000/svg">"#
        )
        parts.append(
            #"<line x1="\#(margin)" y1="\#(height - margin)" x2="\#(width - margin)" y2="\#(height - margin)" class="axis"/>"#)
        var points: [String] = []
        for (index, run) in finished.enumerated() {
            let x = margin + Double(index) * step
            let barHeight = plotHeight * records[index] / maxRecords
            let failed = run.status == .failed ? " failed" : ""
            parts.append(
                String(
                    format: #"<rect class="bar%@" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%d records, %@</title></rect>"#,
                    failed, x + step * 0.1, height - margin - barHeight, step * 0.8, barHeight, Int(records[index]),
                    Dashboard.duration(durations[index])))
            points.append(String(format: "%.1f,%.1f", x + step / 2, height - margin - plotHeight * durations[index] / maxDuration))
        }
        parts.append(#"<polyline class="duration" points="\#(points.joined(separator: " "))"/>"#)
        parts.append(#"<text x="\#(margin)" y="16" class="legend">records (bars, up to \#(Int(maxRecords)))</text>"#)
        parts.append(
            #"<text x="\#(width - margin)" y="16" class="legend" text-anchor="end">duration (line, up to \#(Dashboard.duration(maxDuration)))</text>"#
        )
        parts.append("</svg>")
        return parts.joined()
    }
}
