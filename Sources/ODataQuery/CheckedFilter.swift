public import RealtyModel

/// A property a checked query names, resolved to the resource and field that hold it.
public struct ResolvedProperty: Hashable, Sendable {
    /// What a path starts from.
    public enum Base: Hashable, Sendable {
        /// The resource being queried.
        case root
        /// A lambda's range variable (`m` in `Media/any(m: m/Order lt 10)`).
        case variable(String)
    }

    /// Where the path starts.
    public var base: Base
    /// The single-valued navigation properties followed from the base (`ListAgent`).
    public var navigation: [ODataNavigation]
    /// The resource that holds the field.
    public var resource: ResourceName
    /// The field's name; `nil` when the property is a range variable over a string list (an element).
    public var name: String?
    /// The field's type.
    public var type: FieldType

    /// Creates a resolved property.
    public init(base: Base = .root, navigation: [ODataNavigation] = [], resource: ResourceName, name: String?, type: FieldType) {
        self.base = base
        self.navigation = navigation
        self.resource = resource
        self.name = name
        self.type = type
    }
}

/// A value in a checked filter: a property, a literal, or a case-folded string.
public indirect enum CheckedOperand: Hashable, Sendable {
    case property(ResolvedProperty)
    case literal(ODataLiteral)
    case tolower(CheckedOperand)
    case toupper(CheckedOperand)
}

/// What a checked lambda ranges over.
public enum LambdaSource: Hashable, Sendable {
    /// A collection navigation (the last element), reached from `base` through the others.
    case navigation(base: ResolvedProperty.Base, path: [ODataNavigation])
    /// The elements of a string-list field.
    case stringList(ResolvedProperty)
}

/// A `$filter` whose every property is resolved and whose every operand has the right type.
public indirect enum CheckedFilter: Hashable, Sendable {
    case comparison(ComparisonOperator, CheckedOperand, CheckedOperand)
    /// `operand in (literals)`.
    case membership(CheckedOperand, [ODataLiteral])
    case and([CheckedFilter])
    case or([CheckedFilter])
    case not(CheckedFilter)
    /// `contains`, `startswith` or `endswith` over two strings.
    case stringTest(FilterFunction, CheckedOperand, CheckedOperand)
    /// `any`/`all` with the range variable and predicate (`nil` for `any()`).
    case lambda(LambdaOperator, over: LambdaSource, variable: String?, predicate: CheckedFilter?)
    /// A boolean property used as a condition (`NewConstructionYN`).
    case property(ResolvedProperty)
    /// `true` or `false` as a condition.
    case constant(Bool)
}
