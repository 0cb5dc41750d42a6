import ConnectorKit
import Foundation
import HubOperations
import HubStore
import Prometheus

/// The daily request budgets as Prometheus gauges, refreshed from the store each time
/// `/metrics` is read, so they count every process sharing the store (a process's own counters
/// would see only its own requests). One series per connection with a budget, labelled
/// `hub_connection_id` and `hub_vendor`, over every tenant (like the other metrics, `/metrics`
/// describes the whole hub):
/// - `realtyhub_request_budget_limit_requests`: requests allowed today;
/// - `realtyhub_request_budget_used_requests`: requests made today;
/// - `realtyhub_request_budget_reserved_requests`: requests kept for deliveries;
/// - `realtyhub_request_budget_remaining_requests`: requests left today (for deliveries);
/// - `realtyhub_request_budget_pull_remaining_requests`: requests left today for pulls;
/// - `realtyhub_request_budget_reset_timestamp_seconds`: when the count starts again (Unix time).
enum RequestBudgetMetrics {
    static let gauges: [(name: String, unit: String, help: String, value: @Sendable (RequestBudget.Usage) -> Double)] = [
        ("request_budget_limit", "requests", "Vendor requests allowed today on the connection", { Double($0.dailyLimit) }),
        ("request_budget_used", "requests", "Vendor requests made today on the connection, every hub process", { Double($0.used) }),
        ("request_budget_reserved", "requests", "Requests of the daily budget kept for deliveries", { Double($0.reserved) }),
        ("request_budget_remaining", "requests", "Requests left today for deliveries", { Double($0.remaining) }),
        ("request_budget_pull_remaining", "requests", "Requests left today for pulls (down to the reserve)", { Double($0.pullRemaining) }),
        (
            "request_budget_reset", "timestamp_seconds", "When the daily request budget resets (Unix time)",
            { $0.resetsAt.timeIntervalSince1970 }
        ),
    ]

    /// Sets the gauges of every connection with a daily budget.
    static func refresh(_ registry: PrometheusCollectorRegistry, runtime: HubRuntime) async throws {
        for connection in try await runtime.store.listConnections(tenant: nil) {
            guard let usage = try await runtime.requestBudget(for: connection) else { continue }
            let labels = [("hub_connection_id", connection.id), ("hub_vendor", connection.vendor)]
            for gauge in gauges {
                let descriptor = MetricNameDescriptor(
                    namespace: "realtyhub", metricName: gauge.name, unitName: gauge.unit, helpText: gauge.help)
                registry.makeGauge(descriptor: descriptor, labels: labels).set(to: gauge.value(usage))
            }
        }
    }
}
