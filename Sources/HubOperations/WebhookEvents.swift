import HubStore
public import RealtyModel
import SyncEngine

/// The event types webhooks carry, and which read scope each needs.
///
/// Record events are `<resource>.created|updated|deleted` for every resource, under the
/// resource's path name (`contacts.created`, `team_members.deleted`); then the hub's own:
/// `delivery.succeeded` and `delivery.dead` (scope `deliveries:read`), `sync_run.failed` and
/// `connection.unavailable` (scope `connections:read`).
public enum WebhookEventType {
    /// The record changes, by resource.
    public static let changes: [EntityEvent.Change] = [.created, .updated, .deleted]

    /// The hub's own event types, with the scope resource that reads them.
    public static let hubEvents: [(type: String, scope: String)] = HubEvent.Kind.allCases.map { kind in
        switch kind {
        case .deliverySucceeded, .deliveryDead: return (kind.rawValue, "deliveries")
        case .syncRunFailed, .connectionUnavailable: return (kind.rawValue, "connections")
        }
    }

    /// Every event type, record events first (in resource order), then the hub's.
    public static let all: [String] =
        ResourceName.allCases.flatMap { resource in changes.map { WebhookMessage.type(of: resource, $0) } }
        + hubEvents.map(\.type)

    /// The type of a record event.
    public static func type(of resource: ResourceName, _ change: EntityEvent.Change) -> String {
        WebhookMessage.type(of: resource, change)
    }

    /// The scope resource whose `read` grant an event type needs (`contacts` for
    /// `contacts.created`), or nil for a type that does not exist.
    public static func scopeResource(of type: String) -> String? {
        if let hub = hubEvents.first(where: { $0.type == type }) { return hub.scope }
        guard let dot = type.lastIndex(of: "."), let resource = ResourceName(name: String(type[..<dot])),
            resource.pathName == type[..<dot], EntityEvent.Change(rawValue: String(type[type.index(after: dot)...])) != nil
        else { return nil }
        return resource.pathName
    }
}

/// The event types a subscription asked for, as patterns: an exact type, `*` (every type the
/// creating client may read) or `<group>.*` (`contacts.*`, `delivery.*`).
///
/// Reading chosen for the issue's "event types outside the client's read scopes are refused at
/// creation": an exact type or a group the client may not read at all is refused; `*` and a
/// group stand for what the client may read of them, so a client that reads only contacts may
/// subscribe to `*` and gets contact events. Events are checked again when sent.
public struct WebhookEventFilter: Sendable, Hashable {
    /// The patterns as given (deduplicated, in order).
    public let patterns: [String]

    /// Checks `patterns` against the known types and `scopes`.
    /// - Throws: ``HubError`` `.validationFailed` naming each pattern that is unknown or not
    ///   readable with `scopes`, or when there is none.
    public init(_ patterns: [String], scopes: ScopeSet) throws {
        var kept: [String] = []
        var problems: [FieldError] = []
        if patterns.isEmpty {
            problems.append(FieldError(field: "events", message: "name at least one event type (or \"*\")"))
        }
        for (index, pattern) in patterns.enumerated() where !kept.contains(pattern) {
            let field = "events[\(index)]"
            let types = Self.types(matching: pattern)
            if types.isEmpty {
                problems.append(
                    FieldError(
                        field: field,
                        message:
                            "\"\(pattern)\" is not an event type: use one of \(WebhookEventType.all.joined(separator: ", ")), \"*\" or \"<resource>.*\""
                    ))
                continue
            }
            let readable = types.filter { Self.readable($0, scopes) }
            if readable.isEmpty || (pattern != "*" && !pattern.hasSuffix(".*") && readable.count < types.count) {
                let scope = WebhookEventType.scopeResource(of: types[0]) ?? "?"
                problems.append(FieldError(field: field, message: "\"\(pattern)\" needs the \(scope):read scope, which this client lacks"))
                continue
            }
            kept.append(pattern)
        }
        guard problems.isEmpty else { throw HubError(.validationFailed, "the webhook's event types are not valid", details: problems) }
        self.patterns = kept
    }

    /// Patterns checked when they were stored.
    public init(trusted patterns: [String]) {
        self.patterns = patterns
    }

    /// The known event types `pattern` names (none when it names nothing known).
    public static func types(matching pattern: String) -> [String] {
        if pattern == "*" { return WebhookEventType.all }
        if pattern.hasSuffix(".*") {
            let group = pattern.dropLast(2)
            guard !group.isEmpty, !group.contains("*") else { return [] }
            return WebhookEventType.all.filter { $0.hasPrefix(group + ".") }
        }
        return WebhookEventType.all.contains(pattern) ? [pattern] : []
    }

    /// Whether `scopes` read events of `type`.
    public static func readable(_ type: String, _ scopes: ScopeSet) -> Bool {
        guard let resource = WebhookEventType.scopeResource(of: type) else { return false }
        return scopes.allows(resource, .read)
    }

    /// Whether an event of `type` goes to this subscription, for a client with `scopes` (the
    /// creating client's scopes as they are when the event is sent).
    public func matches(_ type: String, scopes: ScopeSet) -> Bool {
        guard Self.readable(type, scopes) else { return false }
        return patterns.contains { pattern in
            pattern == "*" || pattern == type || (pattern.hasSuffix(".*") && type.hasPrefix(pattern.dropLast(1)))
        }
    }
}
