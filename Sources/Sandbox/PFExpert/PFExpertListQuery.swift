import Foundation
import RealtyModel

/// A filter of a PF Expert list, read from `filters[...]` parameters.
enum PFFilter {
    /// The value at `path` equals one of `values` (case-insensitive; phone fields compare digits).
    case equals(path: [String], values: [String])
    /// The number at `path` lies within the bounds (inclusive).
    case numberRange(path: [String], from: Double?, to: Double?)
    /// The date-time at `path` lies within the bounds (inclusive).
    case dateRange(path: [String], from: Date?, to: Date?)
    /// Any of the string fields at `paths` contains `text` (case-insensitive).
    case text(paths: [[String]], text: String)

    func matches(_ record: JSONValue) -> Bool {
        switch self {
        case .equals(let path, let values):
            guard let actual = record.value(at: path)?.scalarText else { return false }
            let isPhone = ["mobile", "phone"].contains(path.last ?? "")
            return values.contains { wanted in
                isPhone
                    ? PFFilter.digits(actual) == PFFilter.digits(wanted) && !PFFilter.digits(wanted).isEmpty
                    : actual.caseInsensitiveCompare(wanted) == .orderedSame
            }
        case .numberRange(let path, let from, let to):
            guard let number = record.value(at: path)?.strictDouble else { return false }
            return (from.map { number >= $0 } ?? true) && (to.map { number <= $0 } ?? true)
        case .dateRange(let path, let from, let to):
            guard let text = record.value(at: path)?.strictString, let date = PFExpertTime.parse(text) else { return false }
            return (from.map { date >= $0 } ?? true) && (to.map { date <= $0 } ?? true)
        case .text(let paths, let text):
            return paths.contains { path in
                record.value(at: path)?.strictString?.localizedCaseInsensitiveContains(text) ?? false
            }
        }
    }

    static func digits(_ text: String) -> String {
        String(text.filter(\.isNumber))
    }
}

/// The parameters of a list request: paging, projection, sort and filters.
///
/// Choices where the seed is silent or loose:
/// - `per_page` defaults to 100 and is **clamped** to 100 (the seed: "you can't exceed 100"),
///   with an `X-MyCRM-API-Warning`; 0, negative or non-numeric values are a 400.
/// - `page` is 1-based; 0, negative or non-numeric values are a 400; a page past the end is
///   an empty list with the true `count`.
/// - Unknown `fields`, an unknown `sort` field and unknown filters are ignored with a warning
///   (`X-MyCRM-API-Warning`) rather than refused.
/// - `sort_order` is `asc` (default) or `desc`; anything else is a 400.
/// - The page text says the projection parameter is "field" while its example uses `fields`;
///   both are read.
struct PFListQuery {
    var page = 1
    var perPage = 100
    var fields: [String]?
    var sortPath: [String] = ["id"]
    var descending = false
    var filters: [PFFilter] = []
    var warnings: [String] = []

    static let maxPerPage = 100

    /// Reads a list request's query.
    /// - Throws: ``PFExpertError`` (InvalidRequest) for malformed paging, sort order or dates.
    init(_ query: QueryItems, resource: PFResource, now: Date) throws(PFExpertError) {
        func invalid(_ message: String) -> PFExpertError {
            PFExpertError(.invalidRequest, resource: resource, message)
        }
        if let text = query["page"] {
            guard let page = Int(text), page >= 1 else { throw invalid("page: This value should be a positive integer.") }
            self.page = page
        }
        if let text = query["per_page"] {
            guard let perPage = Int(text), perPage >= 1 else {
                throw invalid("per_page: This value should be a positive integer.")
            }
            if perPage > Self.maxPerPage {
                warnings.append("per_page cannot exceed \(Self.maxPerPage); \(Self.maxPerPage) used")
            }
            self.perPage = min(perPage, Self.maxPerPage)
        }
        fields = PFListQuery.readFields(query, resource: resource, warnings: &warnings)
        if let sort = query["sort"], !sort.isEmpty {
            let path = sort.split(separator: ".").map(String.init)
            if let first = path.first, resource.field(first) != nil {
                sortPath = path
            } else {
                warnings.append("Unknown sort field \"\(sort)\"; sorted by id")
            }
        }
        if let order = query["sort_order"] {
            switch order.lowercased() {
            case "asc", "": descending = false
            case "desc": descending = true
            default: throw invalid("sort_order: The value you selected is not a valid choice (asc, desc).")
            }
        }
        try readFilters(query, resource: resource, now: now)
    }

    /// Reads `fields` (or `field`): a comma-separated list of top-level or dotted fields.
    static func readFields(_ query: QueryItems, resource: PFResource, warnings: inout [String]) -> [String]? {
        guard let text = query["fields"] ?? query["field"] else { return nil }
        let names = text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        let known = Set(resource.fields.map(\.name) + resource.collections.map(\.name))
        let unknown = names.filter { !known.contains(String($0.split(separator: ".").first ?? "")) }
        if !unknown.isEmpty {
            warnings.append("Unknown field(s) ignored: \(unknown.joined(separator: ", "))")
        }
        return names
    }

    private mutating func readFilters(_ query: QueryItems, resource: PFResource, now: Date) throws(PFExpertError) {
        // Gather filters[name][sub]=value, keeping sub-keys per name.
        var byName: [(name: String, subs: [(sub: String?, value: String)])] = []
        for item in query.items {
            guard let path = Self.bracketPath(item.name), path.first == "filters", path.count >= 2 else { continue }
            let name = path[1]
            let sub = path.count > 2 ? path[2] : nil
            if let index = byName.firstIndex(where: { $0.name == name }) {
                byName[index].subs.append((sub, item.value))
            } else {
                byName.append((name, [(sub, item.value)]))
            }
        }
        for (name, subs) in byName {
            if let filter = try Self.filter(name: name, subs: subs, resource: resource, now: now) {
                filters.append(filter)
            } else {
                warnings.append("Unknown filter \"\(name)\" ignored")
            }
        }
    }

    /// `filters[created][from]` → `["filters", "created", "from"]`; `nil` if not bracketed.
    static func bracketPath(_ name: String) -> [String]? {
        guard let open = name.firstIndex(of: "[") else { return nil }
        var parts = [String(name[..<open])]
        var rest = name[open...]
        while rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            parts.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return rest.isEmpty ? parts : nil
    }

    private static func filter(
        name: String, subs: [(sub: String?, value: String)], resource: PFResource, now: Date
    ) throws(PFExpertError) -> PFFilter? {
        func bounds(_ label: String) -> (from: String?, to: String?, plain: [String]) {
            var from: String?
            var to: String?
            var plain: [String] = []
            for (sub, value) in subs {
                switch sub {
                case "from": from = value
                case "to": to = value
                default: plain.append(contentsOf: value.split(separator: ",").map { String($0).trimmingSpaces() })
                }
            }
            return (from, to, plain)
        }
        func dateRange(_ path: [String]) throws(PFExpertError) -> PFFilter {
            let parts = bounds(name)
            if parts.plain == ["current_month"], let (start, end) = PFExpertTime.monthBounds(of: now) {
                return .dateRange(path: path, from: start, to: end)
            }
            func read(_ text: String?, upper: Bool, label: String) throws(PFExpertError) -> Date? {
                guard let text, !text.isEmpty else { return nil }
                guard let date = PFExpertTime.parseBound(text, isUpperBound: upper) else {
                    throw PFExpertError(
                        .invalidRequest, resource: resource,
                        "filters[\(name)][\(label)]: This value is not a valid date (expected YYYY-MM-DD or ISO-8601).")
                }
                return date
            }
            guard parts.from != nil || parts.to != nil else {
                throw PFExpertError(
                    .invalidRequest, resource: resource,
                    "filters[\(name)]: Expected filters[\(name)][from] and/or filters[\(name)][to], or current_month.")
            }
            return .dateRange(
                path: path, from: try read(parts.from, upper: false, label: "from"),
                to: try read(parts.to, upper: true, label: "to"))
        }
        func number(_ text: String, label: String) throws(PFExpertError) -> Double {
            guard let value = Double(text), value.isFinite else {
                throw PFExpertError(.invalidRequest, resource: resource, "filters[\(label)]: This value should be a number.")
            }
            return value
        }
        func single() -> String? { subs.last?.value }

        switch name {
        case "created", "created_at": return try dateRange(["created_at"])
        case "updated", "updated_at": return try dateRange(["updated_at"])
        case "date" where resource == .calltrackings: return try dateRange(["call_time"])
        case "string" where resource == .locations:
            return .text(paths: [["city"], ["community"], ["sub_community"], ["tower"]], text: single() ?? "")
        case "string" where resource == .leads || resource == .users:
            return .text(paths: [["first_name"], ["last_name"], ["email"], ["mobile"], ["phone"]], text: single() ?? "")
        case "id", "ids":
            return .equals(path: ["id"], values: bounds(name).plain)
        default: break
        }
        if resource == .properties {
            switch name {
            case "from_price": return .numberRange(path: ["price", "value"], from: try number(single() ?? "", label: name), to: nil)
            case "to_price": return .numberRange(path: ["price", "value"], from: nil, to: try number(single() ?? "", label: name))
            case "from_bedroom": return .numberRange(path: ["bedrooms"], from: try number(single() ?? "", label: name), to: nil)
            case "to_bedroom": return .numberRange(path: ["bedrooms"], from: nil, to: try number(single() ?? "", label: name))
            case "from_bathroom": return .numberRange(path: ["bathrooms"], from: try number(single() ?? "", label: name), to: nil)
            case "to_bathroom": return .numberRange(path: ["bathrooms"], from: nil, to: try number(single() ?? "", label: name))
            case "offering_type": return .equals(path: ["price", "offering_type"], values: bounds(name).plain)
            case "type":
                let values = bounds(name).plain
                return values.allSatisfy { Int($0) != nil }
                    ? .equals(path: ["type", "id"], values: values) : .equals(path: ["type", "name"], values: values)
            default: break
            }
        }
        guard let field = resource.field(name) else { return nil }
        switch field.type {
        case .relation:
            return .equals(path: [name, "id"], values: bounds(name).plain)
        case .dateTime:
            return try dateRange([name])
        case .integer, .number:
            let parts = bounds(name)
            if parts.from != nil || parts.to != nil {
                return .numberRange(
                    path: [name], from: try parts.from.map { text throws(PFExpertError) in try number(text, label: "\(name)][from") },
                    to: try parts.to.map { text throws(PFExpertError) in try number(text, label: "\(name)][to") })
            }
            return .equals(path: [name], values: parts.plain)
        case .object, .array:
            return nil
        case .string, .email, .boolean, .oneOf:
            return .equals(path: [name], values: bounds(name).plain)
        }
    }

    /// Filters, sorts and pages records.
    ///
    /// A plain list in id order is read by position (no scan); filters or another sort scan
    /// the records one at a time, keeping only the requested page's candidates.
    /// - Returns: the total count after filtering and the requested page.
    func apply(to records: DerivedCollection<JSONValue>?) -> (count: Int, page: [JSONValue]) {
        guard let records else { return (0, []) }
        let start = (page - 1).multipliedReportingOverflow(by: perPage)
        let offset = start.overflow ? Int.max : start.partialValue
        if filters.isEmpty, sortPath == ["id"] {
            return (records.count, records.page(offset: offset, limit: perPage, descending: descending))
        }
        let sortPath = self.sortPath
        let descending = self.descending
        return records.select(
            where: { record in filters.allSatisfy { $0.matches(record) } },
            by: { lhs, rhs in
                let order = PFListQuery.compare(lhs.value(at: sortPath), rhs.value(at: sortPath))
                if order != .orderedSame { return descending ? order == .orderedDescending : order == .orderedAscending }
                let tie = PFListQuery.compare(lhs["id"], rhs["id"])
                return descending ? tie == .orderedDescending : tie == .orderedAscending
            },
            offset: offset, limit: perPage)
    }

    /// Orders JSON values: numbers numerically, strings case-insensitively, missing and null last.
    static func compare(_ lhs: JSONValue?, _ rhs: JSONValue?) -> ComparisonResult {
        let left = lhs.flatMap { $0.isNull ? nil : $0 }
        let right = rhs.flatMap { $0.isNull ? nil : $0 }
        switch (left, right) {
        case (nil, nil): return .orderedSame
        case (nil, _): return .orderedDescending
        case (_, nil): return .orderedAscending
        case (let l?, let r?):
            if let a = l.strictDouble, let b = r.strictDouble {
                return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
            }
            let a = l.scalarText ?? l.jsonText
            let b = r.scalarText ?? r.jsonText
            return a.caseInsensitiveCompare(b)
        }
    }
}

extension JSONValue {
    /// The value at a path of object keys, or `nil`.
    func value(at path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path {
            current = current?[key]
        }
        return current
    }
}
