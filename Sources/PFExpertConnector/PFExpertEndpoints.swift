import ConnectorKit
import Foundation
import RealtyModel

/// PF Expert's list endpoints as data: the path, the key the list arrives under, the
/// incremental date filter the documents define for it, and how its items map.
struct PFExpertEndpoint: Sendable {
    /// A short stable name, used in cursors (`users`, `leads`, ...).
    var name: String
    /// The path under the base URL.
    var path: String
    /// The key of the list in the answer (`users`; note the singular `location` and the
    /// `whatsapp` and `call_trackings` keys).
    var listKey: String
    /// The date filter reading records changed (or created) since a day, `YYYY-MM-DD`.
    var sinceFilter: String?
    /// Whether reads send `X-MyCRM-Expand-Data: true`: the vendor returns related objects as
    /// `{"id": n}` unless asked, and a property's address and coordinates are in its `location`.
    var expandsRelations = false
    /// Maps one item of the list.
    var map: @Sendable (JSONValue) throws -> any HubRecord

    /// `GET /users` → Member.
    static let users = PFExpertEndpoint(name: "users", path: "/users", listKey: "users", sinceFilter: nil) {
        PFExpertMapping.member(try PFUser(json: $0))
    }

    /// `GET /properties` → Property; `filters[updated][from]` reads listings changed since a day.
    static let properties = PFExpertEndpoint(
        name: "properties", path: "/properties", listKey: "properties", sinceFilter: "filters[updated][from]", expandsRelations: true
    ) { PFExpertMapping.property(try PFProperty(json: $0)) }

    /// `GET /leads` → Contacts. The only date filter documented for leads is the creation date
    /// (`filters[created][from]`), so an incremental read brings new leads; changes to older
    /// leads arrive with the next full pass.
    static let leads = PFExpertEndpoint(
        name: "leads", path: "/leads", listKey: "leads", sinceFilter: "filters[created][from]"
    ) { PFExpertMapping.contact(try PFLead(json: $0)) }

    /// `GET /whatsapp-leads` → Activity (no date filter documented: always read whole).
    static let whatsAppLeads = PFExpertEndpoint(
        name: "whatsapp-leads", path: "/whatsapp-leads", listKey: "whatsapp", sinceFilter: nil
    ) { PFExpertMapping.activity(try PFWhatsAppLead(json: $0)) }

    /// `GET /calltrackings` → Activity; `filters[date][from]` reads calls since a day.
    static let callTrackings = PFExpertEndpoint(
        name: "calltrackings", path: "/calltrackings", listKey: "call_trackings", sinceFilter: "filters[date][from]"
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
                "GET \(endpoint.path)" + (endpoint.sinceFilter.map { " (\($0))" } ?? "")
            },
            incremental: endpoints.contains { $0.sinceFilter != nil })
    }
}
