import Foundation
public import HubStore
import RealtyModel

extension StoreContract {
    /// Every field of every type survives an insert, an update of every field, and updates
    /// of a few fields (indexed and not) in batches that mix inserts, updates and unchanged
    /// records: what the batched write paths must keep.
    public static func fieldsKeptThroughUpdates(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        try await roundTrip(Property.self, store, scope: scope)
        try await roundTrip(Member.self, store, scope: scope)
        try await roundTrip(Activity.self, store, scope: scope)
        try await roundTrip(Contact.self, store, scope: scope)
    }

    /// A value of `type` for variant `n` (every variant differs from the others).
    static func sample(_ type: FieldType, name: String, _ n: Int) -> FieldValue {
        switch type {
        case .string: return .string("\(name)-\(n)")
        case .integer: return .integer(Int64(n * 7 + 1))
        case .decimal: return .decimal(1234.5 + Double(n) / 4)
        case .boolean: return .boolean(n % 2 == 0)
        case .timestamp: return .timestamp(Date(timeIntervalSince1970: 1_700_000_000.125 + Double(n)))
        case .date: return .date("2024-01-0\(n % 9 + 1)")
        case .stringList: return .stringList(["a\(n)", "b"])
        }
    }

    static func roundTrip<R: HubRecord>(_ type: R.Type, _ store: any HubStorage, scope: SyncScope) async throws {
        func make(_ index: Int, variant: Int) -> R {
            var record = R(metadata: RecordMetadata(sourceKey: "fields-\(index)", raw: .object(["variant": .string("\(variant)")])))
            for field in R.fields { field.set(sample(field.type, name: field.name, variant), in: &record) }
            return record
        }
        func expectStored(_ key: String, _ expected: R, _ step: String) async throws {
            guard let stored = try await store.record(R.self, tenant: scope.tenant, key: key) else {
                throw ContractFailure(description: "\(R.resource.rawValue) \(step): record \(key) not found")
            }
            for field in R.fields {
                let got = field.value(in: stored)
                let want = field.value(in: expected)
                var same = got == want
                // Text must come back byte for byte, not only Unicode-equivalent.
                if case .string(let a) = got, case .string(let b) = want { same = a.utf8.elementsEqual(b.utf8) }
                try check(same, "\(R.resource.rawValue) \(step): \(field.name) is \(got), expected \(want)")
            }
            try check(stored.metadata.contentHash == expected.contentHash, "\(R.resource.rawValue) \(step): content hash")
            try check(stored.metadata.raw == expected.metadata.raw, "\(R.resource.rawValue) \(step): raw")
        }
        // Insert.
        let originals = (0..<3).map { make($0, variant: 0) }
        let inserted = try await store.upsert(originals, scope: scope, cursor: nil)
        try check(inserted.inserted == 3, "\(R.resource.rawValue): first upsert \(inserted)")
        let keys = inserted.items.map(\.key)
        for index in 0..<3 { try await expectStored(keys[index], originals[index], "insert") }
        // Every field changed on record 0, nothing on record 1, one new record, one field at a
        // time on record 2 (the first indexed field, then the first field not indexed).
        var second = [make(0, variant: 1), originals[1], make(3, variant: 0)]
        var third = originals[2]
        if let indexed = R.fields.first(where: \.isIndexed) {
            var value = sample(indexed.type, name: indexed.name, 2)
            // The same text in another Unicode form: equal as Swift strings, not as bytes.
            if indexed.type == .string { value = .string("caf\u{E9}") }
            indexed.set(value, in: &third)
        }
        second.append(third)
        let updated = try await store.upsert(second, scope: scope, cursor: nil)
        try check(
            updated.updated == 2 && updated.unchanged == 1 && updated.inserted == 1, "\(R.resource.rawValue): second upsert \(updated)")
        try await expectStored(keys[0], second[0], "every field updated")
        try await expectStored(keys[1], second[1], "unchanged")
        try await expectStored(keys[2], third, "one indexed field updated")
        if let indexed = R.fields.first(where: \.isIndexed), indexed.type == .string {
            indexed.set(.string("cafe\u{301}"), in: &third)
            let again = try await store.upsert([third], scope: scope, cursor: nil)
            try check(again.updated == 1, "\(R.resource.rawValue): another Unicode form is a change: \(again)")
            try await expectStored(keys[2], third, "indexed text in another Unicode form")
            let found = try await store.list(
                R.self, tenant: scope.tenant, query: ListQuery(filters: [indexed.name: "cafe\u{301}"]))
            try check(found.records.contains { $0.metadata.key == keys[2] }, "\(R.resource.rawValue): filter on the updated field")
        }
        if let plain = R.fields.first(where: { !$0.isIndexed }) {
            plain.set(sample(plain.type, name: plain.name, 5), in: &third)
            let again = try await store.upsert([third], scope: scope, cursor: nil)
            try check(again.updated == 1, "\(R.resource.rawValue): a field not indexed changed: \(again)")
            try await expectStored(keys[2], third, "a field not indexed updated")
        }
        // Fields cleared.
        let cleared = R(metadata: RecordMetadata(sourceKey: "fields-0"))
        let emptied = try await store.upsert([cleared], scope: scope, cursor: nil)
        try check(emptied.updated == 1, "\(R.resource.rawValue): cleared fields are a change: \(emptied)")
        try await expectStored(keys[0], cleared, "every field cleared")
    }
}
