import Foundation
import RealtyModel

extension PFListQuery {
    /// The keys of the requested page and the total count, read from the seeded time indexes
    /// instead of a scan of the records; `nil` when the request is not one the indexes answer
    /// (another filter or sort, or a changed record whose time is not in the canonical form),
    /// and the caller scans as before.
    ///
    /// Answers exactly as ``apply(to:)``: records whose times fall in every `dateRange`, ordered
    /// by the sort field then the id (both reversed for `desc`). Seeded times are whole seconds
    /// in the canonical `YYYY-MM-DDTHH:MM:SSZ` text, whose text order is time order.
    func indexedKeys(
        in records: DerivedCollection<JSONValue>, resource: PFResource, index: (String) -> SeededIndex<Int>?
    ) -> (count: Int, keys: [Int])? {
        var bounds: [(field: String, low: Int, high: Int)] = []
        for filter in filters {
            guard case .dateRange(let path, let from, let to) = filter, path.count == 1,
                PFExpertState.indexedTimeField(resource, path[0])
            else { return nil }
            // Whole seconds `v` with from <= v <= to.
            let low = from.map { Self.clampedInt(($0.timeIntervalSince1970).rounded(.up)) } ?? Int.min
            let high = to.map { Self.clampedInt(($0.timeIntervalSince1970).rounded(.down)) } ?? Int.max
            bounds.append((path[0], low, high))
        }
        var sortField: String?
        if sortPath != ["id"] {
            guard sortPath.count == 1, PFExpertState.indexedTimeField(resource, sortPath[0]) else { return nil }
            sortField = sortPath[0]
        }
        var fields = bounds.map(\.field)
        if let sortField { fields.append(sortField) }
        var indexes: [String: SeededIndex<Int>] = [:]
        for field in fields where indexes[field] == nil {
            guard let built = index(field) else { return nil }
            indexes[field] = built
        }

        // The changed and inserted records, with their times read from their text.
        var extra: [(value: Int, key: Int)] = []
        var unreadable = false
        records.forEachStored { key, record in
            var facts: [String: Int] = [:]
            for field in fields where facts[field] == nil {
                guard let text = record[field]?.strictString, let seconds = Self.canonicalSeconds(text) else {
                    unreadable = true
                    return
                }
                facts[field] = seconds
            }
            guard bounds.allSatisfy({ bound in facts[bound.field].map { $0 >= bound.low && $0 <= bound.high } ?? false })
            else { return }
            extra.append((sortField.flatMap { facts[$0] } ?? key, key))
        }
        guard !unreadable else { return nil }
        extra.sort { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
        if descending { extra.reverse() }

        let start = (page - 1).multipliedReportingOverflow(by: perPage)
        let offset = start.overflow ? Int.max : start.partialValue
        let (sum, overflow) = offset.addingReportingOverflow(perPage)
        let windowEnd = overflow ? Int.max : sum
        var matched = 0
        var keys: [Int] = []
        func emit(_ key: Int) {
            if matched >= offset, matched < windowEnd { keys.append(key) }
            matched += 1
        }
        let descending = self.descending
        func precedes(_ lhs: (value: Int, key: Int), _ rhs: (value: Int, key: Int)) -> Bool {
            let ascending = lhs.value != rhs.value ? lhs.value < rhs.value : lhs.key < rhs.key
            return descending ? !ascending && (lhs.value, lhs.key) != (rhs.value, rhs.key) : ascending
        }

        let touched = records.touchedSeededKeys()
        let filterIndexes = bounds.map { bound in (index: indexes[bound.field], low: bound.low, high: bound.high) }
        let sortIndex = sortField.flatMap { indexes[$0] }
        // Without filters the count is known and the walk stops at the page's end.
        let stopEarly = bounds.isEmpty
        var next = 0
        let seeded = records.seededCount
        // Seeded positions in the requested order: by the sort index (narrowed to a filter on
        // the same field), else by key.
        var range = 0..<seeded
        if let sortIndex, let bound = bounds.first(where: { $0.field == sortField }) {
            range = sortIndex.lowerBound(bound.low)..<max(sortIndex.lowerBound(bound.low), sortIndex.lowerBound(bound.high, orEqual: false))
        }
        var cursor = descending ? range.upperBound - 1 : range.lowerBound
        while descending ? cursor >= range.lowerBound : cursor < range.upperBound {
            if stopEarly, matched >= windowEnd { break }
            let position = sortIndex.map { Int($0.order[cursor]) } ?? cursor
            cursor += descending ? -1 : 1
            guard !touched.contains(position) else { continue }
            var accepted = true
            for filter in filterIndexes {
                guard let index = filter.index else { continue }
                let value = index.values[position]
                if value < filter.low || value > filter.high {
                    accepted = false
                    break
                }
            }
            guard accepted else { continue }
            let key = records.firstKey + position
            let entry = (value: sortIndex.map { $0.values[position] } ?? key, key: key)
            while next < extra.count, precedes(extra[next], entry) {
                emit(extra[next].key)
                next += 1
            }
            emit(key)
        }
        if stopEarly {
            guard matched < windowEnd else { return (records.count, keys) }
        }
        while next < extra.count {
            emit(extra[next].key)
            next += 1
        }
        return (stopEarly ? records.count : matched, keys)
    }

    /// The keys of the requested page and the count for a property lookup by reference
    /// (`filters[reference]=RH-00042`, id order), without a scan: a seeded property's reference
    /// is a function of its id (``PFExpertSeed/reference(_:)-(Int)``), so the candidates are
    /// the ids the values name, plus the changed and inserted properties. `nil` for any other
    /// request.
    func referenceKeys(in records: DerivedCollection<JSONValue>, resource: PFResource) -> (count: Int, keys: [Int])? {
        guard resource == .properties, sortPath == ["id"], filters.count == 1,
            case .equals(let path, let values) = filters[0], path == ["reference"]
        else { return nil }
        func matches(_ reference: String) -> Bool {
            values.contains { reference.caseInsensitiveCompare($0) == .orderedSame }
        }
        var keys = Set<Int>()
        for value in values {
            let lowered = value.lowercased()
            guard lowered.hasPrefix("rh-"), let id = Int(lowered.dropFirst(3)), records.isPristine(id),
                matches(PFExpertSeed.reference(id))
            else { continue }
            keys.insert(id)
        }
        records.forEachStored { key, record in
            if let reference = record["reference"]?.scalarText, matches(reference) { keys.insert(key) }
        }
        var ordered = keys.sorted()
        if descending { ordered.reverse() }
        let start = (page - 1).multipliedReportingOverflow(by: perPage)
        guard !start.overflow, start.partialValue < ordered.count else { return (ordered.count, []) }
        return (ordered.count, Array(ordered[start.partialValue..<min(ordered.count, start.partialValue + perPage)]))
    }

    /// The unix seconds of a timestamp in PF's canonical text (what ``PFExpertTime/format(_:)``
    /// writes), `nil` for any other text (whose text order may differ from time order).
    static func canonicalSeconds(_ text: String) -> Int? {
        guard let date = PFExpertTime.parse(text), PFExpertTime.format(date) == text else { return nil }
        return clampedInt(date.timeIntervalSince1970.rounded(.down))
    }

    static func clampedInt(_ value: Double) -> Int {
        guard value.isFinite else { return value > 0 ? Int.max : Int.min }
        if value >= 9e18 { return Int.max }
        if value <= -9e18 { return Int.min }
        return Int(value)
    }
}
