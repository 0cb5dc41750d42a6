import ConnectorKit
import Foundation
import RealtyModel

/// PF Expert's list endpoints as data: the path, the key the list arrives under, how an
/// incremental read finds its changes, and how its items map.
struct PFExpertEndpoint: Sendable {
    /// How an incremental read of an endpoint finds what changed since the last pass.
    enum Changes: Sendable, Hashable {
        /// No change signal: every read is whole.
        case none
        /// Sorted by `updated_at` descending (the documented `sort` and `sort_order`), read until
        /// a record older than the last pass's newest change. The documents give leads and
        /// properties no updated-time filter (only `filters[created]`, which misses edits).
        case newestFirst
        /// A documented date filter (`filters[date][from]=YYYY-MM-DD`) for records that never
        /// change after they are made (tracked calls).
        case dateFilter(String)
    }

    /// A short stable name, used in cursors (`users`, `leads`, ...).
    var name: String
    /// The path under the base URL.
    var path: String
    /// The key of the list in the answer (`users`; note the singular `location` and the
    /// `whatsapp` and `call_trackings` keys).
    var listKey: String
    /// How an incremental read finds the changes.
    var changes: Changes
    /// Whether reads send `X-MyCRM-Expand-Data: true`: the vendor returns related objects as
    /// `{"id": n}` unless asked, and a property's address and coordinates are in its `location`.
    var expandsRelations = false
    /// The media an item carries (a property's `images[]`), or nil when the list's items carry
    /// none; read from the same item, so they cost no request.
    var media: (@Sendable (JSONValue, String?) -> [Media])? = nil
    /// Maps one item of the list.
    var map: @Sendable (JSONValue) throws -> any HubRecord

    /// `GET /users` → Member.
    static let users = PFExpertEndpoint(name: "users", path: "/users", listKey: "users", changes: .none) {
        PFExpertMapping.member(try PFUser(json: $0))
    }

    /// `GET /properties` → Property, newest change first when incremental.
    static let properties = PFExpertEndpoint(
        name: "properties", path: "/properties", listKey: "properties", changes: .newestFirst, expandsRelations: true,
        media: PFExpertMapping.media(ofProperty:connectionID:)
    ) { PFExpertMapping.property(try PFProperty(json: $0)) }

    /// `GET /leads` → Contacts, newest change first when incremental, so edits to older leads
    /// arrive with the next pull (the creation filter, the only one documented, would miss them).
    static let leads = PFExpertEndpoint(
        name: "leads", path: "/leads", listKey: "leads", changes: .newestFirst
    ) { PFExpertMapping.contact(try PFLead(json: $0)) }

    /// `GET /whatsapp-leads` → Activity (no date filter documented: always read whole).
    static let whatsAppLeads = PFExpertEndpoint(
        name: "whatsapp-leads", path: "/whatsapp-leads", listKey: "whatsapp", changes: .none
    ) { PFExpertMapping.activity(try PFWhatsAppLead(json: $0)) }

    /// `GET /calltrackings` → Activity; `filters[date][from]` reads calls since a day.
    static let callTrackings = PFExpertEndpoint(
        name: "calltrackings", path: "/calltrackings", listKey: "call_trackings", changes: .dateFilter("filters[date][from]")
    ) { PFExpertMapping.activity(try PFCallTracking(json: $0)) }

    /// The endpoints feeding `resource`, in reading order.
    static func endpoints(for resource: ResourceName) -> [PFExpertEndpoint] {
        switch resource {
        case .member: return [.users]
        case .property: return [.properties]
        case .contacts: return [.leads]
        case .activity: return [.whatsAppLeads, .callTrackings]
        default: return []
        }
    }

    /// The capability this endpoint list gives.
    static func readCapability(_ resource: ResourceName) -> ReadCapability {
        let endpoints = endpoints(for: resource)
        return ReadCapability(
            resource: resource,
            vendorEndpoints: endpoints.map { endpoint in
                switch endpoint.changes {
                case .none: "GET \(endpoint.path)"
                case .newestFirst: "GET \(endpoint.path) (sort=updated_at&sort_order=desc)"
                case .dateFilter(let filter): "GET \(endpoint.path) (\(filter))"
                }
            },
            incremental: endpoints.contains { $0.changes != .none },
            // The seed describes users, properties and leads; WhatsApp leads and tracked calls
            // exist only on accounts that have those products.
            core: resource != .activity)
    }
}
