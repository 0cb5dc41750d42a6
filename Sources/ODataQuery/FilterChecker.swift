public import RealtyModel

/// Resolves and type-checks a parsed `$filter` against the resource `Record`.
///
/// Readings this checker takes:
/// - A string field compares with strings or `null`; integer and decimal fields with any number;
///   timestamps with date-time literals; date fields with date literals; booleans with booleans.
///   `null` and booleans compare only with `eq`/`ne`.
/// - `contains`, `startswith`, `endswith`, `tolower`, `toupper` take strings only.
/// - A `stringList` field (a RESO multi-select lookup such as `MemberLanguages`) is a collection:
///   `MemberLanguages/any(x: x eq 'Spanish')` and `all(...)` range over its elements (the
///   variable is a string). `contains(MemberLanguages, 'Spanish')` and comparisons of the whole
///   list are refused, since `contains` is a substring test in OData and would be ambiguous
///   between "an element equals" and "an element contains".
/// - A path may follow single-valued navigation (`ListAgent/MemberEmail`); a collection
///   navigation (`Media`) is reachable only through `any`/`all`. Range variables do not shadow:
///   a lambda may not reuse an outer variable's name.
public struct FilterChecker<Record: HubRecord>: Sendable {
    /// The deepest expression tree checked (parsed trees stay well within it).
    static var maximumTreeDepth: Int { 4 * FilterParser.maximumDepth + 8 }

    private let navigation: any ODataNavigationResolver
    private let option: String

    /// Creates a checker.
    ///
    /// - Parameters:
    ///   - navigation: the navigation properties paths may follow.
    ///   - option: the option name errors carry.
    public init(navigation: any ODataNavigationResolver = ODataNavigationTable.none, option: String = "$filter") {
        self.navigation = navigation
        self.option = option
    }

    /// Parses and checks `$filter` text.
    ///
    /// - Throws: ``ODataQueryError`` naming the property or token at fault.
    public func check(_ text: String) throws(ODataQueryError) -> CheckedFilter {
        try check(try FilterParser.parse(text, option: option))
    }

    /// Checks a parsed filter.
    ///
    /// - Throws: ``ODataQueryError`` naming the property and the problem.
    public func check(_ expression: FilterExpression) throws(ODataQueryError) -> CheckedFilter {
        try condition(expression, Scope(), depth: 1)
    }

    // MARK: - Scope

    /// What a range variable stands for.
    enum VariableTarget {
        case record(ResourceName)
        case element(of: ResolvedProperty)
    }

    struct Scope {
        var variables: [(name: String, target: VariableTarget)] = []
        func target(of name: String) -> VariableTarget? { variables.last { $0.name == name }?.target }
    }

    private func error(_ code: ODataQueryError.Code, _ message: String, at position: ODataPosition) -> ODataQueryError {
        ODataQueryError(code, message, at: max(position.offset, 0), option: option)
    }

    private func checkDepth(_ depth: Int, _ expression: FilterExpression) throws(ODataQueryError) {
        guard depth <= Self.maximumTreeDepth else {
            throw error(.limitExceeded, "the expression nests deeper than \(Self.maximumTreeDepth) levels", at: expression.position)
        }
    }

    // MARK: - Conditions

    private func condition(_ expression: FilterExpression, _ scope: Scope, depth: Int) throws(ODataQueryError) -> CheckedFilter {
        try checkDepth(depth, expression)
        switch expression {
        case .and(let operands):
            var checked: [CheckedFilter] = []
            for operand in operands { checked.append(try condition(operand, scope, depth: depth + 1)) }
            return .and(checked)
        case .or(let operands):
            var checked: [CheckedFilter] = []
            for operand in operands { checked.append(try condition(operand, scope, depth: depth + 1)) }
            return .or(checked)
        case .not(let operand, _):
            return .not(try condition(operand, scope, depth: depth + 1))
        case .comparison(let op, let left, let right, let at):
            let (leftOperand, leftType) = try operand(left, scope, depth: depth + 1)
            let (rightOperand, rightType) = try operand(right, scope, depth: depth + 1)
            try checkComparable(op, left, leftType, right, rightType, at: at)
            return .comparison(op, leftOperand, rightOperand)
        case .membership(let subject, let items, let at):
            let (checkedSubject, subjectType) = try operand(subject, scope, depth: depth + 1)
            var literals: [ODataLiteral] = []
            for item in items {
                guard case .literal(let literal, _) = item else {
                    throw error(.notSupported, "an 'in' list holds literals only; \(item) is not one", at: item.position)
                }
                try checkComparable(.eq, subject, subjectType, item, Self.type(of: literal), at: at)
                literals.append(literal)
            }
            return .membership(checkedSubject, literals)
        case .call(let function, let arguments, let at):
            guard function.isPredicate, arguments.count == 2 else {
                throw error(.typeMismatch, "\(expression) is a string; a condition must be true or false", at: at)
            }
            let (first, firstType) = try operand(arguments[0], scope, depth: depth + 1)
            let (second, secondType) = try operand(arguments[1], scope, depth: depth + 1)
            try checkString(arguments[0], firstType, in: function)
            try checkString(arguments[1], secondType, in: function)
            return .stringTest(function, first, second)
        case .lambda(let path, let op, let predicate, let at):
            return try lambda(path, op, predicate, scope, at: at, depth: depth)
        case .property(let path, let at):
            let property = try resolve(path, scope, at: at)
            guard property.type == .boolean else {
                throw error(.typeMismatch, "\(path) is \(property.type.noun); a condition must be true or false", at: at)
            }
            return .property(property)
        case .literal(let literal, let at):
            guard case .boolean(let flag) = literal else {
                let noun = Self.type(of: literal)?.noun ?? "null"
                throw error(.typeMismatch, "\(literal.text) is \(noun); a condition must be true or false", at: at)
            }
            return .constant(flag)
        }
    }

    private func lambda(
        _ path: PropertyPath, _ op: LambdaOperator, _ predicate: LambdaPredicate?, _ scope: Scope, at: ODataPosition, depth: Int
    ) throws(ODataQueryError) -> CheckedFilter {
        let (base, hops, lastResource) = try walk(path.segments.dropLast(), scope, at: at)
        guard let last = path.segments.last else { throw error(.syntax, "a lambda needs a collection before '/\(op.rawValue)'", at: at) }
        let source: LambdaSource
        let target: VariableTarget
        if let step = navigation.navigation(named: last, of: lastResource) {
            guard step.isCollection else {
                throw error(
                    .typeMismatch, "\(path) is a single \(step.target.rawValue), not a collection; \(op.rawValue)() needs a collection",
                    at: at)
            }
            source = .navigation(base: base, path: hops + [step])
            target = .record(step.target)
        } else if let type = ODataProperties.types(of: lastResource)[last] {
            guard type == .stringList else {
                throw error(.typeMismatch, "\(path) is \(type.noun), not a collection; \(op.rawValue)() needs a collection", at: at)
            }
            let list = ResolvedProperty(base: base, navigation: hops, resource: lastResource, name: last, type: .stringList)
            source = .stringList(list)
            target = .element(of: list)
        } else {
            throw error(.unknownProperty, "\(lastResource.rawValue) has no property '\(last)'", at: at)
        }
        guard let predicate else { return .lambda(op, over: source, variable: nil, predicate: nil) }
        guard scope.target(of: predicate.variable) == nil else {
            throw error(.syntax, "the lambda variable '\(predicate.variable)' is already in use", at: at)
        }
        var inner = scope
        inner.variables.append((predicate.variable, target))
        let body = try condition(predicate.body, inner, depth: depth + 1)
        return .lambda(op, over: source, variable: predicate.variable, predicate: body)
    }

    // MARK: - Operands

    /// The type of a checked operand; `nil` for `null`.
    static func type(of literal: ODataLiteral) -> FieldType? {
        switch literal {
        case .null: return nil
        case .boolean: return .boolean
        case .string: return .string
        case .integer: return .integer
        case .decimal: return .decimal
        case .date: return .date
        case .dateTimeOffset: return .timestamp
        }
    }

    private func operand(_ expression: FilterExpression, _ scope: Scope, depth: Int) throws(ODataQueryError) -> (CheckedOperand, FieldType?)
    {
        try checkDepth(depth, expression)
        switch expression {
        case .literal(let literal, _):
            return (.literal(literal), Self.type(of: literal))
        case .property(let path, let at):
            let property = try resolve(path, scope, at: at)
            return (.property(property), property.type)
        case .call(let function, let arguments, let at) where !function.isPredicate:
            guard arguments.count == 1 else { throw error(.syntax, "\(function.rawValue) takes 1 argument", at: at) }
            let (inner, type) = try operand(arguments[0], scope, depth: depth + 1)
            try checkString(arguments[0], type, in: function)
            return (function == .tolower ? .tolower(inner) : .toupper(inner), .string)
        default:
            throw error(.typeMismatch, "\(expression) is a condition, not a value", at: expression.position)
        }
    }

    private func checkString(_ expression: FilterExpression, _ type: FieldType?, in function: FilterFunction) throws(ODataQueryError) {
        if type == .string { return }
        if type == .stringList {
            throw error(
                .typeMismatch,
                "\(expression) is a list of strings; \(function.rawValue)() takes strings (use \(expression)/any(x: x eq '...'))",
                at: expression.position)
        }
        throw error(
            .typeMismatch, "\(function.rawValue)() takes strings; \(expression) is \(type?.noun ?? "null")", at: expression.position)
    }

    private func checkComparable(
        _ op: ComparisonOperator, _ left: FilterExpression, _ leftType: FieldType?, _ right: FilterExpression, _ rightType: FieldType?,
        at: ODataPosition
    ) throws(ODataQueryError) {
        for (expression, type) in [(left, leftType), (right, rightType)] where type == .stringList {
            throw error(.typeMismatch, "\(expression) is a list of strings; use \(expression)/any(x: x eq '...')", at: at)
        }
        guard let leftType, let rightType else {
            guard !op.isOrdering else { throw error(.typeMismatch, "null can only be compared with eq or ne", at: at) }
            return
        }
        let numbers: Set<FieldType> = [.integer, .decimal]
        if leftType == rightType || (numbers.contains(leftType) && numbers.contains(rightType)) {
            if leftType == .boolean, op.isOrdering {
                throw error(.typeMismatch, "booleans can only be compared with eq or ne", at: at)
            }
            return
        }
        throw error(.typeMismatch, "\(left) is \(leftType.noun); \(right) is \(rightType.noun)", at: at)
    }

    // MARK: - Paths

    /// Follows the leading segments of a path: a range variable or the root, then single-valued navigation.
    private func walk(_ segments: ArraySlice<String>, _ scope: Scope, at: ODataPosition) throws(ODataQueryError) -> (
        ResolvedProperty.Base, [ODataNavigation], ResourceName
    ) {
        var base = ResolvedProperty.Base.root
        var resource = Record.resource
        var rest = segments
        if let first = rest.first, let target = scope.target(of: first) {
            rest = rest.dropFirst()
            base = .variable(first)
            switch target {
            case .record(let targetResource):
                resource = targetResource
            case .element:
                // Only a path's leading segments are walked, so a property follows the element.
                throw error(.typeMismatch, "\(first) is a string; it has no properties", at: at)
            }
        }
        var hops: [ODataNavigation] = []
        for segment in rest {
            guard let step = navigation.navigation(named: segment, of: resource) else {
                if let type = ODataProperties.types(of: resource)[segment] {
                    throw error(.typeMismatch, "\(segment) is \(type.noun); it has no properties", at: at)
                }
                throw error(.unknownProperty, "\(resource.rawValue) has no navigation property '\(segment)'", at: at)
            }
            guard !step.isCollection else {
                throw error(
                    .typeMismatch, "\(segment) is a collection; filter it with \(segment)/any(...) or \(segment)/all(...)", at: at)
            }
            hops.append(step)
            resource = step.target
        }
        return (base, hops, resource)
    }

    func resolve(_ path: PropertyPath, _ scope: Scope = Scope(), at: ODataPosition) throws(ODataQueryError) -> ResolvedProperty {
        if path.segments.count == 1, let name = path.segments.first, let target = scope.target(of: name) {
            guard case .element(let list) = target else {
                throw error(.typeMismatch, "\(name) is a range variable over records; name one of its properties", at: at)
            }
            return ResolvedProperty(base: .variable(name), navigation: [], resource: list.resource, name: nil, type: .string)
        }
        guard let last = path.segments.last else { throw error(.syntax, "expected a property name", at: at) }
        let (base, hops, resource) = try walk(path.segments.dropLast(), scope, at: at)
        if let type = ODataProperties.types(of: resource)[last] {
            return ResolvedProperty(base: base, navigation: hops, resource: resource, name: last, type: type)
        }
        if let step = navigation.navigation(named: last, of: resource) {
            let hint = step.isCollection ? "filter it with \(last)/any(...)" : "name one of its properties, as in \(last)/<property>"
            throw error(.typeMismatch, "\(last) is a navigation property; \(hint)", at: at)
        }
        throw error(.unknownProperty, "\(resource.rawValue) has no property '\(last)'", at: at)
    }
}
