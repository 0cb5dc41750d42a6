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
}
