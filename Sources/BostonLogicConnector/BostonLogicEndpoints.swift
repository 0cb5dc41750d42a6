import ConnectorKit
import Foundation
import RealtyModel

/// Boston Logic's resources as data: where each lives under `/api/v2` and how its records map.
///
/// The top-level lists are named in the document (`/api/v2/offices` is its example; agents,
/// employees, teams and leads follow the same form). Property views and notes belong to a lead
/// ("LeadProperties", "PropertyView", "PropertyNote"); their paths are not public, and this
/// connector reads them as the lead's nested lists `/api/v2/leads/{id}/property_views` and
/// `/api/v2/leads/{id}/property_notes`, the form the API uses for its other nested resources.
enum BostonLogicEndpoints {
    static let prefix = "/api/v2"
    static let offices = "\(prefix)/offices"
    static let agents = "\(prefix)/agents"
    static let employees = "\(prefix)/employees"
    static let teams = "\(prefix)/teams"
    static let leads = "\(prefix)/leads"

    static func propertyViews(lead: String) -> String { "\(leads)/\(lead)/property_views" }
    static func propertyNotes(lead: String) -> String { "\(leads)/\(lead)/property_notes" }

    /// A top-level list and how its items map.
    struct List: Sendable {
        /// A stable name used in cursors and messages.
        var name: String
        var path: String
        /// The query every read of the list sends.
        var query: [URLQueryItem] = []
        var map: @Sendable (JSONValue) throws -> [any HubRecord]
    }

    /// `active_status=all` on the roster lists: the document names the filter (active, inactive,
    /// all) but not its default. Read as possibly "active only", which would sweep every inactive
    /// agent or office as deleted, so every read asks for all of them.
    static let everyStatus = [URLQueryItem(name: "active_status", value: "all")]

    static let officeList = List(name: "offices", path: offices, query: everyStatus) { [BostonLogicMapping.office(try BLOffice(json: $0))] }
    static let agentList = List(name: "agents", path: agents, query: everyStatus) {
        [BostonLogicMapping.member(try BLPerson(json: $0, resource: "agents"), kind: .agent)]
    }
    static let employeeList = List(name: "employees", path: employees, query: everyStatus) {
        [BostonLogicMapping.member(try BLPerson(json: $0, resource: "employees"), kind: .employee)]
    }
    static let teamList = List(name: "teams", path: teams, query: everyStatus) { [BostonLogicMapping.team(try BLTeam(json: $0))] }
    static let teamMemberList = List(name: "teams", path: teams, query: everyStatus) {
        BostonLogicMapping.teamMembers(try BLTeam(json: $0))
    }
    static let leadList = List(name: "leads", path: leads) { [BostonLogicMapping.contact(try BLLead(json: $0))] }

    /// The lists feeding `resource` (activities are read per lead, see ``BostonLogicActivityReader``).
    static func lists(for resource: ResourceName) -> [List] {
        switch resource {
        case .office: return [officeList]
        case .member: return [agentList, employeeList]
        case .teams: return [teamList]
        case .teamMembers: return [teamMemberList]
        case .contacts: return [leadList]
        default: return []
        }
    }

    /// The read capabilities: every resource is read whole (no change filter is documented).
    static let readCapabilities: [ReadCapability] = [
        ReadCapability(resource: .office, vendorEndpoints: ["GET \(offices)"], incremental: false),
        ReadCapability(resource: .member, vendorEndpoints: ["GET \(agents)", "GET \(employees)"], incremental: false),
        ReadCapability(resource: .teams, vendorEndpoints: ["GET \(teams)"], incremental: false),
        ReadCapability(resource: .teamMembers, vendorEndpoints: ["GET \(teams)"], incremental: false),
        ReadCapability(resource: .contacts, vendorEndpoints: ["GET \(leads)"], incremental: false),
        ReadCapability(
            resource: .activity,
            vendorEndpoints: ["GET \(leads)/{id}/property_views", "GET \(leads)/{id}/property_notes"], incremental: true,
            core: false),
    ]
}
