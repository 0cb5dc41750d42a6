public import RealtyModel

/// One `$orderby` key.
public struct ODataOrderKey: Hashable, Sendable {
    /// The property sorted on.
    public var property: ResolvedProperty
    /// Whether the order is `desc`.
    public var descending: Bool

    /// Creates a sort key.
    public init(_ property: ResolvedProperty, descending: Bool = false) {
        self.property = property
        self.descending = descending
    }
}

/// What `$select` asks for.
public enum ODataSelection: Hashable, Sendable {
    /// `*`: every property.
    case all
    /// The named properties, in the order first named (repeats dropped).
    case properties([String])
}

/// The system query options of one request, parsed and checked against one resource.
///
/// Limits: `$top` is 0...``maximumTop``, `$skip` is 0...``maximumSkip``; `$filter` and every
/// other value at most ``FilterParser/maximumLength`` characters. Option names are the
/// `$`-prefixed lowercase ones; a name without `$` is a custom option and is left to the caller.
public struct ODataQueryOptions: Hashable, Sendable {
    /// The largest `$top`.
    public static let maximumTop = 10_000
    /// The largest `$skip`.
    public static let maximumSkip = 1_000_000
    /// Standard OData options the hub does not serve yet (refused as "not supported").
    static let unsupported: Set<String> = [
        "$search", "$format", "$apply", "$compute", "$levels", "$index", "$schemaversion", "$skiptoken", "$deltatoken", "$id",
    ]
    static let known: Set<String> = ["$filter", "$orderby", "$select", "$top", "$skip", "$count", "$expand"]

    /// The resource queried.
    public var resource: ResourceName
    /// `$filter`, checked.
    public var filter: CheckedFilter?
    /// `$orderby` keys, in order (empty when not given).
    public var orderBy: [ODataOrderKey] = []
    /// `$select` (`nil` when not given).
    public var select: ODataSelection?
    /// `$top`.
    public var top: Int?
    /// `$skip`.
    public var skip: Int?
    /// `$count`.
    public var count = false
    /// `$expand`: the navigation properties, in the order first named.
    public var expand: [ODataNavigation] = []

    /// Creates options with nothing asked for.
    public init(resource: ResourceName) { self.resource = resource }

    /// Parses and checks a request's query options for `Record`.
    ///
    /// - Parameters:
    ///   - options: the query's name/value pairs, percent-decoded, in request order.
    ///   - record: the resource's record type.
    ///   - navigation: the navigation properties paths and `$expand` may name.
    /// - Returns: the checked options.
    /// - Throws: ``ODataQueryError``: an unknown or repeated `$` option, a malformed value, a
    ///   property the resource lacks, a type mismatch; its `option` names the option at fault.
    public static func parse<Record: HubRecord>(
        _ options: [(name: String, value: String)], for record: Record.Type,
        navigation: any ODataNavigationResolver = ODataNavigationTable.none
    ) throws(ODataQueryError) -> ODataQueryOptions {
        var result = ODataQueryOptions(resource: Record.resource)
        var seen: Set<String> = []
        for (name, value) in options where name.hasPrefix("$") {
            guard known.contains(name) else {
                if unsupported.contains(name) {
                    throw ODataQueryError(.notSupported, "\(name) is not supported", at: 0, option: name)
                }
                throw ODataQueryError(.invalidOption, "unknown query option '\(name)'", at: 0, option: name)
            }
            guard seen.insert(name).inserted else {
                throw ODataQueryError(.invalidOption, "\(name) is given more than once", at: 0, option: name)
            }
            try FilterParser.checkLength(value, option: name)
            switch name {
            case "$filter":
                result.filter = try FilterChecker<Record>(navigation: navigation).check(value)
            case "$orderby":
                result.orderBy = try orderBy(value, FilterChecker<Record>(navigation: navigation, option: name))
            case "$select":
                result.select = try select(value, Record.resource, navigation)
            case "$expand":
                result.expand = try expand(value, Record.resource, navigation)
            case "$top":
                result.top = try bounded(value, name, maximumTop)
            case "$skip":
                result.skip = try bounded(value, name, maximumSkip)
            default:
                guard value == "true" || value == "false" else {
                    throw ODataQueryError(.invalidOption, "$count must be true or false", at: 0, option: name)
                }
                result.count = value == "true"
            }
        }
        return result
    }

    private static func bounded(_ value: String, _ name: String, _ maximum: Int) throws(ODataQueryError) -> Int {
        let isDigits = !value.isEmpty && value.utf8.allSatisfy { (48...57).contains($0) }
        guard isDigits else {
            throw ODataQueryError(.invalidOption, "\(name) must be a whole number from 0 to \(maximum)", at: 0, option: name)
        }
        guard let number = Int(value), number <= maximum else {
            throw ODataQueryError(.limitExceeded, "\(name) is at most \(maximum)", at: 0, option: name)
        }
        return number
    }

    // MARK: - Comma lists

    /// Splits `value` into comma-separated items, each starting with a path (or `*`).
    private static func items(_ value: String, _ name: String) throws(ODataQueryError) -> [(first: FilterToken, rest: [FilterToken])] {
        let tokens = try FilterLexer.tokens(of: value, option: name)
        var items: [(first: FilterToken, rest: [FilterToken])] = []
        var current: [FilterToken] = []
        for token in tokens {
            if token.kind == .comma || token.kind == .end {
                guard let first = current.first else {
                    throw ODataQueryError(.syntax, "expected a property name, found \(token.shown)", at: token.position, option: name)
                }
                items.append((first, Array(current.dropFirst())))
                current = []
            } else {
                current.append(token)
            }
        }
        return items
    }

    /// Reads `A/B/C` from the start of an item; returns the path and what follows it.
    private static func path(_ first: FilterToken, _ rest: [FilterToken], _ name: String) throws(ODataQueryError) -> (
        PropertyPath, ArraySlice<FilterToken>
    ) {
        guard case .identifier(let head) = first.kind else {
            throw ODataQueryError(.syntax, "expected a property name, found \(first.shown)", at: first.position, option: name)
        }
        var segments = [head]
        var remaining = rest[...]
        while let slash = remaining.first, slash.kind == .slash {
            guard let next = remaining.dropFirst().first, case .identifier(let segment) = next.kind else {
                let found = remaining.dropFirst().first?.shown ?? "the end of the text"
                throw ODataQueryError(.syntax, "expected a property name after '/', found \(found)", at: slash.position + 1, option: name)
            }
            segments.append(segment)
            remaining = remaining.dropFirst(2)
        }
        return (PropertyPath(segments), remaining)
    }

    /// A list item that must be one name (`$select`, `$expand`): a longer path is refused as "not supported".
    private static func singleName(_ first: FilterToken, _ rest: [FilterToken], _ name: String, refusingPaths what: String)
        throws(ODataQueryError) -> String
    {
        let (path, remaining) = try path(first, rest, name)
        if let extra = remaining.first {
            throw ODataQueryError(.syntax, "expected ',' after \(path), found \(extra.shown)", at: extra.position, option: name)
        }
        guard path.segments.count == 1, let single = path.segments.first else {
            throw ODataQueryError(.notSupported, "\(what) (\(path)) is not supported", at: first.position, option: name)
        }
        return single
    }

    private static func orderBy<Record: HubRecord>(_ value: String, _ checker: FilterChecker<Record>) throws(ODataQueryError)
        -> [ODataOrderKey]
    {
        let name = "$orderby"
        var keys: [ODataOrderKey] = []
        for (first, rest) in try items(value, name) {
            let (path, remaining) = try path(first, rest, name)
            var descending = false
            if let direction = remaining.first {
                guard direction.isIdentifier("asc") || direction.isIdentifier("desc"), direction.spaceBefore else {
                    throw ODataQueryError(
                        .syntax, "expected asc or desc after \(path), found \(direction.shown)", at: direction.position, option: name)
                }
                descending = direction.isIdentifier("desc")
                if let extra = remaining.dropFirst().first {
                    throw ODataQueryError(
                        .syntax, "expected ',' after \(path) \(direction.text), found \(extra.shown)", at: extra.position, option: name)
                }
            }
            let property = try checker.resolve(path, at: ODataPosition(first.position))
            guard property.type != .stringList else {
                throw ODataQueryError(.typeMismatch, "\(path) is a list of strings and cannot be sorted", at: first.position, option: name)
            }
            keys.append(ODataOrderKey(property, descending: descending))
        }
        return keys
    }

    private static func select(_ value: String, _ resource: ResourceName, _ navigation: any ODataNavigationResolver) throws(ODataQueryError)
        -> ODataSelection
    {
        let name = "$select"
        let types = ODataProperties.types(of: resource)
        var names: [String] = []
        var isAll = false
        for (first, rest) in try items(value, name) {
            if first.kind == .star, rest.isEmpty {
                isAll = true
                continue
            }
            let property = try singleName(first, rest, name, refusingPaths: "selecting through a navigation path")
            guard types[property] != nil else {
                if navigation.navigation(named: property, of: resource) != nil {
                    throw ODataQueryError(
                        .notSupported, "\(property) is a navigation property; use $expand", at: first.position, option: name)
                }
                throw ODataQueryError(
                    .unknownProperty, "\(resource.rawValue) has no property '\(property)'", at: first.position, option: name)
            }
            if !names.contains(property) { names.append(property) }
        }
        return isAll ? .all : .properties(names)
    }

    private static func expand(_ value: String, _ resource: ResourceName, _ navigation: any ODataNavigationResolver) throws(ODataQueryError)
        -> [ODataNavigation]
    {
        let name = "$expand"
        if let paren = value.unicodeScalars.firstIndex(of: "(") {
            let offset = value.unicodeScalars.distance(from: value.unicodeScalars.startIndex, to: paren)
            throw ODataQueryError(.notSupported, "options inside $expand (...) are not supported", at: offset, option: name)
        }
        var expanded: [ODataNavigation] = []
        for (first, rest) in try items(value, name) {
            if first.kind == .star {
                throw ODataQueryError(
                    .notSupported, "$expand=* is not supported; name the navigation properties", at: first.position, option: name)
            }
            let property = try singleName(first, rest, name, refusingPaths: "expanding a navigation path")
            guard let step = navigation.navigation(named: property, of: resource) else {
                throw ODataQueryError(
                    .unknownProperty, "\(resource.rawValue) has no navigation property '\(property)'", at: first.position, option: name)
            }
            if !expanded.contains(step) { expanded.append(step) }
        }
        return expanded
    }
}
