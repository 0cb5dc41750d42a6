import RealtyModel

extension PFExpertState {
    /// Whether an equality filter on `path` of `resource` (`filters[email]=…`, the user lookup
    /// before a create) is answered from a lookup index.
    static func lookupField(_ resource: PFResource, _ path: [String]) -> Bool {
        path == ["email"] && (resource == .users || resource == .leads)
    }

    /// The lookup index of a field (see ``lookupField(_:_:)``), built on first use by deriving
    /// every seeded record once. A value is hashed lower-cased when it is ASCII (where
    /// `caseInsensitiveCompare` is ASCII case folding); any other value is always a candidate.
    mutating func lookup(_ resource: PFResource, field: String) -> SeededLookup? {
        guard Self.lookupField(resource, [field]), let table = tables[resource] else { return nil }
        let name = "\(resource.path)/\(field)"
        if let lookup = lookups[name] { return lookup }
        let lookup = SeededLookup(firstKey: table.firstKey, count: table.seededCount) { key, hashes in
            guard let text = table.original(key)?[field]?.scalarText else { return true }
            guard PFListQuery.isASCII(text) else { return false }
            hashes.append(SeededLookup.hash(field, text.lowercased()))
            return true
        }
        lookups[name] = lookup
        return lookup
    }

    /// The seeded records of `resource` grouped by their values at `paths`, built on first use.
    mutating func groups(_ resource: PFResource, paths: [[String]]) -> SeededGroups<[JSONValue?]>? {
        guard let table = tables[resource] else { return nil }
        let name = "\(resource.path)/\(paths.map { $0.joined(separator: ".") }.joined(separator: ","))"
        if let groups = groupings[name] { return groups }
        let groups = SeededGroups(firstKey: table.firstKey, count: table.seededCount) { key in
            let record = table.original(key)
            return paths.map { record?.value(at: $0) }
        }
        groupings[name] = groups
        return groups
    }

    /// The keys of the requested page and the count for a lookup the indexes answer: one
    /// `filters[email]` (users, leads) or a location search (`filters[string]`), id order.
    /// `nil` for any other request, which the caller scans.
    ///
    /// Answers exactly as ``PFListQuery/apply(to:)``: every candidate of an equality lookup is
    /// checked with the filter itself; a location search evaluates the filter once per group of
    /// seeded locations with the same searched fields, and on each changed or inserted record.
    mutating func lookupKeys(_ query: PFListQuery, resource: PFResource) -> (count: Int, keys: [Int])? {
        guard query.sortPath == ["id"], query.filters.count == 1, let records = tables[resource] else { return nil }
        let filter = query.filters[0]
        let start = (query.page - 1).multipliedReportingOverflow(by: query.perPage)
        let offset = start.overflow ? Int.max : start.partialValue
        switch filter {
        case .equals(let path, let values):
            guard path.count == 1, Self.lookupField(resource, path), values.allSatisfy(PFListQuery.isASCII),
                let index = lookup(resource, field: path[0])
            else { return nil }
            let seeded = index.seededCandidates(values.map { SeededLookup.hash(path[0], $0.lowercased()) })
            var matched = records.candidateKeys(seeded: seeded).filter { key in records.record(key).map(filter.matches) ?? false }
            if query.descending { matched.reverse() }
            guard offset < matched.count else { return (matched.count, []) }
            return (matched.count, Array(matched[offset..<min(matched.count, offset + query.perPage)]))
        case .text(let paths, _):
            guard resource == .locations, let groups = groups(resource, paths: paths) else { return nil }
            var seeded = groups.positions { key in records.original(key).map(filter.matches) ?? false }
            seeded.subtract(records.touchedSeededKeys())
            // Changed seeded records join the bit set; inserted ones go below or above it.
            var below: [Int] = []
            var above: [Int] = []
            records.forEachStored { key, record in
                guard filter.matches(record) else { return }
                if records.isSeeded(key) {
                    seeded.insert(key - records.firstKey)
                } else if key < records.firstKey {
                    below.append(key)
                } else {
                    above.append(key)
                }
            }
            below.sort()
            above.sort()
            let total = below.count + seeded.count + above.count
            var keys: [Int] = []
            var skip = offset
            let parts: [Part] =
                query.descending
                ? [.list(Array(above.reversed())), .seeded, .list(Array(below.reversed()))] : [.list(below), .seeded, .list(above)]
            for part in parts where keys.count < query.perPage {
                switch part {
                case .list(let list):
                    if skip >= list.count {
                        skip -= list.count
                        continue
                    }
                    keys += list[skip..<min(list.count, skip + query.perPage - keys.count)]
                    skip = 0
                case .seeded:
                    let size = seeded.count
                    if skip >= size {
                        skip -= size
                        continue
                    }
                    keys += seeded.positions(skipping: skip, limit: query.perPage - keys.count, descending: query.descending)
                        .map { records.firstKey + $0 }
                    skip = 0
                }
            }
            return (total, keys)
        default:
            return nil
        }
    }

    private enum Part {
        case list([Int])
        case seeded
    }
}

extension PFListQuery {
    static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }
}
