import Foundation
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension Dashboard {
    /// The deliveries page: the outbox newest first, filtered by state and connection.
    func deliveriesPage(_ request: Request, user: DashboardUser) async throws -> Response {
        guard user.may("deliveries", .read) else { throw Self.forbidden("deliveries:read") }
        let stateText = request.uri.queryParameters["state"].map(String.init) ?? ""
        let connectionID = request.uri.queryParameters["connection"].map(String.init) ?? ""
        var state: DeliveryState?
        if !stateText.isEmpty {
            guard let parsed = DeliveryState(rawValue: stateText) else {
                throw DashboardRefusal(status: .badRequest, heading: "No such state", text: "Deliveries have no state \(stateText).")
            }
            state = parsed
        }
        let connections = user.may("connections", .read) ? try await runtime.store.listConnections(tenant: user.tenantID) : []
        let names = Dictionary(connections.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let deliveries = try await runtime.store.listDeliveries(
            tenant: user.tenantID,
            filter: DeliveryFilter(state: state, connectionID: connectionID.isEmpty ? nil : connectionID, limit: 200))
        let context: [String: Any] = [
            "states": DeliveryState.allCases.map { ["value": $0.rawValue, "selected": $0 == state] },
            "connections": connections.map { ["value": $0.id, "name": $0.name, "selected": $0.id == connectionID] },
            "deliveries": deliveries.map { delivery -> [String: Any] in
                var row: [String: Any] = [
                    "id": delivery.id, "kind": delivery.kind.rawValue, "state": delivery.state.rawValue,
                    "connection": names[delivery.connectionID] ?? delivery.connectionID,
                    "attempts": "\(delivery.attempts) of \(delivery.maxAttempts)", "created": Self.timestamp(delivery.createdAt),
                ]
                if let error = delivery.lastError { row["error"] = error }
                return row
            },
            "hasDeliveries": !deliveries.isEmpty, "more": deliveries.count == 200,
        ]
        return render("deliveries", title: "Deliveries", user: user, context: context)
    }

    /// One delivery: why it stands where it does, its attempts, its payload with secrets
    /// redacted, and a retry for a dead or conflicting one.
    func deliveryPage(_ request: Request, id: String, user: DashboardUser) async throws -> Response {
        guard user.may("deliveries", .read) else { throw Self.forbidden("deliveries:read") }
        guard let delivery = try await runtime.store.delivery(id: id, tenant: user.tenantID) else {
            throw DashboardRefusal(status: .notFound, heading: "No such delivery", text: "This tenant has no delivery \(id).")
        }
        let connection = try await runtime.store.connection(id: delivery.connectionID, tenant: user.tenantID)
        var context: [String: Any] = [
            "id": delivery.id, "kind": delivery.kind.rawValue, "state": delivery.state.rawValue,
            "connectionID": delivery.connectionID, "connection": connection?.name ?? delivery.connectionID,
            "attempts": delivery.attempts, "maxAttempts": delivery.maxAttempts, "created": Self.timestamp(delivery.createdAt),
            "updated": Self.timestamp(delivery.updatedAt), "formToken": user.formToken,
            "payload": Self.redactedPayload(delivery.payload),
            "mayRetry": user.may("deliveries", .write) && (delivery.state == .dead || delivery.state == .conflict),
            "conflict": delivery.state == .conflict,
        ]
        if let next = delivery.nextAttemptAt { context["nextAttempt"] = Self.timestamp(next) }
        if let completed = delivery.completedAt { context["completed"] = Self.timestamp(completed) }
        if let error = delivery.lastError { context["error"] = error }
        if let code = delivery.errorCode { context["errorCode"] = code }
        if let remote = delivery.remoteID { context["remoteID"] = remote }
        if let key = delivery.recordKey { context["recordKey"] = key }
        let notice = request.uri.queryParameters["done"] == "retried" ? "The delivery is pending again; a worker sends it next." : nil
        return render("delivery", title: "Delivery \(delivery.id)", user: user, context: context, notice: notice)
    }

    /// `POST /dashboard/deliveries/{id}/retry`: a dead or conflicting delivery goes out again
    /// (`force` sends a conflicting update anyway).
    func retryDelivery(_ request: Request, context: HubRequestContext, id: String, user: DashboardUser) async throws -> Response {
        let form = try await Self.checkedForm(request, context: context, user: user)
        guard user.may("deliveries", .write) else { throw Self.forbidden("deliveries:write") }
        guard try await runtime.store.delivery(id: id, tenant: user.tenantID) != nil else {
            throw DashboardRefusal(status: .notFound, heading: "No such delivery", text: "This tenant has no delivery \(id).")
        }
        do {
            _ = try await runtime.store.retryDelivery(id: id, tenant: user.tenantID, force: form["force"] == "true", now: Date())
        } catch let error as StoreError where error.code == .invalidTransition {
            throw DashboardRefusal(status: .conflict, heading: "Not retried", text: "Only a dead or conflicting delivery can be retried.")
        }
        return Self.redirect("/dashboard/deliveries/\(id)?done=retried")
    }

    /// A delivery's payload, pretty-printed, with every sensitive member's value replaced.
    static func redactedPayload(_ payload: Data) -> String {
        guard let value = try? JSONValue(parsing: payload) else { return "(not JSON: \(payload.count) bytes)" }
        return prettyJSON(redact(value))
    }

    /// `value` as indented JSON text, members sorted (its compact text if that fails).
    static func prettyJSON(_ value: JSONValue) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value.foundationObject, options: [.prettyPrinted, .sortedKeys]),
            let text = String(data: data, encoding: .utf8)
        else { return value.jsonText }
        return text
    }

    static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                result[key] = SensitiveFields.standard.contains(key) ? .string("[redacted]") : redact(member)
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(redact))
        default:
            return value
        }
    }
}

extension JSONValue {
    /// The value as Foundation objects (for `JSONSerialization`'s pretty printing).
    var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .string(let text): return text
        case .number(let number): return NSDecimalNumber(string: number.description)
        case .array(let items): return items.map(\.foundationObject)
        case .object(let members): return members.mapValues(\.foundationObject)
        }
    }
}
