import HubOperations
import ODataQuery
import RealtyModel

/// Which resources a query reads besides its own (C87): every resource a `$filter` path or
/// lambda reaches through navigation, every `$orderby` path's, and every `$expand` target. The
/// token needs each one's read scope, as it would to read them directly.
enum ODataScopes {
    /// The resources `options` reach through navigation.
    static func reached(by options: ODataQueryOptions) -> Set<ResourceName> {
        var resources = Set(options.expand.map(\.target))
        for key in options.orderBy { collect(key.property, into: &resources) }
        if let filter = options.filter { collect(filter, into: &resources) }
        return resources
    }

    /// Checks that `scopes` may read `resource` and everything `options` reach.
    /// - Throws: ``ODataError`` 403 naming the first scope missing.
    static func check(_ scopes: ScopeSet, resource: ResourceName, options: ODataQueryOptions? = nil) throws {
        try check(scopes, resource)
        guard let options else { return }
        // Sorted, so the scope an error names does not depend on set order.
        for reached in reached(by: options).sorted(by: { $0.rawValue < $1.rawValue }) { try check(scopes, reached) }
    }

    static func check(_ scopes: ScopeSet, _ resource: ResourceName) throws {
        guard scopes.allows(resource.pathName, .read) else { throw ODataError.forbidden(scope: "\(resource.pathName):read") }
    }

    private static func collect(_ filter: CheckedFilter, into resources: inout Set<ResourceName>) {
        switch filter {
        case .comparison(_, let left, let right):
            collect(left, into: &resources)
            collect(right, into: &resources)
        case .membership(let operand, _):
            collect(operand, into: &resources)
        case .and(let operands), .or(let operands):
            for operand in operands { collect(operand, into: &resources) }
        case .not(let operand):
            collect(operand, into: &resources)
        case .stringTest(_, let first, let second):
            collect(first, into: &resources)
            collect(second, into: &resources)
        case .lambda(_, let source, _, let predicate):
            switch source {
            case .navigation(_, let path): resources.formUnion(path.map(\.target))
            case .stringList(let list): collect(list, into: &resources)
            }
            if let predicate { collect(predicate, into: &resources) }
        case .property(let property):
            collect(property, into: &resources)
        case .constant:
            return
        }
    }

    private static func collect(_ operand: CheckedOperand, into resources: inout Set<ResourceName>) {
        switch operand {
        case .property(let property): collect(property, into: &resources)
        case .literal: return
        case .tolower(let inner), .toupper(let inner): collect(inner, into: &resources)
        }
    }

    private static func collect(_ property: ResolvedProperty, into resources: inout Set<ResourceName>) {
        resources.formUnion(property.navigation.map(\.target))
    }
}
