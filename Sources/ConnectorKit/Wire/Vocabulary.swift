public import Foundation
public import RealtyModel

/// A vendor vocabulary and the hub values it maps to, one to one (a documented table), so a
/// value read from the vendor and written back unchanged is the vendor's own value again.
///
/// Reading maps a vendor value to its hub value (case-insensitively; a value the table does not
/// know is kept as the vendor wrote it, its payload being in `raw` anyway). Writing accepts only
/// the hub values of the table (case-insensitively); anything else is a ``FieldError`` naming
/// them.
public struct Vocabulary: Sendable, Hashable {
    /// One row of the table.
    public struct Entry: Sendable, Hashable {
        /// The vendor's value, as it is sent.
        public var vendor: String
        /// The hub's value.
        public var hub: String
    }

    /// The RESO field the vocabulary fills.
    public let field: String
    /// The rows, in the order they are documented.
    public let entries: [Entry]
    /// The hub value of each vendor value in lower case (the first row wins), looked up for
    /// every record read.
    private let hubByVendor: [String: String]

    /// Creates a table from `(vendor, hub)` rows.
    public init(field: String, _ rows: [(vendor: String, hub: String)]) {
        self.field = field
        entries = rows.map { Entry(vendor: $0.vendor, hub: $0.hub) }
        hubByVendor = Dictionary(rows.map { ($0.vendor.lowercased(), $0.hub) }, uniquingKeysWith: { first, _ in first })
    }

    /// The hub values, in table order.
    public var hubValues: [String] { entries.map(\.hub) }

    /// The hub value of a vendor value; an unknown vendor value is returned as it is, nil as nil.
    public func hubValue(_ vendorValue: String?) -> String? {
        guard let vendorValue else { return nil }
        if let hub = hubByVendor[vendorValue] { return hub }
        return hubByVendor[vendorValue.trimmingCharacters(in: .whitespaces).lowercased()] ?? vendorValue
    }

    /// The vendor value of a hub value, or nil when the table has none.
    public func vendorValue(_ hubValue: String) -> String? {
        let key = hubValue.trimmingCharacters(in: .whitespaces).lowercased()
        return entries.first { $0.hub.lowercased() == key }?.vendor
    }

    /// The field error for a hub value the table cannot write (nil when it can).
    public func problem(_ hubValue: String, vendor: VendorID) -> FieldError? {
        guard vendorValue(hubValue) == nil else { return nil }
        return FieldError(
            field: field,
            message: "\(vendor.displayName) has no value for \(field) \"\(hubValue)\"; it accepts \(hubValues.joined(separator: ", "))")
    }
}

extension RecordChange {
    /// Whether a vendor record last modified at `vendorModified` changed after the hub's copy:
    /// compared at whole seconds (vendors stamp records to the second; the hub's copy carries the
    /// vendor's own stamp), so the same stamp read twice never counts as a change. False when
    /// there is nothing to compare (no expected time, or the vendor gives none).
    public func isStale(vendorModified: Date?) -> Bool {
        guard let expected = expectedSourceModification, let vendorModified else { return false }
        return vendorModified.timeIntervalSince1970.rounded(.down) > expected.timeIntervalSince1970.rounded(.down)
    }
}

extension ConnectorError {
    /// An update refused because the vendor's record changed after the hub's copy of it.
    ///
    /// - Parameters:
    ///   - vendor: the vendor.
    ///   - current: the vendor's current record, mapped like a read.
    ///   - connectionID: the connection.
    public static func changedAtVendor(_ vendor: VendorID, current: any HubRecord, connectionID: String?) -> ConnectorError {
        let stamp = current.metadata.sourceModificationTimestamp.map { Timestamp.format($0) } ?? "an unknown time"
        var error = ConnectorError(
            .changedAtVendor, vendor: vendor,
            message:
                "the \(vendor.displayName) record \(current.metadata.sourceKey ?? "") changed at \(stamp), after the hub's copy; nothing was sent",
            connectionID: connectionID)
        error.vendorRecord = current
        return error
    }
}
