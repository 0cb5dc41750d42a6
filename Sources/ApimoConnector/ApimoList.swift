/// The Apimo lists this connector reads, with their paths and documented limits.
enum ApimoList: String, Codable, Sendable, Hashable, CaseIterable {
    case agencies
    case users
    case actions
    case properties
    case contacts
    case leads

    /// The key of the records in the answer (`{"users": [...], "total_items": N}`).
    var collection: String { rawValue }

    /// The largest `limit` the list accepts.
    ///
    /// Users 10,000 and actions 1,000 (the seed); leads 10,000 (Apimo's leads page). Properties:
    /// the two published versions of the page say 200 and 1,000, so 200, which both accept.
    /// Agencies and contacts: undocumented; 1,000, the common maximum of the documented lists.
    var maxLimit: Int {
        switch self {
        case .users, .leads: return 10_000
        case .actions, .agencies, .contacts: return 1000
        case .properties: return 200
        }
    }

    /// Whether the list takes `timestamp` (records created or updated since a unix time).
    var takesTimestamp: Bool {
        switch self {
        case .properties, .contacts, .leads: return true
        case .agencies, .users, .actions: return false
        }
    }

    /// The path of the list: `/agencies`, `/agencies/{agency}/users`,
    /// `/agencies/{agency}/users/{user}/actions`, `/agencies/{agency}/properties`, ...
    func path(agency: String?, user: String?) -> String {
        switch self {
        case .agencies: return "/agencies"
        case .actions: return "/agencies/\(agency ?? "")/users/\(user ?? "")/actions"
        default: return "/agencies/\(agency ?? "")/\(rawValue)"
        }
    }

    /// A low-cardinality name for logs and metrics.
    var operationName: String {
        switch self {
        case .agencies: return "GET /agencies"
        case .actions: return "GET /agencies/{agency_id}/users/{user_id}/actions"
        default: return "GET /agencies/{agency_id}/\(rawValue)"
        }
    }
}
