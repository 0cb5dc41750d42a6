import Foundation
import RealtyModel

/// The column lists of the hub's own tables, the same in every store (both migrations create
/// these columns), in the order each store's row readers expect. Static names, never input.
public enum StoreColumns {
    /// `sync_runs`, as ``SyncRun`` holds them.
    public static let syncRuns = """
        id, tenant_id, connection_id, resource, mode, status, started_at, finished_at, inserted, updated, unchanged,
        deleted, pages, error, skipped
        """

    /// `deliveries`, as ``Delivery`` holds them.
    public static let deliveries = """
        id, tenant_id, connection_id, kind, payload, idempotency_key, state, attempts, max_attempts, next_attempt_at,
        last_error, remote_id, lease_owner, lease_expires_at, created_at, updated_at, completed_at, record_key, error_code,
        conflict, force
        """
}

/// The `options` column of `connections`: the connection's options as a JSON object of strings
/// with sorted keys, NULL when there are none. Both stores write and read it through here.
public enum ConnectionOptionsColumn {
    /// The column's text for `options` (nil when empty).
    ///
    /// - Throws: an encoding error (never for a map of strings).
    public static func encode(_ options: [String: String]) throws -> String? {
        guard !options.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(options), as: UTF8.self)
    }

    /// The options in a column's text; none when NULL or not a JSON object of strings (the
    /// hub writes nothing else there).
    public static func decode(_ text: String?) -> [String: String] {
        guard let text, let options = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else { return [:] }
        return options
    }
}

/// The `conflict` column of `deliveries`: a ``DeliveryConflict`` as the JSON text
/// `{"hub":…,"vendor":…}` (written with ``RealtyModel/JSONValue/jsonText``, so vendor numbers keep
/// every digit), NULL when there is none. Both stores write and read it through here.
public enum DeliveryConflictColumn {
    /// The column's text for `conflict`.
    public static func encode(_ conflict: DeliveryConflict) -> String {
        JSONValue.object(["hub": conflict.hub, "vendor": conflict.vendor]).jsonText
    }

    /// The conflict in a column's text (nil when NULL).
    /// - Throws: ``StoreError`` `.storage` naming `delivery` when the text is not a conflict the
    ///   hub wrote.
    public static func decode(_ text: String?, delivery: String) throws -> DeliveryConflict? {
        guard let text else { return nil }
        guard let value = try? JSONValue(parsing: text), let hub = value["hub"], let vendor = value["vendor"] else {
            throw StoreError.storage("delivery \(delivery) has a malformed conflict")
        }
        return DeliveryConflict(hub: hub, vendor: vendor)
    }
}
