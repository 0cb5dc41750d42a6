/// The one error the stores throw: a stable, extensible code, a message for people and, for
/// diagnosis only, the database error underneath.
///
/// `description` (the code's wording and the message) is safe to log and to show: messages name
/// ids and tables, never statement arguments, credentials or connection passwords; the
/// underlying error appears only in `debugDescription`. Callers test ``code``
/// (`error.code == .notFound`), so adding a code breaks no caller.
public struct StoreError: CodedError {
    /// The class of a store failure: a stable snake_case code (adding one breaks no caller).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable snake_case name, usable as a metric label.
        public let rawValue: String
        /// How ``StoreError/description`` introduces the message.
        let wording: String
        private init(_ rawValue: String, wording: String) {
            self.rawValue = rawValue
            self.wording = wording
        }
        public var description: String { rawValue }

        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.rawValue == rhs.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

        /// What was asked for does not exist (a tenant, a connection, a delivery, a run).
        public static let notFound = Code("not_found", wording: "not found")
        /// The change collides with what is stored (an id or unique name taken, a stale pass).
        public static let conflict = Code("conflict", wording: "conflict")
        /// The request to the store is malformed (a list query, a batch, a database URL).
        public static let invalidQuery = Code("invalid_query", wording: "invalid query")
        /// The query is well formed but would read more rows than the store serves without an
        /// index (see ``ODataQueryLimits/unindexedRowLimit``).
        public static let queryTooLarge = Code("query_too_large", wording: "query too large")
        /// A delivery is not in the state the transition needs.
        public static let invalidTransition = Code("invalid_transition", wording: "invalid delivery transition")
        /// The database was migrated by a newer binary.
        public static let schemaTooNew = Code("schema_too_new", wording: "database schema is newer than this binary")
        /// The secret key is missing, malformed, or not the one the data was sealed with.
        public static let secretKey = Code("secret_key", wording: "secret key")
        /// The database failed (cannot open, I/O, a malformed row, a server error).
        public static let storage = Code("storage", wording: "storage")
    }

    /// What class of failure this is.
    public var code: Code
    /// What went wrong, for people; never statement arguments or secrets.
    public var message: String
    /// The lower-level cause (a database driver's error), shown only in `debugDescription`.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the class of failure.
    ///   - message: a message for people; must not contain statement arguments or secrets.
    ///   - underlying: the cause, for `debugDescription` only.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `"<wording>: <message>"`, e.g. `not found: tenant t9`; safe to log and show.
    public var description: String { "\(code.wording): \(message)" }
}

extension StoreError {
    /// ``Code/notFound``: what was asked for does not exist.
    public static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    /// ``Code/conflict``: the change collides with what is stored.
    public static func conflict(_ message: String, underlying: (any Error)? = nil) -> StoreError {
        StoreError(.conflict, message, underlying: underlying)
    }
    /// ``Code/invalidQuery``: the request to the store is malformed.
    public static func invalidQuery(_ message: String) -> StoreError { StoreError(.invalidQuery, message) }
    /// ``Code/queryTooLarge``: the query would scan more rows than the store serves without an index.
    public static func queryTooLarge(_ message: String) -> StoreError { StoreError(.queryTooLarge, message) }
    /// ``Code/invalidTransition``: the delivery is not in the state the transition needs.
    public static func invalidTransition(_ message: String) -> StoreError { StoreError(.invalidTransition, message) }
    /// ``Code/schemaTooNew``: the database was migrated by a newer binary.
    public static func schemaTooNew(_ message: String) -> StoreError { StoreError(.schemaTooNew, message) }
    /// ``Code/secretKey``: the secret key is missing, malformed or wrong.
    public static func secretKey(_ message: String, underlying: (any Error)? = nil) -> StoreError {
        StoreError(.secretKey, message, underlying: underlying)
    }
    /// ``Code/storage``: the database failed.
    public static func storage(_ message: String, underlying: (any Error)? = nil) -> StoreError {
        StoreError(.storage, message, underlying: underlying)
    }
}
