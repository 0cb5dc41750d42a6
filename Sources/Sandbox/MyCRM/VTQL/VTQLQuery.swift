/// A parsed VTQL statement: `select … from Module [where …] [order by …] [limit …];`.
struct VTQLQuery: Sendable, Equatable {
    /// What the statement selects.
    enum Selection: Sendable, Equatable {
        /// `*`: every field of the module.
        case all
        /// `count(*)`: one row `{"count":"N"}`.
        case count
        /// Named columns, in the order written.
        case columns([String])
    }

    /// One `order by` key.
    struct Ordering: Sendable, Equatable {
        var column: String
        var ascending: Bool
    }

    /// `limit count` or `limit offset, count`, as written (the 100-row cap is applied when run).
    struct Limit: Sendable, Equatable {
        var offset: Int
        var count: Int
    }

    var selection: Selection
    var module: String
    var condition: VTQLCondition?
    var ordering: [Ordering]
    var limit: Limit?
}

/// A literal on the right-hand side of a condition.
enum VTQLValue: Sendable, Equatable {
    case string(String)
    case number(String)

    /// The value as text, as the database sees it.
    var text: String {
        switch self {
        case .string(let text), .number(let text): text
        }
    }
}

/// A comparison operator in a `where` clause.
enum VTQLOperator: String, Sendable, Equatable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
}

/// The `where` clause as a tree. `and` binds tighter than `or`, as in the SQL the vendor
/// generates from it.
indirect enum VTQLCondition: Sendable, Equatable {
    case compare(column: String, VTQLOperator, VTQLValue)
    case like(column: String, pattern: String)
    case `in`(column: String, [VTQLValue])
    case and(VTQLCondition, VTQLCondition)
    case or(VTQLCondition, VTQLCondition)

    /// Every column the condition reads, in order of appearance.
    var columns: [String] {
        switch self {
        case .compare(let column, _, _), .like(let column, _), .in(let column, _): [column]
        case .and(let lhs, let rhs), .or(let lhs, let rhs): lhs.columns + rhs.columns
        }
    }
}
