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

    /// The `limit` a page asks for: the largest the vendor documents for the list.
    ///
    /// Users and leads 10,000, actions 1,000 (the seed and Apimo's leads page). Properties: the
    /// two published versions of the page say 200 and 1,000; 1,000 is asked, and a server that
    /// refuses it gets 200 (``fallbackLimit``). Agencies and contacts: undocumented, so the
    /// largest documented for any list (10,000), with 1,000 as the fallback when refused.
    var pageLimit: Int {
        switch self {
        case .users, .leads, .agencies, .contacts: return 10_000
        case .actions, .properties: return 1000
        }
    }

    /// The smaller `limit` asked for once when the server refuses ``pageLimit`` (a 400), and
    /// then for the rest of the connection's life: 1,000 (the common documented maximum), 200
    /// for properties (the older page's maximum). Actions are documented at 1,000: no fallback.
    var fallbackLimit: Int? {
        switch self {
        case .users, .leads, .agencies, .contacts: return 1000
        case .properties: return 200
        case .actions: return nil
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
