public import RealtyModel

/// The step every read shares after mapping a vendor item: the mapped record must be of the
/// type the caller asked for.
public enum MappedRecord {
    /// `mapped` as `R`.
    ///
    /// - Parameters:
    ///   - mapped: the record a vendor item mapped to.
    ///   - type: the record type the read was asked for.
    ///   - source: the vendor list or module it came from (`users`, `Leads`), for the error.
    ///   - vendor: the vendor, for the error.
    ///   - connectionID: the connection, for the error.
    /// - Returns: the record.
    /// - Throws: ``ConnectorError`` `.configuration` when the source maps to another resource
    ///   (a connector reading the wrong list for a resource).
    public static func cast<R: HubRecord>(
        _ mapped: any HubRecord, to type: R.Type, source: String, vendor: VendorID, connectionID: String
    ) throws -> R {
        guard let record = mapped as? R else {
            throw ConnectorError(
                .configuration, vendor: vendor,
                message: "\(source) records map to \(Swift.type(of: mapped).resource.rawValue), not \(R.resource.rawValue)",
                connectionID: connectionID)
        }
        return record
    }

    /// Maps the items of a page to `R`: a mapping failure is `.invalidResponse` naming the source
    /// and what was wrong, and every record must be an `R` (see ``cast(_:to:source:vendor:connectionID:)``).
    ///
    /// - Parameters:
    ///   - items: the page's vendor items.
    ///   - type: the record type the read was asked for.
    ///   - source: the vendor list or module (`users`, `Leads`), for errors.
    ///   - vendor: the vendor, for errors.
    ///   - connectionID: the connection, for errors.
    ///   - operation: the request the page came from, for errors.
    ///   - transform: the vendor's mapping of one item.
    /// - Returns: the records, in item order.
    /// - Throws: ``ConnectorError``.
    public static func map<Item, R: HubRecord>(
        _ items: [Item], to type: R.Type, source: String, vendor: VendorID, connectionID: String,
        operation: String? = nil, _ transform: (Item) throws -> any HubRecord
    ) throws -> [R] {
        var records: [R] = []
        records.reserveCapacity(items.count)
        for item in items {
            let mapped: any HubRecord
            do {
                mapped = try transform(item)
            } catch {
                throw ConnectorError(
                    .invalidResponse, vendor: vendor, message: "\(source): \(error)", connectionID: connectionID,
                    operation: operation)
            }
            records.append(try cast(mapped, to: R.self, source: source, vendor: vendor, connectionID: connectionID))
        }
        return records
    }

    /// `records`, mapped one for one from list items whose own texts are `texts` (see
    /// ``VendorHTTPClient/decodeList(_:member:what:)``), each keeping its item's text as its raw
    /// text; for mappings that keep the item itself as `raw`. Unchanged when the counts differ.
    public static func keepingRawTexts<R: HubRecord>(_ records: [R], _ texts: [String]) -> [R] {
        guard texts.count == records.count else { return records }
        var records = records
        for index in records.indices { records[index].metadata.keepRawText(texts[index]) }
        return records
    }
}
