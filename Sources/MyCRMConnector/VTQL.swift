/// Building VTQL statements for the `query` operation, safely.
///
/// VTQL grammar (vtiger `VTQL_Parser`): `SELECT (* | col[, col…]) FROM <Module> [WHERE cond
/// (AND|OR) cond …] [ORDER BY col[, col…] [ASC|DESC]] [LIMIT n | LIMIT offset, n] ;`. The
/// statement must end with `;`, string values are single-quoted with `''` standing for one quote,
/// and one page holds at most 100 rows.
///
/// Nothing is ever spliced in raw: module and column names must be plain identifiers, string
/// values are quoted and escaped, integers are written as digits. Values a VTQL reader could
/// treat differently (a backslash, which MySQL-backed servers read as an escape; control
/// characters; NUL) are refused rather than guessed at.
struct VTQLSelect: Sendable, Hashable {
    /// The largest page the server returns (`LIMIT` counts above it are clamped by the server).
    static let maximumPageSize = 100

    /// A comparison in a `WHERE` clause.
    struct Condition: Sendable, Hashable {
        enum Operator: String, Sendable, Hashable {
            case equal = "="
            case notEqual = "!="
            case less = "<"
            case greater = ">"
            case lessOrEqual = "<="
            case greaterOrEqual = ">="
            case like = "LIKE"
        }

        var column: String
        var op: Operator
        var value: Value

        static func equal(_ column: String, _ text: String) -> Condition {
            Condition(column: column, op: .equal, value: .string(text))
        }
    }

    /// A literal value.
    enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int)
    }

    /// How the conditions of the `WHERE` clause combine (VTQL has no parentheses, so one kind).
    enum Conjunction: String, Sendable, Hashable {
        case and = "AND"
        case or = "OR"
    }

    var module: String
    /// `nil` selects `*`.
    var columns: [String]? = nil
    var conditions: [Condition] = []
    var conjunction: Conjunction = .and
    var orderBy: [String] = []
    var offset: Int? = nil
    var limit: Int? = nil

    /// The statement text, ending with `;`.
    ///
    /// - Throws: ``VTQLError`` when a name is not a plain identifier, a value cannot be written
    ///   safely, or the limit is outside 1...100.
    func text() throws(VTQLError) -> String {
        var out = "select "
        if let columns, !columns.isEmpty {
            out += try VTQLSelect.identifiers(columns)
        } else {
            out += "*"
        }
        out += " from " + (try VTQLSelect.identifier(module))
        if !conditions.isEmpty {
            var parts: [String] = []
            for condition in conditions {
                parts.append(
                    try VTQLSelect.identifier(condition.column) + " " + condition.op.rawValue + " "
                        + (try VTQLSelect.literal(condition.value)))
            }
            out += " where " + parts.joined(separator: " " + conjunction.rawValue.lowercased() + " ")
        }
        if !orderBy.isEmpty {
            out += " order by " + (try VTQLSelect.identifiers(orderBy))
        }
        if let limit {
            guard (1...VTQLSelect.maximumPageSize).contains(limit) else {
                throw VTQLError("a VTQL page holds 1 to \(VTQLSelect.maximumPageSize) rows, not \(limit)")
            }
            if let offset {
                guard offset >= 0 else { throw VTQLError("a VTQL offset cannot be negative") }
                out += " limit \(offset), \(limit)"
            } else {
                out += " limit \(limit)"
            }
        } else if offset != nil {
            throw VTQLError("a VTQL offset needs a limit")
        }
        return out + ";"
    }

    /// Checks a list of identifiers and joins them with `, `.
    static func identifiers(_ names: [String]) throws(VTQLError) -> String {
        var checked: [String] = []
        for name in names { checked.append(try identifier(name)) }
        return checked.joined(separator: ", ")
    }

    /// Checks that `name` is a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`) and returns it.
    static func identifier(_ name: String) throws(VTQLError) -> String {
        var first = true
        for byte in name.utf8 {
            let isLetter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
            let isDigit = byte >= 48 && byte <= 57
            guard isLetter || (!first && isDigit) else {
                throw VTQLError("\"\(name)\" is not a VTQL identifier")
            }
            first = false
        }
        guard !first else { throw VTQLError("an empty VTQL identifier") }
        return name
    }

    /// Writes a literal: integers as digits, strings single-quoted with quotes doubled.
    static func literal(_ value: Value) throws(VTQLError) -> String {
        switch value {
        case .integer(let number):
            return String(number)
        case .string(let text):
            var out = "'"
            for scalar in text.unicodeScalars {
                switch scalar {
                case "'":
                    out += "''"
                case "\\":
                    throw VTQLError("a VTQL string value cannot contain a backslash")
                default:
                    guard scalar.value >= 0x20, scalar.value != 0x7f else {
                        throw VTQLError("a VTQL string value cannot contain control characters")
                    }
                    out.unicodeScalars.append(scalar)
                }
            }
            return out + "'"
        }
    }
}

/// A VTQL statement could not be built safely from the given names or values.
struct VTQLError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
