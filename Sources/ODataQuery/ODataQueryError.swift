/// Why a query was refused: a stable code, a message for the client and where the problem is.
///
/// Every error the parser, the checker and the option reader throw is of this one type, so a
/// caller maps them all to one 400 response.
public struct ODataQueryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible error code (snake_case on the wire).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The text is not valid query syntax (unknown token, missing operand, unbalanced parentheses).
        public static let syntax = Code("syntax_error")
        /// A property that the resource (or the navigation path) does not have.
        public static let unknownProperty = Code("unknown_property")
        /// An operand of the wrong type for its operator or for the other operand.
        public static let typeMismatch = Code("type_mismatch")
        /// Valid OData that the hub does not serve (yet).
        public static let notSupported = Code("not_supported")
        /// A limit: text too long, nesting too deep, a number past its documented bound.
        public static let limitExceeded = Code("limit_exceeded")
        /// A query option that is unknown, repeated, or whose value is malformed.
        public static let invalidOption = Code("invalid_option")
    }

    /// What kind of problem this is.
    public var code: Code
    /// A sentence for the client, naming the property or token at fault.
    public var message: String
    /// The offset (in Unicode scalars, from 0) in the option's value where the problem is; 0 when
    /// the problem is the option's name or its whole value (`$top`, `$skip`, `$count`).
    public var position: Int
    /// The query option whose value is at fault (`$filter`, `$orderby`, ...), when known.
    public var option: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, at position: Int, option: String? = nil) {
        self.code = code
        self.message = message
        self.position = position
        self.option = option
    }

    /// The message with the option and position, e.g. `$filter: unknown token '#' (at 9)`.
    public var description: String {
        (option.map { "\($0): " } ?? "") + "\(message) (at \(position))"
    }
}
