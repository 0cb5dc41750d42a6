import ConnectorKit
public import Foundation
public import HubStore
public import RealtyModel
import SyncEngine
import Synchronization

extension HubRuntime {
    /// Accepts a lead: validates it once and commits one delivery per target connection to the
    /// outbox, returning only once they are committed. The API's `POST /v1/leads` and the CLI's
    /// `leads push` both come here.
    ///
    /// Under an idempotency key the same request (the same lead to the same connections) gets
    /// the deliveries the first one committed, also when both run at once.
    ///
    /// - Parameters:
    ///   - lead: the parsed JSON of a Contacts record in RESO names (ContactType defaults to Lead).
    ///   - connections: connection ids or names; nil means every enabled connection of the tenant
    ///     that can take leads.
    ///   - tenant: the tenant.
    ///   - idempotencyKey: the client's key for this request, if any.
    /// - Throws: ``HubError``: `.invalidRequest` (not an object, a field of the wrong type, an
    ///   empty connection list), `.validationFailed` with the field errors, `.unknownConnection`,
    ///   `.connectionTakesNoLeads`, `.noLeadConnection`, `.idempotencyKeyReused` when the key
    ///   was used for another request.
    public func acceptLead(
        _ lead: JSONValue, connections: [String]?, tenant: String, idempotencyKey: String? = nil
    ) async throws -> [Delivery] {
        guard case .object(let object) = lead else {
            throw HubError(
                .invalidRequest, "lead must be a Contacts record (a JSON object in RESO names)",
                details: [FieldError(field: "lead", message: "must be an object")])
        }
        // Targets first, then the lead's fields: a request naming a missing connection is a 404
        // whatever the lead holds.
        let targets = try await leadTargets(tenant: tenant, names: connections)
        var contact: Contact
        do {
            contact = try Contact(clientFields: object)
        } catch {
            throw HubError(
                .invalidRequest, "the lead is not a Contacts record in RESO names: \(error.field): \(error.message)", details: [error])
        }
        if contact.contactType == nil { contact.contactType = "Lead" }
        let errors = contact.validate()
        guard errors.isEmpty else { throw HubError(.validationFailed, "the lead is not valid", details: errors) }
        return try await enqueueLead(contact, tenant: tenant, to: targets, idempotencyKey: idempotencyKey)
    }

    /// The connections a lead goes to: those named (each must exist and take leads), or every
    /// enabled connection of the tenant that can take leads.
    func leadTargets(tenant: String, names: [String]?) async throws -> [Connection] {
        guard let names else {
            var targets: [Connection] = []
            for connection in try await store.listConnections(tenant: tenant) where connection.enabled {
                if await takesLeads(connection) { targets.append(connection) }
            }
            // The request is well formed; the tenant's connections (their state) cannot take it.
            guard !targets.isEmpty else {
                throw HubError(.noLeadConnection, "the tenant has no enabled connection that can take leads")
            }
            return targets
        }
        guard !names.isEmpty else {
            throw HubError(
                .invalidRequest, "connections must name at least one connection (or be left out)",
                details: [FieldError(field: "connections", message: "is empty")])
        }
        var targets: [Connection] = []
        for name in names {
            let connection: Connection
            do {
                connection = try await findConnection(name, tenant: tenant)
            } catch let error as HubError where error.code == .notFound {
                throw HubError(
                    .unknownConnection, "no connection \(name)",
                    details: [FieldError(field: "connections", message: "no connection \(name)")])
            }
            // Well formed, but the connection's vendor takes no leads: the request conflicts with
            // what the connection is.
            guard await takesLeads(connection) else {
                throw HubError(
                    .connectionTakesNoLeads, "connection \(connection.name) (\(connection.vendor)) cannot create leads",
                    details: [FieldError(field: "connections", message: "\(connection.name) takes no leads")])
            }
            if !targets.contains(where: { $0.id == connection.id }) { targets.append(connection) }
        }
        return targets
    }

    func takesLeads(_ connection: Connection) async -> Bool {
        if let known = leadCapabilities.withLock({ $0[connection] }) { return known }
        guard let credentials = try? await store.credentials(connectionID: connection.id, tenant: connection.tenantID),
            let connector = try? connectors.connector(for: connection, credentials: credentials)
        else { return false }
        let takes = connector.capabilities.write(.contacts)?.canCreate == true
        leadCapabilities.withLock { known in
            // Bounded: connections edited many times leave stale entries behind.
            if known.count >= 1_024 { known.removeAll() }
            known[connection] = takes
        }
        return takes
    }

    /// Commits one lead delivery per target, under the idempotency key when there is one.
    func enqueueLead(_ lead: Contact, tenant: String, to targets: [Connection], idempotencyKey: String?) async throws -> [Delivery] {
        let payload = try JSONEncoder().encode(lead)
        let deliveries = targets.map {
            NewDelivery(tenantID: tenant, connectionID: $0.id, kind: .leadCreate, payload: payload, idempotencyKey: idempotencyKey)
        }
        // The request is the lead as it will be delivered and the set of target connections.
        let sortedKeys = JSONEncoder()
        sortedKeys.outputFormatting = [.sortedKeys]
        return try await commit(deliveries, tenant: tenant, idempotencyKey: idempotencyKey, request: [try sortedKeys.encode(lead)]) {
            existing in
            // A key from before fingerprints were stored: the same request when it went to the
            // same connections with the same lead.
            Set(existing.map(\.connectionID)) == Set(targets.map(\.id))
                && existing.allSatisfy { $0.kind == .leadCreate && (try? JSONDecoder().decode(Contact.self, from: $0.payload)) == lead }
        }
    }
}
