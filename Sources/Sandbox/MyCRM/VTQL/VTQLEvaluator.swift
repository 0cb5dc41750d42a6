import RealtyModel

/// The rows a VTQL statement runs over: one module's records as field → string maps, in
/// record-number order, read by position or scanned one at a time (never all held at once).
struct VTQLTable: Sendable {
    /// Module name, for messages.
    var module: String
    /// Field names in `describe` order, including `id`.
    var fields: [String]
    /// Fields whose values are webservice ids (`19x1`): `id` and the reference/owner fields.
    var idFields: Set<String>
    /// How many rows there are.
    var count: Int
    /// The row at a position of record-number order, `nil` out of range.
    var row: @Sendable (Int) -> [String: String]?
    /// Visits the rows in record-number order until the visitor answers `false`.
    var scan: @Sendable (([String: String]) -> Bool) -> Void

    /// A table over rows produced on demand.
    init(
        module: String, fields: [String], idFields: Set<String>, count: Int,
        row: @escaping @Sendable (Int) -> [String: String]?,
        scan: @escaping @Sendable (([String: String]) -> Bool) -> Void
    ) {
        self.module = module
        self.fields = fields
        self.idFields = idFields
        self.count = count
        self.row = row
        self.scan = scan
    }

    /// A table over rows held in memory (each has an `id`), put in record-number order.
    init(module: String, fields: [String], idFields: Set<String>, rows: [[String: String]]) {
        let sorted = rows.sorted { VTQLEvaluator.compare($0["id"] ?? "", $1["id"] ?? "", asIDs: true) < 0 }
        self.init(
            module: module, fields: fields, idFields: idFields, count: sorted.count,
            row: { position in sorted.indices.contains(position) ? sorted[position] : nil },
            scan: { visit in
                for row in sorted where !visit(row) { return }
            })
    }
}

/// Runs parsed VTQL over a table the way the vendor's SQL would.
///
/// Semantics chosen to match the MySQL the vendor runs on:
/// - comparisons are numeric when both sides read as numbers, otherwise case-insensitive text;
/// - `like` is case-insensitive with `%` (any run) and `_` (one character), `\` escaping;
/// - id and reference fields compare by their numeric record part, and their literals must be
///   webservice ids (`19x1`), else `INVALID_ID_ATTRIBUTE`, as in the vendor;
/// - without `order by` rows come in record-id order; ties in `order by` also fall back to it;
/// - at most `rowCap` (100) rows per statement: no `limit` means `limit 100`, and a larger count
///   is clamped;
/// - every row carries `id`, even when not selected, so clients can key and page the rows.
enum VTQLEvaluator {
    /// The vendor's per-query row cap.
    static let rowCap = 100

    /// Runs `query` over `table`.
    /// - Returns: the JSON array the `query` operation answers.
    /// - Throws: `ACCESS_DENIED` for a field the module does not have, `INVALID_ID_ATTRIBUTE` for
    ///   a malformed id literal.
    /// The columns of each answer row, in the vendor's order: the selected ones (`id` added
    /// last when not selected), or every field for `*`.
    static func columns(of query: VTQLQuery, fields: [String]) -> [String] {
        switch query.selection {
        case .all: return fields
        case .columns(let selected):
            var unique: [String] = []
            for column in selected + ["id"] where !unique.contains(column) { unique.append(column) }
            return unique
        case .count: return []
        }
    }

    static func run(_ query: VTQLQuery, on table: VTQLTable) throws(MyCRMError) -> JSONValue {
        let known = Set(table.fields)
        var referenced: [String] = []
        if case .columns(let columns) = query.selection { referenced += columns }
        referenced += query.condition?.columns ?? []
        referenced += query.ordering.map(\.column)
        for column in referenced where !known.contains(column) {
            throw MyCRMError(
                .accessDenied,
                "Permission to access \(column) attribute denied. (\(table.module) has no field '\(column)'; see describe)")
        }
        if let condition = query.condition { try validateIDLiterals(condition, idFields: table.idFields) }

        let condition = query.condition
        let idFields = table.idFields
        func accepts(_ row: [String: String]) -> Bool {
            condition.map { matches($0, row: row, idFields: idFields) } ?? true
        }
        if case .count = query.selection {
            var matched = 0
            if condition == nil {
                matched = table.count
            } else {
                table.scan { row in
                    if accepts(row) { matched += 1 }
                    return true
                }
            }
            return .array([MyCRMWire.object([("count", .string(String(matched)))])])
        }
        let offset = max(0, query.limit?.offset ?? 0)
        let count = max(0, min(query.limit?.count ?? rowCap, rowCap))
        let (sum, overflow) = offset.addingReportingOverflow(count)
        let windowEnd = overflow ? Int.max : sum
        var page: [[String: String]] = []
        // Record-number order (no `order by`, or `order by id` first) reads rows by position or
        // stops scanning at the page's end; any other order keeps only the page's candidates.
        let byID = query.ordering.first.map { $0.column == "id" } ?? true
        let ascending = query.ordering.first?.ascending ?? true
        if byID, condition == nil {
            let end = min(table.count, windowEnd)
            if offset < end {
                for position in offset..<end {
                    if let row = table.row(ascending ? position : table.count - 1 - position) { page.append(row) }
                }
            }
        } else if byID, ascending {
            var skipped = 0
            if count > 0 {
                table.scan { row in
                    guard accepts(row) else { return true }
                    if skipped < offset {
                        skipped += 1
                        return true
                    }
                    page.append(row)
                    return page.count < count
                }
            }
        } else {
            let ordering = query.ordering
            func precedes(_ lhs: [String: String], _ rhs: [String: String]) -> Bool {
                for key in ordering {
                    let order = compare(lhs[key.column] ?? "", rhs[key.column] ?? "", asIDs: idFields.contains(key.column))
                    if order != 0 { return key.ascending ? order < 0 : order > 0 }
                }
                return compare(lhs["id"] ?? "", rhs["id"] ?? "", asIDs: true) < 0
            }
            let keep = windowEnd
            var window: [[String: String]] = []
            if count > 0 {
                table.scan { row in
                    guard accepts(row) else { return true }
                    window.insertKeepingSmallest(row, capacity: keep, by: precedes)
                    return true
                }
            }
            page = Array(window.dropFirst(offset))
        }

        let columns = Self.columns(of: query, fields: table.fields)
        return .array(page.map { row in MyCRMWire.object(columns.map { ($0, .string(row[$0] ?? "")) }) })
    }

    private static func validateIDLiterals(_ condition: VTQLCondition, idFields: Set<String>) throws(MyCRMError) {
        switch condition {
        case .compare(let column, _, let value):
            if idFields.contains(column), webserviceCRMID(value.text) == nil { throw MyCRMError.incorrectID }
        case .in(let column, let values):
            if idFields.contains(column), values.contains(where: { webserviceCRMID($0.text) == nil }) {
                throw MyCRMError.incorrectID
            }
        case .like:
            break
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            try validateIDLiterals(lhs, idFields: idFields)
            try validateIDLiterals(rhs, idFields: idFields)
        }
    }

    /// The record number of a webservice id `NNxMMM`, or `nil` if it is not one.
    static func webserviceCRMID(_ text: String) -> Int? {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, Int(parts[0]) != nil, let number = Int(parts[1]) else { return nil }
        return number
    }

    static func matches(_ condition: VTQLCondition, row: [String: String], idFields: Set<String>) -> Bool {
        switch condition {
        case .compare(let column, let op, let value):
            let order = compare(row[column] ?? "", value.text, asIDs: idFields.contains(column))
            switch op {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .greater: return order > 0
            case .lessOrEqual: return order <= 0
            case .greaterOrEqual: return order >= 0
            }
        case .like(let column, let pattern):
            return like(row[column] ?? "", pattern: pattern)
        case .in(let column, let values):
            let value = row[column] ?? ""
            return values.contains { compare(value, $0.text, asIDs: idFields.contains(column)) == 0 }
        case .and(let lhs, let rhs):
            return matches(lhs, row: row, idFields: idFields) && matches(rhs, row: row, idFields: idFields)
        case .or(let lhs, let rhs):
            return matches(lhs, row: row, idFields: idFields) || matches(rhs, row: row, idFields: idFields)
        }
    }

    /// Three-way comparison: negative, zero or positive.
    static func compare(_ lhs: String, _ rhs: String, asIDs: Bool) -> Int {
        if asIDs {
            let left = webserviceCRMID(lhs) ?? Int(lhs) ?? 0
            let right = webserviceCRMID(rhs) ?? Int(rhs) ?? 0
            return left < right ? -1 : (left > right ? 1 : 0)
        }
        let trimmedLeft = trimmed(lhs)
        let trimmedRight = trimmed(rhs)
        if let left = Double(trimmedLeft), let right = Double(trimmedRight), !trimmedLeft.isEmpty, !trimmedRight.isEmpty {
            return left < right ? -1 : (left > right ? 1 : 0)
        }
        let left = lhs.lowercased()
        let right = rhs.lowercased()
        return left < right ? -1 : (left > right ? 1 : 0)
    }

    /// SQL `LIKE`, case-insensitive.
    static func like(_ value: String, pattern: String) -> Bool {
        enum Piece: Equatable {
            case literal(Character)
            case one
            case any
        }
        var pieces: [Piece] = []
        var escaping = false
        for character in pattern.lowercased() {
            if escaping {
                pieces.append(.literal(character))
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "%" {
                if pieces.last != .any { pieces.append(.any) }
            } else if character == "_" {
                pieces.append(.one)
            } else {
                pieces.append(.literal(character))
            }
        }
        if escaping { pieces.append(.literal("\\")) }
        let text = Array(value.lowercased())
        // reachable[j]: the first i pieces can match the first j characters.
        var reachable = [Bool](repeating: false, count: text.count + 1)
        reachable[0] = true
        for piece in pieces {
            var next = [Bool](repeating: false, count: text.count + 1)
            switch piece {
            case .any:
                var seen = false
                for index in 0...text.count {
                    seen = seen || reachable[index]
                    next[index] = seen
                }
            case .one:
                for index in 0..<text.count where reachable[index] { next[index + 1] = true }
            case .literal(let character):
                for index in 0..<text.count where reachable[index] && text[index] == character { next[index + 1] = true }
            }
            reachable = next
        }
        return reachable[text.count]
    }

    /// The hashes (``SeededLookup/hash(_:_:)``) of the values a row's `columns` must hold for
    /// `condition` to accept it, for a lookup index over those columns: an equality (`=`, `in`)
    /// on one of them, or an `or` of such, or an `and` with one. `nil` when the condition is
    /// not of that kind (or names a value the keys cannot stand for): the caller scans.
    static func lookupHashes(_ condition: VTQLCondition, columns: Set<String>, idFields: Set<String>) -> [UInt32]? {
        switch condition {
        case .compare(let column, .equal, let value):
            guard columns.contains(column), !idFields.contains(column) else { return nil }
            return valueHashes(column, value.text)
        case .in(let column, let values):
            guard columns.contains(column), !idFields.contains(column) else { return nil }
            var hashes: [UInt32] = []
            for value in values {
                guard let more = valueHashes(column, value.text) else { return nil }
                hashes += more
            }
            return hashes
        case .or(let lhs, let rhs):
            guard let left = lookupHashes(lhs, columns: columns, idFields: idFields),
                let right = lookupHashes(rhs, columns: columns, idFields: idFields)
            else { return nil }
            return left + right
        case .and(let lhs, let rhs):
            return lookupHashes(lhs, columns: columns, idFields: idFields) ?? lookupHashes(rhs, columns: columns, idFields: idFields)
        default:
            return nil
        }
    }

    /// The keys of a value of `column` under ``compare(_:_:asIDs:)``'s equality (not for id
    /// fields): its lower-cased text, and its number when it reads as one. Two values compare
    /// equal only if they share a key. `nil` for a value reading as NaN, which compares equal
    /// to every number.
    static func valueHashes(_ column: String, _ text: String) -> [UInt32]? {
        var hashes = [SeededLookup.hash(column, text.lowercased())]
        let trimmedText = trimmed(text)
        if !trimmedText.isEmpty, let number = Double(trimmedText) {
            guard !number.isNaN else { return nil }
            hashes.append(SeededLookup.hash(column + "#", number))
        }
        return hashes
    }

    /// The text without leading and trailing spaces and tabs.
    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
