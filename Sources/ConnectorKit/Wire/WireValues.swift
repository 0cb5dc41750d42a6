public import Foundation
public import RealtyModel

/// Small conversions every vendor mapping needs, in one place.
public enum WireValues {
    /// The present parts (see `FieldRules.isPresent`) joined by `separator`; nil when none is.
    ///
    /// - Parameters:
    ///   - parts: the parts, in order (`first_name`, `last_name`).
    ///   - separator: what goes between two parts (default a space).
    public static func joined(_ parts: String?..., separator: String = " ") -> String? {
        let present = parts.compactMap { $0 }.filter { FieldRules.isPresent($0) }
        return present.isEmpty ? nil : present.joined(separator: separator)
    }

    /// An id for a vendor whose ids are integers: a numeric id as a JSON number, anything else
    /// as text.
    ///
    /// - Parameter id: the id as the hub keeps it.
    public static func numericID(_ id: String) -> JSONValue {
        if let number = Int64(id) { return .number(JSONNumber(number)) }
        return .string(id)
    }

    /// The ASCII digits of a phone number, for comparing numbers written differently.
    ///
    /// - Parameter phone: the number as written.
    public static func digits(_ phone: String) -> String { phone.filter { $0.isASCII && $0.isNumber } }

    /// The digits of the numbers a lookup compares (see ``digits(_:)``), leaving out numbers of
    /// fewer than five digits, which would match too much.
    ///
    /// - Parameter phones: the record's numbers as written (nil ones are skipped).
    public static func lookupDigits(_ phones: [String?]) -> Set<String> {
        Set(phones.compactMap { $0.map(digits) }.filter { $0.count >= 5 })
    }

    /// The metadata of a record read from a vendor whose records carry their own created and
    /// updated instants (the modification instant falls back to the creation instant).
    ///
    /// - Parameters:
    ///   - sourceSystemName: the vendor's name in records (`pf-expert`, ...).
    ///   - id: the vendor's id of the record.
    ///   - created: when the vendor says the record was created.
    ///   - updated: when the vendor says it last changed.
    ///   - raw: the untouched payload.
    public static func metadata(
        sourceSystemName: String, id: String, created: Date?, updated: Date?, raw: JSONValue
    ) -> RecordMetadata {
        RecordMetadata(
            sourceSystemName: sourceSystemName, sourceKey: id,
            sourceModificationTimestamp: updated ?? created, sourceEntryTimestamp: created, raw: raw)
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Sets `name` to `value` as a JSON string when the value is present (see
    /// `FieldRules.isPresent`); leaves the body unchanged otherwise.
    ///
    /// - Parameters:
    ///   - name: the vendor's field name.
    ///   - value: the value, if any.
    public mutating func putText(_ name: String, _ value: String?) {
        if let value, FieldRules.isPresent(value) { self[name] = .string(value) }
    }
}
