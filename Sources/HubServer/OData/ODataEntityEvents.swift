import Foundation
import HTTPTypes
import HubOperations
import HubStore
import ODataQuery
import RealtyModel

/// `GET /odata/EntityEvent` (RESO EntityEvent, docs/reso-web-api.md §3, C89–C97) over the
/// hub's change feed, which has one index (tenant, sequence). So the set serves what that
/// index answers: `$filter` as an `and` of `EntityEventSequence gt|ge|lt|le|eq N`,
/// `ResourceName eq|in`, `EventType eq|in`; `$orderby=EntityEventSequence [asc]`; `$top`;
/// `$select`. Next links restart after the page's last sequence. Events of resources the
/// token may not read are left out (Q18); the hub's own events never reach the feed.
struct ODataEntityEvents: Sendable {
    let call: ODataCall

    static let setName = "EntityEvent"
    static let properties = [
        "EntityEventSequence", "ResourceName", "ResourceRecordKey", "ResourceRecordUrl", "EventType", "ConnectionId",
        "ModificationTimestamp",
    ]
    static let allowedOptions: Set<String> = ["$filter", "$top", "$orderby", "$select"]
    static let allowedFilter =
        "EntityEvent's $filter is an 'and' of: EntityEventSequence gt|ge|lt|le|eq <integer>, ResourceName eq|in (...), EventType eq|in (...)"
    /// How many feed rows one request reads at most while filters leave events out; past it,
    /// the page ends early with a next link (a client may get fewer rows than the page size).
    static let maximumScanned = 20_000

    /// What `$filter` keeps.
    struct Window {
        /// Events after this sequence.
        var after: Int64 = 0
        /// Events up to this sequence.
        var through: Int64 = .max
        var resources: Set<String>?
        var types: Set<String>?
        /// The conditions other than the lower bound, as written (for next links).
        var kept: [String] = []

        func matches(_ event: EntityEvent) -> Bool {
            event.sequence > after && event.sequence <= through && (resources?.contains(event.resourceName.rawValue) ?? true)
                && (types?.contains(event.change.rawValue) ?? true)
        }
    }

    func read() async throws -> ODataPayload {
        let options = call.query.systemOptions
        var seen: Set<String> = []
        for (name, _) in options {
            guard Self.allowedOptions.contains(name) else {
                throw ODataError.invalidOption(
                    "\(name) is not served on EntityEvent; it takes $filter, $top, $orderby=EntityEventSequence and $select", target: name)
            }
            guard seen.insert(name).inserted else { throw ODataError.invalidOption("\(name) is given more than once", target: name) }
        }
        let window = try call.query.value("$filter").map(Self.window) ?? Window()
        if let order = call.query.value("$orderby") {
            let words = order.split(separator: " ", omittingEmptySubsequences: true)
            guard words.first == "EntityEventSequence", words.count == 1 || (words.count == 2 && words[1] == "asc") else {
                throw ODataError.invalidOption("EntityEvent is ordered by EntityEventSequence asc only", target: "$orderby")
            }
        }
        let top = try call.query.value("$top").map { text -> Int in
            guard let top = Int(text), top >= 0, top <= ODataQueryOptions.maximumTop, text.allSatisfy(\.isNumber) else {
                throw ODataError.invalidOption("$top must be a whole number from 0 to \(ODataQueryOptions.maximumTop)", target: "$top")
            }
            return top
        }
        let selected = try call.query.value("$select").map(Self.selection) ?? Self.properties
        let limit = min(call.pageSize, top ?? Int.max)

        // Read the feed until the page has one event more than it shows, the window ends, the
        // feed ends or the scan budget is spent.
        var page: [EntityEvent] = []
        var cursor = window.after
        var scanned = 0
        var exhausted = limit == 0
        while !exhausted, page.count <= limit, scanned < Self.maximumScanned {
            let batchSize = min(ODataQueryLimits.maximumLimit, max(limit + 1 - page.count, 100))
            let batch = try await call.events.events(tenant: call.tenant, after: cursor, limit: batchSize)
            scanned += batch.count
            for event in batch {
                cursor = event.sequence
                if event.sequence > window.through {
                    exhausted = true
                    break
                }
                if window.matches(event), call.scopes.allows(event.resourceName.pathName, .read) { page.append(event) }
                if page.count > limit { break }
            }
            if batch.count < batchSize { exhausted = true }
        }
        var resumeAfter: Int64?
        if page.count > limit {
            page.removeLast(page.count - limit)
            resumeAfter = page.last?.sequence
        } else if !exhausted, limit > 0 {
            resumeAfter = cursor
        }
        if let top, top <= limit { resumeAfter = nil }

        let context =
            call.root + "$metadata#" + Self.setName
            + (call.query.value("$select") == nil ? "" : "(" + selected.joined(separator: ",") + ")")
        var members: [(String, ODataJSON)] = [("@odata.context", .string(context))]
        members.append(("value", .array(page.map { entity($0, selected) })))
        if let resumeAfter {
            let filter = (["EntityEventSequence gt \(resumeAfter)"] + window.kept).joined(separator: " and ")
            var next = [("$filter", filter)]
            if let top { next.append(("$top", String(top - page.count))) }
            members.append(("@odata.nextLink", .string(call.nextLink(replacing: ["$filter", "$top"], with: next))))
        }
        return ODataPayload(body: ODataJSON.object(members).bytes, preferenceApplied: call.appliedPreferences)
    }

    /// `EntityEvent(<sequence>)`: one event the token may see, with `$select`.
    func readOne(_ key: String) async throws -> ODataPayload {
        if let other = call.query.systemOptions.first(where: { $0.name != "$select" }) {
            throw ODataError.invalidOption("\(other.name) does not apply to one event; only $select does", target: other.name)
        }
        let selected = try call.query.value("$select").map(Self.selection) ?? Self.properties
        guard let sequence = Int64(key), sequence > 0,
            let event = try await call.events.events(tenant: call.tenant, after: sequence - 1, limit: 1).first,
            event.sequence == sequence, call.scopes.allows(event.resourceName.pathName, .read)
        else { throw ODataError.notFound("no EntityEvent with EntityEventSequence \(key)") }
        let context =
            call.root + "$metadata#" + Self.setName
            + (call.query.value("$select") == nil ? "" : "(" + selected.joined(separator: ",") + ")") + "/$entity"
        guard case .object(let members) = entity(event, selected) else { return ODataPayload(body: []) }
        return ODataPayload(body: ODataJSON.object([("@odata.context", .string(context))] + members).bytes)
    }

    func entity(_ event: EntityEvent, _ selected: [String]) -> ODataJSON {
        var members: [(String, ODataJSON)] = []
        for name in selected {
            let value: ODataJSON
            switch name {
            case "EntityEventSequence": value = .integer(event.sequence)
            case "ResourceName": value = .string(event.resourceName.rawValue)
            case "ResourceRecordKey": value = .string(event.resourceRecordKey)
            case "ResourceRecordUrl":
                value = .string(call.root + event.resourceName.rawValue + ODataPath.keySegment(event.resourceRecordKey))
            case "EventType": value = .string(event.change.rawValue)
            case "ConnectionId": value = event.connectionID.map(ODataJSON.string) ?? .null
            default: value = .string(Timestamp.format(event.timestamp))
            }
            if call.preferences.omitNulls, case .value(.null) = value { continue }
            members.append((name, value))
        }
        return .object(members)
    }

    static func selection(_ text: String) throws -> [String] {
        var names: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: .whitespaces)
            if name == "*" { return properties }
            guard properties.contains(name) else {
                throw ODataError(
                    .badRequest, ODataQueryError.Code.unknownProperty.rawValue,
                    "EntityEvent has no property '\(name)'; it has \(properties.joined(separator: ", "))", target: "$select")
            }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Reads `$filter` into the window it keeps.
    /// - Throws: ``ODataQueryError`` for text that does not parse; ``ODataError`` 400 naming
    ///   what is allowed for anything the feed's index does not answer.
    static func window(_ text: String) throws -> Window {
        let expression = try FilterParser.parse(text)
        var conditions: [FilterExpression] = []
        var pending = [expression]
        while let next = pending.popLast() {
            if case .and(let operands) = next { pending += operands.reversed() } else { conditions.append(next) }
        }
        var window = Window()
        for condition in conditions {
            switch condition {
            case .comparison(let op, .property(let path, _), .literal(.integer(let number), _), _)
            where path.description == "EntityEventSequence":
                switch op {
                case .gt: window.after = max(window.after, number)
                case .ge: window.after = max(window.after, number == .min ? number : number - 1)
                case .lt: window.through = min(window.through, number == .min ? number : number - 1)
                case .le: window.through = min(window.through, number)
                case .eq:
                    window.after = max(window.after, number == .min ? number : number - 1)
                    window.through = min(window.through, number)
                case .ne: throw ODataError.invalidOption(allowedFilter, target: "$filter")
                }
                if op != .gt, op != .ge { window.kept.append(condition.description) }
            case .comparison(.eq, .property(let path, _), .literal(.string(let value), _), _):
                try restrict(&window, path.description, [value])
                window.kept.append(condition.description)
            case .membership(.property(let path, _), let items, _):
                var values: [String] = []
                for item in items {
                    guard case .literal(.string(let value), _) = item else {
                        throw ODataError.invalidOption(allowedFilter, target: "$filter")
                    }
                    values.append(value)
                }
                try restrict(&window, path.description, values)
                window.kept.append(condition.description)
            default:
                throw ODataError.invalidOption(allowedFilter, target: "$filter")
            }
        }
        return window
    }

    private static func restrict(_ window: inout Window, _ property: String, _ values: [String]) throws {
        switch property {
        case "ResourceName": window.resources = window.resources.map { $0.intersection(values) } ?? Set(values)
        case "EventType": window.types = window.types.map { $0.intersection(values) } ?? Set(values)
        default: throw ODataError.invalidOption(allowedFilter, target: "$filter")
        }
    }
}
