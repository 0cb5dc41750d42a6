import HTTPTypes
import HubStore
import Hummingbird
import NIOCore
public import RealtyModel

/// The list routes' parameter and filter parsing as one call, reachable with `package`
/// visibility so the fuzz harness (`Fuzz/`, built only with `REALTYHUB_FUZZ=1`) and the
/// property tests run exactly what `GET /v1/<resource>` runs before it reads the store: the
/// query parameters (`RecordRoutes.listRequest`) and then the store's ``ListPlan``.
package enum ListRequestCheck {
    /// What a list request comes to.
    package enum Outcome: Sendable, Equatable {
        /// A valid plan: its filter count, sort column, page size and offset.
        case plan(filters: Int, sort: String, limit: Int, offset: Int)
        /// Refused with the HTTP status, error code and message the route would answer.
        case rejected(status: Int, code: String, message: String)
    }

    /// Checks the path and query `target` (for example `/v1/contacts?page=2&City=Boston`) as a
    /// list of `resource`.
    package static func check(_ resource: ResourceName, target: String) -> Outcome {
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "hub.invalid", path: target),
            body: RequestBody(buffer: ByteBuffer()))
        do {
            switch resource {
            case .member: return try plan(Member.self, request)
            case .office: return try plan(Office.self, request)
            case .teams: return try plan(Team.self, request)
            case .teamMembers: return try plan(TeamMember.self, request)
            case .contacts: return try plan(Contact.self, request)
            case .property: return try plan(Property.self, request)
            case .development: return try plan(Development.self, request)
            case .activity: return try plan(Activity.self, request)
            case .media: return try plan(Media.self, request)
            }
        } catch let error as APIError {
            return .rejected(status: Int(error.status.code), code: error.code.rawValue, message: error.message)
        } catch {
            let mapped = APIError(from: error)
            return .rejected(status: Int(mapped.status.code), code: mapped.code.rawValue, message: mapped.message)
        }
    }

    private static func plan<R: HubRecord>(_ type: R.Type, _ request: Request) throws -> Outcome {
        let (query, _, _) = try RecordRoutes.listRequest(R.self, request)
        let plan = try ListPlan<R>(query)
        return .plan(filters: plan.filters.count, sort: plan.sortColumn, limit: plan.limit, offset: plan.offset)
    }
}
