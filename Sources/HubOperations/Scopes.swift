import RealtyModel

/// What an API client may do: `resource:action` grants.
///
/// Resources are the API's collections (`contacts`, `leads`, `connections`, ...); actions are
/// `read`, `write` and `delete`. `*` stands for every resource (`*:read`) or every action
/// (`contacts:*`).
public struct ScopeSet: Sendable, Hashable, CustomStringConvertible {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case read, write, delete
    }

    /// The resources scopes name.
    public static let resources: [String] = [
        "members", "offices", "teams", "team_members", "contacts", "properties", "developments", "activities", "media",
        "leads", "deliveries", "connections", "inventory", "address", "events", "metrics", "webhooks", "clients",
    ]

    public let grants: Set<String>

    /// Parses scopes separated by spaces or commas.
    /// - Throws: ``HubError`` `.invalidScope` naming the first unknown scope.
    public init(parsing text: String) throws {
        var grants: Set<String> = []
        for item in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2,
                parts[0] == "*" || Self.resources.contains(String(parts[0])),
                parts[1] == "*" || Action(rawValue: String(parts[1])) != nil
            else {
                throw HubError(
                    .invalidScope,
                    "unknown scope \"\(item)\": scopes are resource:action with resource one of \(Self.resources.joined(separator: ", ")) or *, and action read, write, delete or *"
                )
            }
            grants.insert(String(item))
        }
        self.grants = grants
    }

    public init(grants: Set<String>) { self.grants = grants }

    /// Every grant of `requested` these scopes hold (a token may ask for less; a webhook gets
    /// no more than its client still reads). A wildcard grant is held as itself or under `*:*`.
    public func narrowed(to requested: ScopeSet) -> ScopeSet {
        ScopeSet(
            grants: requested.grants.filter { grant in
                let parts = grant.split(separator: ":")
                guard parts.count == 2 else { return false }
                if parts[0] == "*" || parts[1] == "*" { return grants.contains(grant) || grants.contains("*:*") }
                return allows(String(parts[0]), Action(rawValue: String(parts[1])) ?? .read)
            })
    }

    /// Whether the scopes allow `action` on `resource`.
    public func allows(_ resource: String, _ action: Action) -> Bool {
        grants.contains("\(resource):\(action.rawValue)") || grants.contains("*:\(action.rawValue)")
            || grants.contains("\(resource):*") || grants.contains("*:*")
    }

    public var description: String { grants.sorted().joined(separator: " ") }
}
