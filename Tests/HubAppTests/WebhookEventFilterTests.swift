import HubOperations
import RealtyModel
import Testing

/// Which event types a subscription may ask for and receives, by pattern and by the creating
/// client's read scopes.
@Suite struct WebhookEventFilterTests {
    static let everything = ScopeSet(grants: ["*:read"])

    @Test func knowsEveryType() {
        #expect(WebhookEventType.all.count == ResourceName.allCases.count * 3 + 4)
        #expect(WebhookEventType.all.contains("team_members.deleted") && WebhookEventType.all.contains("connection.unavailable"))
        #expect(WebhookEventType.type(of: .property, .updated) == "properties.updated")
        #expect(WebhookEventType.scopeResource(of: "properties.updated") == "properties")
        #expect(WebhookEventType.scopeResource(of: "delivery.dead") == "deliveries")
        #expect(WebhookEventType.scopeResource(of: "sync_run.failed") == "connections")
        #expect(WebhookEventType.scopeResource(of: "Property.updated") == nil)
        #expect(WebhookEventType.scopeResource(of: "contacts.merged") == nil)
    }

    @Test func matchesPatterns() throws {
        let filter = try WebhookEventFilter(["contacts.*", "delivery.dead", "properties.created"], scopes: Self.everything)
        for type in ["contacts.created", "contacts.deleted", "delivery.dead", "properties.created"] {
            #expect(filter.matches(type, scopes: Self.everything), "\(type)")
        }
        for type in ["properties.updated", "delivery.succeeded", "team_members.created", "teams.created", "contacts"] {
            #expect(!filter.matches(type, scopes: Self.everything), "\(type)")
        }
        let all = try WebhookEventFilter(["*", "*"], scopes: Self.everything)
        #expect(all.patterns == ["*"])
        #expect(WebhookEventType.all.allSatisfy { all.matches($0, scopes: Self.everything) })
        #expect(WebhookEventFilter.types(matching: "teams.*") == ["teams.created", "teams.updated", "teams.deleted"])
    }

    @Test func refusesUnknownTypesAndWhatTheClientCannotRead() throws {
        let contactsOnly = try ScopeSet(parsing: "contacts:read leads:write")
        func details(_ patterns: [String], _ scopes: ScopeSet) -> [String] {
            do {
                _ = try WebhookEventFilter(patterns, scopes: scopes)
                return []
            } catch let error as HubError {
                return error.details.map { "\($0.field): \($0.message)" }
            } catch {
                return ["\(error)"]
            }
        }
        #expect(details([], contactsOnly) == ["events: name at least one event type (or \"*\")"])
        #expect(details(["contacts.merged"], contactsOnly).first?.hasPrefix("events[0]: \"contacts.merged\" is not an event type") == true)
        #expect(details(["*.*"], contactsOnly).count == 1 && details(["contacts.**"], contactsOnly).count == 1)
        #expect(
            details(["contacts.created", "properties.created"], contactsOnly) == [
                "events[1]: \"properties.created\" needs the properties:read scope, which this client lacks"
            ])
        #expect(
            details(["delivery.*"], contactsOnly) == ["events[0]: \"delivery.*\" needs the deliveries:read scope, which this client lacks"])
        // `*` stands for what the client reads: allowed, and only contact events match.
        let star = try WebhookEventFilter(["*"], scopes: contactsOnly)
        #expect(star.matches("contacts.updated", scopes: contactsOnly))
        #expect(!star.matches("properties.updated", scopes: contactsOnly) && !star.matches("delivery.dead", scopes: contactsOnly))
        // A scope taken away later stops the events at once.
        let filter = try WebhookEventFilter(["contacts.*"], scopes: contactsOnly)
        #expect(!filter.matches("contacts.created", scopes: ScopeSet(grants: ["leads:write"])))
    }
}
