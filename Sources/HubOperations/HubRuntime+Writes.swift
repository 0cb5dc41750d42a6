public import ConnectorKit
import Foundation
public import HubStore
public import RealtyModel
import SyncEngine

/// The resources a client can write through the hub (developments through PropQ's own
/// operations). The API takes media of every connection; whether a vendor does (Apimo's
/// property pictures) its capabilities say, and others refuse with `not_supported_by_vendor`.
extension ResourceName {
    public static let writable: [ResourceName] = [.member, .office, .teams, .teamMembers, .contacts, .property, .activity, .media]
}

extension HubRuntime {
    /// Accepts a new record for the named connections: checks it once (its fields, and that
    /// every target's vendor can create it with every field it names) and commits one
    /// `record.create` delivery per connection, returning once they are committed. If any target
    /// cannot take the record, nothing is queued. The hub's own copy appears when the vendor
    /// confirms the create. A media names its parent by hub key (`ResourceRecordKey`), which
    /// must come from the target connection (see ``linkedMedia(_:targets:tenant:)``).
    ///
    /// - Parameters:
    ///   - resource: one of ``ResourceName/writable``.
    ///   - record: the parsed JSON object in RESO names.
    ///   - connections: connection ids or names (at least one).
    ///   - idempotencyKey: the client's key: the same request under it gets the first answer.
    /// - Throws: ``HubError``: `.invalidRequest` (not an object, a field of the wrong type, no
    ///   connection named), `.validationFailed` (the record's own rules, or fields a vendor
    ///   cannot take), `.unknownConnection`, `.notSupportedByVendor`, `.idempotencyKeyReused`.
    public func acceptCreate(
        _ resource: ResourceName, record: JSONValue, connections: [String], tenant: String, idempotencyKey: String? = nil
    ) async throws -> [Delivery] {
        try Self.checkWritable(resource)
        return try await acceptCreate(resource.recordType, record: record, connections: connections, tenant: tenant, key: idempotencyKey)
    }

    private func acceptCreate<R: HubRecord>(
        _ type: R.Type, record json: JSONValue, connections: [String], tenant: String, key: String?
    ) async throws -> [Delivery] {
        guard case .object(let object) = json else {
            throw HubError(
                .invalidRequest, "record must be a \(R.resource.rawValue) record (a JSON object in RESO names)",
                details: [FieldError(field: "record", message: "must be an object")])
        }
        guard !connections.isEmpty else {
            throw HubError(
                .invalidRequest, "connections must name at least one connection",
                details: [FieldError(field: "connections", message: "is empty")])
        }
        var targets: [(Connection, any Connector)] = []
        for name in connections {
            let (connection, connector) = try await writeTarget(name, tenant: tenant)
            if !targets.contains(where: { $0.0.id == connection.id }) { targets.append((connection, connector)) }
        }
        var record = try Self.clientRecord(R.self, object, field: "record")
        if let media = record as? Media {
            // A vendor that takes no media refuses before the parent is looked at.
            for (connection, connector) in targets {
                try Self.checkOperation(R.resource, .create, connection: connection, connector: connector)
            }
            if let linked = try await linkedMedia(media, targets: targets.map(\.0), tenant: tenant) as? R { record = linked }
        }
        let errors = record.validate()
        guard errors.isEmpty else { throw HubError(.validationFailed, "the record is not valid", details: errors) }
        let fields = record.presentFieldNames
        for (connection, connector) in targets {
            try Self.checkOperation(R.resource, .create, connection: connection, connector: connector)
            try Self.checkFields(connector.writeProblems(record, fields: fields, operation: .create), connection: connection)
        }
        let payload = try RecordWrite(resource: R.resource, record: Self.resoJSON(record), fields: fields).encoded()
        let deliveries = targets.map { connection, _ in
            NewDelivery(tenantID: tenant, connectionID: connection.id, kind: .recordCreate, payload: payload, idempotencyKey: key)
        }
        return try await commit(deliveries, tenant: tenant, idempotencyKey: key, request: [Data("create".utf8), payload])
    }

    /// Accepts a change to a record the hub holds: the fields of `patch` (RESO names; null
    /// clears) are checked against the record and its connection's vendor, then one
    /// `record.update` delivery is committed for the connection the record came from,
    /// addressed by its source key. Only the fields whose value differs from the hub's copy are
    /// sent (a record sent back unchanged makes a delivery that sends nothing). The update
    /// carries the vendor modification time of the hub's copy, so the vendor's record is not
    /// overwritten if it changed since.
    ///
    /// - Parameters:
    ///   - ifMatch: the `ETag` the client read (the record's content hash); when given and the
    ///     hub's copy changed since, nothing is queued.
    /// - Throws: ``HubError``: `.notFound` (no such record, or deleted), `.invalidRequest`,
    ///   `.validationFailed`, `.preconditionFailed`, `.notSupportedByVendor`, `.conflict` (a
    ///   record without a vendor key), `.idempotencyKeyReused`.
    public func acceptUpdate(
        _ resource: ResourceName, key: String, patch: JSONValue, tenant: String, ifMatch: String? = nil, idempotencyKey: String? = nil
    ) async throws -> Delivery {
        try Self.checkWritable(resource)
        return try await acceptUpdate(
            resource.recordType, key: key, patch: patch, tenant: tenant, ifMatch: ifMatch, idempotencyKey: idempotencyKey)
    }

    private func acceptUpdate<R: HubRecord>(
        _ type: R.Type, key: String, patch json: JSONValue, tenant: String, ifMatch: String?, idempotencyKey: String?
    ) async throws -> Delivery {
        guard case .object(let patch) = json else {
            throw HubError(
                .invalidRequest, "the body must be a JSON object of \(R.resource.rawValue) fields in RESO names",
                details: [FieldError(field: "body", message: "must be an object")])
        }
        let (current, connection, connector, sourceKey) = try await writtenRecord(R.self, key: key, tenant: tenant, ifMatch: ifMatch)
        let (changed, fields) = try Self.applying(patch, to: current)
        let errors = changed.validate()
        guard errors.isEmpty else { throw HubError(.validationFailed, "the record would not be valid", details: errors) }
        try Self.checkOperation(R.resource, .update, connection: connection, connector: connector)
        try Self.checkFields(connector.writeProblems(changed, fields: fields, operation: .update), connection: connection)
        let write = RecordWrite(
            resource: R.resource, record: Self.resoJSON(changed), fields: fields, recordKey: key, sourceKey: sourceKey,
            expectedSourceModification: current.metadata.sourceModificationTimestamp)
        let payload = try write.encoded()
        let delivery = NewDelivery(
            tenantID: tenant, connectionID: connection.id, kind: .recordUpdate, payload: payload, idempotencyKey: idempotencyKey,
            recordKey: key)
        let committed = try await commit(
            [delivery], tenant: tenant, idempotencyKey: idempotencyKey, request: [Data("update".utf8), payload])
        guard let first = committed.first else { throw HubError(.internalError, "the update was not committed") }
        return first
    }

    /// Accepts the deletion of a record the hub holds: one `record.delete` delivery for the
    /// connection it came from. The hub's copy is marked deleted when the vendor confirms.
    ///
    /// - Throws: ``HubError``: `.notFound`, `.preconditionFailed`, `.notSupportedByVendor`,
    ///   `.conflict`, `.idempotencyKeyReused`.
    public func acceptDelete(
        _ resource: ResourceName, key: String, tenant: String, ifMatch: String? = nil, idempotencyKey: String? = nil
    ) async throws -> Delivery {
        try Self.checkWritable(resource)
        return try await acceptDelete(resource.recordType, key: key, tenant: tenant, ifMatch: ifMatch, idempotencyKey: idempotencyKey)
    }

    private func acceptDelete<R: HubRecord>(
        _ type: R.Type, key: String, tenant: String, ifMatch: String?, idempotencyKey: String?
    ) async throws -> Delivery {
        let (current, connection, connector, sourceKey) = try await writtenRecord(R.self, key: key, tenant: tenant, ifMatch: ifMatch)
        try Self.checkOperation(R.resource, .delete, connection: connection, connector: connector)
        try Self.checkFields(connector.writeProblems(current, fields: [], operation: .delete), connection: connection)
        // A media is addressed through its parent at the vendor (an Apimo picture through its
        // property): the delete carries the hub's copy, which names the parent's vendor key.
        let record = R.resource == .media ? Self.resoJSON(current) : nil
        let payload = try RecordWrite(resource: R.resource, record: record, recordKey: key, sourceKey: sourceKey).encoded()
        let delivery = NewDelivery(
            tenantID: tenant, connectionID: connection.id, kind: .recordDelete, payload: payload, idempotencyKey: idempotencyKey,
            recordKey: key)
        let committed = try await commit(
            [delivery], tenant: tenant, idempotencyKey: idempotencyKey, request: [Data("delete".utf8), payload])
        guard let first = committed.first else { throw HubError(.internalError, "the delete was not committed") }
        return first
    }

    // MARK: - Checks

    /// A media to create, tied to its parent: `ResourceRecordKey` is the hub key of the parent
    /// (`ResourceName` `Property`, the default, or `Member`), which must be a live record of the
    /// tenant from the connection every target is; the parent's vendor key becomes
    /// `SourceSystemResourceRecordKey`, which the vendor addresses the media by.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `ResourceRecordKey` (missing, unknown,
    ///   deleted, or another connection's), `ResourceName` or `SourceSystemResourceRecordKey`.
    func linkedMedia(_ media: Media, targets: [Connection], tenant: String) async throws -> Media {
        func refuse(_ field: String, _ message: String) -> HubError {
            HubError(.validationFailed, "the media's parent: \(field) \(message)", details: [FieldError(field: field, message: message)])
        }
        let name = media.resourceName.flatMap { FieldRules.isPresent($0) ? $0 : nil } ?? ResourceName.property.rawValue
        guard let resource = ResourceName(rawValue: name), Media.parentResources.contains(resource) else {
            throw refuse("ResourceName", "must be one of \(Media.parentResources.map(\.rawValue).joined(separator: ", "))")
        }
        guard let parentKey = media.resourceRecordKey?.trimmingCharacters(in: .whitespaces), !parentKey.isEmpty else {
            throw refuse("ResourceRecordKey", "is required: the \(resource.keyField) of the \(resource.rawValue) the media belongs to")
        }
        let found: (any HubRecord)? = try await store.record(resource.recordType, tenant: tenant, key: parentKey)
        guard let parent = found, !parent.metadata.deleted else {
            throw refuse("ResourceRecordKey", "names no \(resource.rawValue) record of the tenant (\(parentKey))")
        }
        for connection in targets where parent.metadata.connectionID != connection.id {
            throw refuse(
                "ResourceRecordKey",
                "\(resource.rawValue) \(parentKey) is not from connection \(connection.name); a media is written to its parent's connection"
            )
        }
        guard let sourceKey = parent.metadata.sourceKey else {
            throw refuse("ResourceRecordKey", "\(resource.rawValue) \(parentKey) has no vendor key to address it by")
        }
        if let given = media.resourceRecordSourceKey, FieldRules.isPresent(given), given != sourceKey {
            throw refuse("SourceSystemResourceRecordKey", "is \(given), but the parent's vendor key is \(sourceKey)")
        }
        var linked = media
        linked.resourceName = resource.rawValue
        linked.resourceRecordKey = parentKey
        linked.resourceRecordSourceKey = sourceKey
        return linked
    }

    static func checkWritable(_ resource: ResourceName) throws {
        guard ResourceName.writable.contains(resource) else {
            throw HubError(
                .invalidRequest,
                "\(resource.rawValue) records cannot be written through the hub; writable: \(ResourceName.writable.map(\.pathName).joined(separator: ", "))"
            )
        }
    }

    /// The connection named `name` and its connector, for a write.
    func writeTarget(_ name: String, tenant: String) async throws -> (Connection, any Connector) {
        let connection: Connection
        do {
            connection = try await findConnection(name, tenant: tenant)
        } catch let error as HubError where error.code == .notFound {
            throw HubError(
                .unknownConnection, "no connection \(name)", details: [FieldError(field: "connections", message: "no connection \(name)")])
        }
        return (connection, try await connector(for: connection))
    }

    /// What `connection` can do, as its connector declares it (no request is sent); nil when no
    /// connector can be built for it (no credentials, an unknown vendor).
    public func capabilities(of connection: Connection) async -> ConnectorCapabilities? {
        try? await connector(for: connection).capabilities
    }

    /// The connector of `connection` (built from its stored credentials; no request is sent).
    func connector(for connection: Connection) async throws -> any Connector {
        let credentials = try await store.credentials(connectionID: connection.id, tenant: connection.tenantID)
        return try connectors.connector(for: connection, credentials: credentials)
    }

    /// The record `key` with its connection and connector, checked for a write: it exists and
    /// is not deleted, it came from a connection that still exists, it has a vendor key, and
    /// `ifMatch` (when given) still names its content.
    func writtenRecord<R: HubRecord>(_ type: R.Type, key: String, tenant: String, ifMatch: String?) async throws -> (
        R, Connection, any Connector, String
    ) {
        guard let record = try await store.record(R.self, tenant: tenant, key: key), !record.metadata.deleted else {
            throw HubError(.notFound, "no \(R.resource.rawValue) record \(key)")
        }
        if let ifMatch, try !Self.etagMatches(ifMatch, record.metadata.contentHash) {
            throw HubError(
                .preconditionFailed,
                "the \(R.resource.rawValue) record \(key) changed since it was read (If-Match \(ifMatch) no longer matches its ETag)")
        }
        guard let connectionID = record.metadata.connectionID,
            let connection = try await store.connection(id: connectionID, tenant: tenant)
        else {
            throw HubError(.conflict, "the \(R.resource.rawValue) record \(key) belongs to no connection of the tenant any more")
        }
        guard let sourceKey = record.metadata.sourceKey else {
            throw HubError(.conflict, "the \(R.resource.rawValue) record \(key) has no vendor key to address it by")
        }
        return (record, connection, try await connector(for: connection), sourceKey)
    }

    /// Whether an `If-Match` value names `hash`: `*` always; otherwise one of its entity tags
    /// (strong or weak, `"hash"` or `W/"hash"`) holds the hash.
    /// - Throws: ``HubError`` `.invalidRequest` when the value is not `*` or a comma-separated
    ///   list of entity tags (RFC 9110 section 13.1.1).
    public static func etagMatches(_ ifMatch: String, _ hash: String?) throws -> Bool {
        guard let tags = entityTags(ifMatch) else {
            throw HubError(
                .invalidRequest, "If-Match must be * or entity tags such as \"<ETag of a GET>\"",
                details: [FieldError(field: "If-Match", message: "is not * or a list of entity tags")])
        }
        if tags.contains("*") { return true }
        guard let hash else { return false }
        return tags.contains(hash)
    }

    /// The opaque tags of an `If-Match` value (`*` as itself), or nil when it is malformed. A tag
    /// may hold a comma (`W/",x"`), so the list is scanned, not split.
    public static func entityTags(_ value: String) -> [String]? {
        let blank: Set<Character> = [" ", "\t"]
        let text = Array(value)
        var index = 0
        func skipBlanks() { while index < text.count, blank.contains(text[index]) { index += 1 } }
        skipBlanks()
        if index < text.count, text[index] == "*" {
            index += 1
            skipBlanks()
            return index == text.count ? ["*"] : nil
        }
        var tags: [String] = []
        while true {
            skipBlanks()
            if index + 1 < text.count, text[index] == "W", text[index + 1] == "/" { index += 2 }
            guard index < text.count, text[index] == "\"" else { return nil }
            index += 1
            var tag = ""
            while index < text.count, text[index] != "\"" {
                // etagc: any visible ASCII character but the double quote.
                guard let ascii = text[index].asciiValue, ascii == 0x21 || (0x23...0x7E).contains(ascii) else { return nil }
                tag.append(text[index])
                index += 1
            }
            guard index < text.count else { return nil }
            index += 1
            tags.append(tag)
            skipBlanks()
            if index == text.count { return tags }
            guard text[index] == "," else { return nil }
            index += 1
        }
    }

    /// The entity tag of a record's content: its content hash, quoted.
    public static func etag(_ hash: String) -> String { "\"\(hash)\"" }

    static func checkOperation(_ resource: ResourceName, _ operation: WriteOperation, connection: Connection, connector: any Connector)
        throws
    {
        guard connector.capabilities.write(resource)?.allows(operation) == true else {
            throw HubError(
                .notSupportedByVendor,
                "\(connector.vendor.displayName) (connection \(connection.name)) cannot \(operation.rawValue) \(resource.rawValue) records",
                details: [
                    FieldError(
                        field: "connections",
                        message: "\(connection.name): \(connector.vendor.rawValue) cannot \(operation.rawValue) \(resource.rawValue)")
                ])
        }
    }

    static func checkFields(_ problems: [FieldError], connection: Connection) throws {
        guard problems.isEmpty else {
            throw HubError(
                .validationFailed, "connection \(connection.name) cannot take the record as it is",
                details: problems.map { FieldError(field: $0.field, message: "\(connection.name): \($0.message)") })
        }
    }

    /// `record` with the fields of `patch` set (null clears), and the names whose value that
    /// changed. The hub's own fields (keys, provenance, timestamps) are ignored, as in a create,
    /// so a record read from the API can be sent back with some fields changed; a name that is
    /// no field of `R` is refused.
    static func applying<R: HubRecord>(_ patch: [String: JSONValue], to record: R) throws -> (R, [String]) {
        let hubOwned = Set(MetadataFieldNames(R.resource).all)
        var changed = record
        var fields: [String] = []
        for name in patch.keys.sorted() where !hubOwned.contains(name) {
            guard let field = R.field(named: name), let json = patch[name] else {
                throw HubError(
                    .validationFailed, "\(R.resource.rawValue) has no field \(name)",
                    details: [FieldError(field: name, message: "is not a \(R.resource.rawValue) field")])
            }
            let value: FieldValue? = json.isNull ? .null : FieldValue.from(json: json, as: field.type)
            guard let value, field.set(value, in: &changed) else {
                throw HubError(
                    .invalidRequest, "\(name) must be \(field.type.article) or null",
                    details: [FieldError(field: name, message: "must be \(field.type.article) or null")])
            }
            if field.value(in: changed) != field.value(in: record) { fields.append(name) }
        }
        return (changed, fields)
    }

    static func clientRecord<R: HubRecord>(_ type: R.Type, _ object: [String: JSONValue], field: String) throws -> R {
        do {
            return try R(clientFields: object)
        } catch {
            throw HubError(
                .invalidRequest, "the \(field) is not a \(R.resource.rawValue) record in RESO names: \(error.field): \(error.message)",
                details: [error])
        }
    }

    /// A record's canonical fields as RESO JSON (no hub metadata).
    static func resoJSON<R: HubRecord>(_ record: R) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for field in R.fields {
            let value = field.value(in: record)
            if !value.isNull { object[field.name] = value.json }
        }
        return .object(object)
    }

    // MARK: - Commit

    /// Commits `deliveries`, under the idempotency key when there is one: the same request
    /// (the same `request` parts to the same connections) gets the deliveries committed first;
    /// another request under the key is refused.
    ///
    /// - Parameter sameAsUnfingerprinted: for a key committed before fingerprints were stored,
    ///   whether its deliveries are this request's.
    func commit(
        _ deliveries: [NewDelivery], tenant: String, idempotencyKey: String?, request: [Data],
        sameAsUnfingerprinted: ([Delivery]) -> Bool = { _ in false }
    ) async throws -> [Delivery] {
        guard let idempotencyKey else { return try await store.enqueue(deliveries, now: Date()) }
        let targets = deliveries.map(\.connectionID)
        let fingerprint = RequestFingerprint.of(request + targets.map { Data($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        let order = Dictionary(targets.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func inTargetOrder(_ found: [Delivery]) -> [Delivery] {
            found.sorted { (order[$0.connectionID] ?? Int.max, $0.id) < (order[$1.connectionID] ?? Int.max, $1.id) }
        }
        switch try await store.enqueue(deliveries, idempotencyKey: idempotencyKey, tenant: tenant, fingerprint: fingerprint, now: Date()) {
        case .created(let created):
            return inTargetOrder(created)
        case .existing(let stored, let existing):
            guard stored.map({ $0 == fingerprint }) ?? sameAsUnfingerprinted(existing) else {
                throw HubError(.idempotencyKeyReused, "Idempotency-Key \(idempotencyKey) was used for another request")
            }
            return inTargetOrder(existing)
        }
    }
}
