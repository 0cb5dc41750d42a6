/// Where a node of a parsed query was written: an offset in Unicode scalars from 0.
///
/// Positions annotate an expression for error messages; they take no part in equality, so two
/// expressions that differ only in where they were written (or one built by hand, at
/// ``unknown``) are equal.
public struct ODataPosition: Hashable, Sendable, CustomStringConvertible {
    /// The offset, or -1 when unknown.
    public var offset: Int
    /// Creates a position.
    public init(_ offset: Int) { self.offset = offset }
    /// A node built by hand rather than parsed.
    public static let unknown = ODataPosition(-1)
    public static func == (lhs: ODataPosition, rhs: ODataPosition) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
    public var description: String { String(offset) }
}

/// A path of property names: `ListPrice`, `ListAgent/MemberEmail`, `m/MediaCategory`.
public struct PropertyPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The segments, never empty when parsed.
    public var segments: [String]
    /// Creates a path from its segments.
    public init(_ segments: [String]) { self.segments = segments }
    /// Creates a path from `A/B/C` text.
    public init(stringLiteral value: String) { segments = value.split(separator: "/").map(String.init) }
    public var description: String { segments.joined(separator: "/") }
}

/// `eq ne gt ge lt le`.
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
    case eq, ne, gt, ge, lt, le
    /// Whether the operator orders (`gt ge lt le`) rather than tests equality.
    public var isOrdering: Bool { self != .eq && self != .ne }
}

/// The built-in functions the hub serves.
public enum FilterFunction: String, Hashable, Sendable, CaseIterable {
    case contains, startswith, endswith, tolower, toupper
    /// How many arguments the function takes.
    public var arity: Int {
        switch self {
        case .contains, .startswith, .endswith: return 2
        case .tolower, .toupper: return 1
        }
    }
    /// Whether the function is a predicate (`contains` ...) rather than a string operand.
    public var isPredicate: Bool { arity == 2 }
}

/// `any` or `all`.
public enum LambdaOperator: String, Hashable, Sendable, CaseIterable {
    case any, all
}

/// The `m: predicate` part of a lambda.
public struct LambdaPredicate: Hashable, Sendable {
    /// The range variable (`m`).
    public var variable: String
    /// The predicate over the variable.
    public var body: FilterExpression
    /// Creates a lambda predicate.
    public init(_ variable: String, _ body: FilterExpression) {
        self.variable = variable
        self.body = body
    }
}

/// A `$filter` as written: the syntax tree the parser builds, before any property is resolved.
///
/// `and`/`or` are n-ary: `a and b and c` is one `and` of three operands (so a long chain is a
/// list, not a deep tree), and `(a and b) and c` keeps its parentheses as a nested `and`.
/// Comparisons do not chain. Its ``description`` prints canonical text that parses back to an
/// equal tree.
public indirect enum FilterExpression: Hashable, Sendable, CustomStringConvertible {
    case literal(ODataLiteral, at: ODataPosition = .unknown)
    case property(PropertyPath, at: ODataPosition = .unknown)
    /// A comparison; the position is the operator's.
    case comparison(ComparisonOperator, FilterExpression, FilterExpression, at: ODataPosition = .unknown)
    /// `operand in (items)`; the position is the `in`'s.
    case membership(FilterExpression, [FilterExpression], at: ODataPosition = .unknown)
    /// Two or more operands joined by `and`.
    case and([FilterExpression])
    /// Two or more operands joined by `or`.
    case or([FilterExpression])
    /// `not operand`; the position is the `not`'s.
    case not(FilterExpression, at: ODataPosition = .unknown)
    /// A function call; the position is the function name's.
    case call(FilterFunction, [FilterExpression], at: ODataPosition = .unknown)
    /// `path/any(v: body)`, `path/all(v: body)` or `path/any()`; the position is the path's.
    case lambda(PropertyPath, LambdaOperator, LambdaPredicate?, at: ODataPosition = .unknown)

    /// Where the node was written (for `and`/`or`, their first operand's position).
    public var position: ODataPosition {
        switch self {
        case .literal(_, let at), .property(_, let at), .comparison(_, _, _, let at), .membership(_, _, let at),
            .not(_, let at), .call(_, _, let at), .lambda(_, _, _, let at):
            return at
        case .and(let operands), .or(let operands): return operands.first?.position ?? .unknown
        }
    }

    /// Canonical text: single spaces around operators, parentheses only where precedence needs them.
    public var description: String {
        var printer = FilterPrinter()
        printer.print(self, minimumLevel: FilterPrinter.Level.or)
        return printer.text
    }
}

/// Prints a ``FilterExpression`` with the fewest parentheses that keep its shape. It recurses as
/// deep as the tree; parsed trees are bounded by ``FilterParser/maximumDepth``.
struct FilterPrinter {
    enum Level {
        static let or = 1
        static let and = 2
        static let comparison = 3
        static let unary = 4
        static let membership = 5
        static let primary = 6
    }

    var text = ""

    static func level(of expression: FilterExpression) -> Int {
        switch expression {
        case .or: return Level.or
        case .and: return Level.and
        case .comparison: return Level.comparison
        case .membership: return Level.membership
        case .not: return Level.unary
        case .literal, .property, .call, .lambda: return Level.primary
        }
    }

    mutating func print(_ expression: FilterExpression, minimumLevel: Int) {
        let wrap = Self.level(of: expression) < minimumLevel
        if wrap { text += "(" }
        switch expression {
        case .literal(let literal, _): text += literal.text
        case .property(let path, _): text += path.description
        case .comparison(let op, let left, let right, _):
            print(left, minimumLevel: Level.unary)
            text += " \(op.rawValue) "
            print(right, minimumLevel: Level.unary)
        case .membership(let operand, let items, _):
            print(operand, minimumLevel: Level.primary)
            text += " in ("
            printList(items)
            text += ")"
        case .and(let operands):
            for (index, operand) in operands.enumerated() {
                if index > 0 { text += " and " }
                print(operand, minimumLevel: Level.comparison)
            }
        case .or(let operands):
            for (index, operand) in operands.enumerated() {
                if index > 0 { text += " or " }
                print(operand, minimumLevel: Level.and)
            }
        case .not(let operand, _):
            text += "not "
            print(operand, minimumLevel: Level.unary)
        case .call(let function, let arguments, _):
            text += function.rawValue + "("
            printList(arguments)
            text += ")"
        case .lambda(let path, let op, let predicate, _):
            text += "\(path)/\(op.rawValue)("
            if let predicate {
                text += predicate.variable + ":"
                print(predicate.body, minimumLevel: Level.or)
            }
            text += ")"
        }
        if wrap { text += ")" }
    }

    private mutating func printList(_ items: [FilterExpression]) {
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            print(item, minimumLevel: Level.or)
        }
    }
}
