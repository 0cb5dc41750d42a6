public import Foundation
public import RealtyModel

/// A client for one vendor on one connection: it declares what it can do, reads resources as
/// resumable page sequences, and writes records back.
///
/// Connectors are configured only by base URL(s) and credentials, so the same code talks to
/// the sandbox emulators or to the real vendor. Vendor-specific operations (PropQ unit update,
/// publish; MyCRM address check) are typed methods on the concrete connector types.
public protocol Connector: Sendable {
    /// The vendor.
    var vendor: VendorID { get }
    /// What this connection can read, write and do.
    var capabilities: ConnectorCapabilities { get }

    /// Authenticates once, proving the credentials work.
    ///
    /// - Throws: ``ConnectorError`` (`.auth` naming the connection when refused).
    func verify() async throws

    /// Reads every vendor endpoint feeding resource `R`, as one resumable sequence of pages.
    ///
    /// - Parameters:
    ///   - type: the resource type.
    ///   - mode: a full pass or the changes since the cursor.
    ///   - cursor: nil to start; otherwise the ``ConnectorPage/cursor`` of the last page stored.
    /// - Returns: the pages; the stream ends after the page with `isLast`, or throws a
    ///   ``ConnectorError`` (`.configuration` "this connection cannot read ..." when the
    ///   resource is not readable).
    func read<R: HubRecord>(_ type: R.Type, mode: ReadMode, after cursor: String?) -> AsyncThrowingStream<ConnectorPage<R>, any Error>

    /// Creates `record` at the vendor.
    ///
    /// - Returns: the vendor's id of the new record.
    /// - Throws: ``ConnectorError``.
    func create<R: HubRecord>(_ record: R) async throws -> WriteResult

    /// Changes the vendor's record `change.remoteID`: only the fields `change.fields` names are
    /// sent (a partial update at the vendor: PATCH, revise, or a read-modify-write of the
    /// vendor's own record), so fields the hub does not map or keeps sealed are never blanked.
    ///
    /// When `change.expectedSourceModification` is set and the vendor exposes its record's
    /// modification time, the connector first checks that the vendor's record did not change
    /// after it; if it did, nothing is sent and ``ConnectorError/Kind/changedAtVendor`` is thrown
    /// with the vendor's current record in ``ConnectorError/vendorRecord``.
    ///
    /// - Returns: the vendor's id and, where the vendor answers with the record (or it was read
    ///   for the check), the record as the vendor now holds it.
    /// - Throws: ``ConnectorError``.
    func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult

    /// Deletes the vendor's record `remoteID`. Safe to repeat: a record the vendor no longer has
    /// counts as deleted.
    ///
    /// - Throws: ``ConnectorError`` (`.configuration` when the vendor cannot delete `R`).
    func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws

    /// Deletes the vendor's record `remoteID`, given the hub's copy of it: for a vendor that
    /// addresses a record through its parent (an Apimo picture through its property), the copy
    /// names the parent. Safe to repeat, like the delete by type.
    ///
    /// - Throws: ``ConnectorError``.
    func delete<R: HubRecord>(_ record: R, remoteID: String) async throws

    /// What in `record` this vendor cannot write, checked before anything is queued (no
    /// request is sent): fields it cannot take and values its vocabulary has no mapping for,
    /// each a ``FieldError`` naming the RESO field and what the vendor accepts.
    ///
    /// - Parameters:
    ///   - record: the record as it would be written (for an update, the hub's copy with the
    ///     change applied).
    ///   - fields: the RESO names the client set.
    ///   - operation: create or update.
    func writeProblems<R: HubRecord>(_ record: R, fields: [String], operation: WriteOperation) -> [FieldError]

    /// Finds the vendor's existing record matching `record` by the lookup keys the vendor
    /// allows (see ``WriteCapability/lookupKeys``).
    ///
    /// - Returns: the remote id, or nil when none matches.
    /// - Throws: ``ConnectorError`` (`.configuration` when the vendor allows no lookup).
    func lookup<R: HubRecord>(_ record: R) async throws -> String?

    /// The cursor of a completed read with every change mark moved back to `limit` at the
    /// latest, so the next incremental read starts no later than `limit`.
    ///
    /// The sync engine passes the run's start minus a lookback: a record the vendor changed
    /// while the run was reading (or stamped with a clock behind the hub's) is then read again
    /// by the next run instead of being skipped. Re-reading an unchanged record costs a hash
    /// comparison and writes nothing.
    ///
    /// - Returns: the capped cursor; cursors without time marks (or not of this connector) are
    ///   returned unchanged.
    func cursor(_ cursor: String, cappedAt limit: Date) -> String

    /// Where the first incremental read after a completed full pass starts: a cursor asking
    /// for the changes since `since` (the pass's start minus the engine's lookback), built from
    /// the pass's last cursor when it carries change marks.
    ///
    /// - Parameter cursor: the cursor of the full pass's last page (nil when it had none).
    /// - Returns: nil when the connector cannot start an incremental read there; the next
    ///   incremental read then starts from the vendor's beginning (correct, only slower).
    func incrementalCursor(afterFullPass cursor: String?, since: Date) -> String?

    /// The fields of this vendor's payloads that must never leave the hub in clear (identity
    /// numbers, passwords, access keys): the store seals them inside `raw`, and mappings never
    /// copy them to RESO fields.
    var sensitiveFields: SensitiveFields { get }
}

extension Connector {
    /// Default: this connection cannot read `R`.
    public func read<R: HubRecord>(_ type: R.Type, mode: ReadMode, after cursor: String?) -> AsyncThrowingStream<
        ConnectorPage<R>, any Error
    > {
        AsyncThrowingStream { $0.finish(throwing: ConnectorError.unsupported(vendor, "read \(R.resource.rawValue) records")) }
    }

    /// Default: this connection cannot create `R`.
    public func create<R: HubRecord>(_ record: R) async throws -> WriteResult {
        throw ConnectorError.unsupported(vendor, "create \(R.resource.rawValue) records")
    }

    /// Default: this connection cannot update `R`.
    public func update<R: HubRecord>(_ change: RecordChange<R>) async throws -> WriteResult {
        throw ConnectorError.unsupported(vendor, "update \(R.resource.rawValue) records")
    }

    /// Updates the vendor's record `remoteID` with every field `record` has (no modification
    /// check).
    public func update<R: HubRecord>(_ record: R, remoteID: String) async throws -> WriteResult {
        try await update(RecordChange(record: record, fields: record.presentFieldNames, remoteID: remoteID))
    }

    /// Default: this connection cannot delete `R`.
    public func delete<R: HubRecord>(_ type: R.Type, remoteID: String) async throws {
        throw ConnectorError.unsupported(vendor, "delete \(R.resource.rawValue) records")
    }

    /// Default: the record is deleted by its vendor id alone.
    public func delete<R: HubRecord>(_ record: R, remoteID: String) async throws {
        try await delete(R.self, remoteID: remoteID)
    }

    /// Default: the fields the write capability does not list (every field when `R` is not
    /// writable or the operation is not offered; see ``WriteCapability/problems(fields:operation:vendor:)``).
    public func writeProblems<R: HubRecord>(_ record: R, fields: [String], operation: WriteOperation) -> [FieldError] {
        guard let capability = capabilities.write(R.resource) else {
            return [FieldError(field: R.resource.rawValue, message: "\(vendor.displayName) cannot write \(R.resource.rawValue) records")]
        }
        return capability.problems(fields: fields, operation: operation, vendor: vendor)
    }

    /// Default: the cursor carries no time marks.
    public func cursor(_ cursor: String, cappedAt limit: Date) -> String { cursor }

    /// Default: no incremental start after a full pass (the next incremental read reads all).
    public func incrementalCursor(afterFullPass cursor: String?, since: Date) -> String? { nil }

    /// Default: the fields sensitive at every vendor (any `password` or `accesskey`).
    public var sensitiveFields: SensitiveFields { .standard }

    /// Default: this connection cannot look `R` up.
    public func lookup<R: HubRecord>(_ record: R) async throws -> String? {
        throw ConnectorError.unsupported(vendor, "look up existing \(R.resource.rawValue) records")
    }
}

/// A full pass or an incremental read.
public enum ReadMode: String, Sendable, Hashable, Codable {
    /// Every record (a full pass; the store marks unseen records deleted when it completes).
    case full
    /// Only what changed since the cursor (vendors without incremental reads fall back to full).
    case incremental
}

/// One page of a read.
public struct ConnectorPage<R: HubRecord>: Sendable {
    /// The records, mapped to the canonical model, each with its raw vendor payload.
    public var records: [R]
    /// Vendor keys the vendor reports deleted (MyCRM `sync` deletions).
    public var deletedSourceKeys: [String]
    /// Where to resume after this page (opaque; store it with the page's records).
    public var cursor: String?
    /// Whether this is the last page of the pass.
    public var isLast: Bool
    /// The complete media (photos) of every record in ``records``, read from the same payloads
    /// (no extra request), each naming its parent by `SourceSystemResourceRecordKey`; nil when
    /// the vendor's payload for `R` carries none. The store writes them with the page and
    /// replaces each parent's media set: a record of the page with no media here loses the
    /// media it had.
    public var media: [Media]?
    /// Auxiliary endpoints of the resource the read found unavailable on this connection and
    /// skipped (reported on the page read after the skip). A pass that skipped an endpoint did
    /// not see that endpoint's records, so it cannot tell which of them were deleted.
    public var unavailable: [UnavailableRead]

    /// Creates a page.
    public init(
        records: [R], deletedSourceKeys: [String] = [], cursor: String?, isLast: Bool, media: [Media]? = nil,
        unavailable: [UnavailableRead] = []
    ) {
        self.records = records
        self.deletedSourceKeys = deletedSourceKeys
        self.cursor = cursor
        self.isLast = isLast
        self.media = media
        self.unavailable = unavailable
    }
}

/// An auxiliary vendor endpoint a connection cannot read: the vendor's server has no such route
/// (404 on a list), or the credentials lack the right to it (a permission answer). Core
/// resources never degrade this way: their failures stay errors.
public struct UnavailableRead: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The endpoint, as the capability lists it (`GET /whatsapp-leads`).
    public var endpoint: String
    /// Why, in the vendor's words where it gave any (`403 AccessDenied: ...`); never a secret.
    public var reason: String

    /// Creates an entry.
    public init(endpoint: String, reason: String) {
        self.endpoint = endpoint
        self.reason = reason
    }

    /// An entry for `endpoint` from the error reading it.
    public init(endpoint: String, error: ConnectorError) {
        let status = error.httpStatus.map { "\($0) " } ?? ""
        let code = error.vendorCode.map { "\($0): " } ?? ""
        self.init(endpoint: endpoint, reason: "\(status)\(code)\(error.message)")
    }

    /// `GET /whatsapp-leads is not available on this connection (403 AccessDenied: ...)`.
    public var description: String { "\(endpoint) is not available on this connection (\(reason))" }
}

extension ConnectorError {
    /// Whether this error, met reading an auxiliary endpoint's list, says the endpoint is not
    /// available on this connection rather than that something failed: the route does not
    /// exist on the vendor's server (404) or the credentials may not read it (a permission
    /// answer). Bad credentials (`.auth`) are told apart by the connector (a permission message,
    /// or the core resources working) before it gets here.
    public var meansUnavailable: Bool { kind == .notFound || kind == .permission }
}

/// The outcome of a create or update.
public struct WriteResult: Sendable, Hashable {
    /// The vendor's id of the record.
    public var remoteID: String
    /// The record's URL at the vendor, when given (`Location`).
    public var location: URL?
    /// The vendor's answer, when it sent the record back.
    public var raw: JSONValue?
    /// The record as the vendor now holds it, mapped like a read (its `raw` the vendor's
    /// payload): from the answer, or read back after the write. The hub stores it when the
    /// delivery completes, so a client reads its write at once. Nil when the vendor gave no
    /// record back and the connector did not read it.
    public var record: (any HubRecord)?

    /// Creates a result.
    public init(remoteID: String, location: URL? = nil, raw: JSONValue? = nil, record: (any HubRecord)? = nil) {
        self.remoteID = remoteID
        self.location = location
        self.raw = raw
        self.record = record
    }

    public static func == (lhs: WriteResult, rhs: WriteResult) -> Bool {
        lhs.remoteID == rhs.remoteID && lhs.location == rhs.location && lhs.raw == rhs.raw
            && lhs.record.map { AnyHashable($0) } == rhs.record.map { AnyHashable($0) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(remoteID)
        hasher.combine(location)
        hasher.combine(raw)
        hasher.combine(record.map { AnyHashable($0) })
    }
}

/// A create, an update or a delete.
public enum WriteOperation: String, Sendable, Hashable, Codable, CaseIterable {
    case create, update, delete
}

/// An update of one vendor record: what the record should become and which fields changed.
public struct RecordChange<R: HubRecord>: Sendable, Hashable {
    /// The record as it should be after the change: the hub's copy with the client's fields
    /// applied (mappers that need a related value, such as a price's currency, find it here).
    public var record: R
    /// The RESO names the client set; only these are sent. A name whose value is empty in
    /// `record` asks the vendor to clear the field.
    public var fields: [String]
    /// The vendor's id of the record.
    public var remoteID: String
    /// The vendor's modification time of the hub's copy (its `SourceModificationTimestamp`).
    /// When set, the connector refuses to overwrite a vendor record changed after it (see
    /// ``ConnectorError/Kind/changedAtVendor``); nil skips the check (a forced write, or a copy
    /// without a vendor time).
    public var expectedSourceModification: Date?

    /// Creates a change.
    public init(record: R, fields: [String], remoteID: String, expectedSourceModification: Date? = nil) {
        self.record = record
        self.fields = fields
        self.remoteID = remoteID
        self.expectedSourceModification = expectedSourceModification
    }

    /// Whether the change names `field`.
    public func changes(_ field: String) -> Bool { fields.contains(field) }
}

extension HubRecord {
    /// The canonical fields that hold a value.
    public var presentFieldNames: [String] {
        Self.fields.compactMap { field in field.value(in: self) == .null ? nil : field.name }
    }
}

/// What a connection can do, declared in code so the hub can say "this connection cannot do
/// that" before trying.
public struct ConnectorCapabilities: Sendable, Hashable, Codable {
    /// Readable resources.
    public var readable: [ReadCapability]
    /// Writable resources.
    public var writable: [WriteCapability]
    /// Vendor operations beyond read and write (`publish-development`, `address-check`).
    public var operations: [String]

    /// Creates capabilities.
    public init(readable: [ReadCapability], writable: [WriteCapability] = [], operations: [String] = []) {
        self.readable = readable
        self.writable = writable
        self.operations = operations
    }

    /// The read capability for `resource`, if readable.
    public func read(_ resource: ResourceName) -> ReadCapability? { readable.first { $0.resource == resource } }

    /// The write capability for `resource`, if writable.
    public func write(_ resource: ResourceName) -> WriteCapability? { writable.first { $0.resource == resource } }
}

/// One readable resource.
public struct ReadCapability: Sendable, Hashable, Codable {
    /// The resource.
    public var resource: ResourceName
    /// The vendor endpoints feeding it (`GET /users`).
    public var vendorEndpoints: [String]
    /// Whether changes can be read incrementally.
    public var incremental: Bool
    /// Whether the resource is core to the vendor (its seed document describes it): a core
    /// resource that cannot be read is an error. An auxiliary one (`false`) that the connection
    /// cannot read (see ``ConnectorError/meansUnavailable``) is reported "not available on this
    /// connection" and the rest of the connection syncs.
    public var core: Bool

    /// Creates a read capability.
    public init(resource: ResourceName, vendorEndpoints: [String], incremental: Bool, core: Bool = true) {
        self.resource = resource
        self.vendorEndpoints = vendorEndpoints
        self.incremental = incremental
        self.core = core
    }
}

/// One writable resource.
public struct WriteCapability: Sendable, Hashable, Codable {
    /// The resource.
    public var resource: ResourceName
    /// Whether records can be created.
    public var canCreate: Bool
    /// Whether records can be updated.
    public var canUpdate: Bool
    /// Whether records can be deleted.
    public var canDelete: Bool
    /// How an existing record can be found before creating it again (empty: the vendor offers
    /// no lookup, so a crash between the vendor's success and the hub's commit may duplicate).
    public var lookupKeys: [LookupKey]
    /// The RESO fields the vendor takes for this resource; a write naming another is refused
    /// before it is queued. Nil: not declared (every field is passed to the connector).
    public var fields: [String]?

    /// Creates a write capability.
    public init(
        resource: ResourceName, canCreate: Bool, canUpdate: Bool, canDelete: Bool = false, lookupKeys: [LookupKey],
        fields: [String]? = nil
    ) {
        self.resource = resource
        self.canCreate = canCreate
        self.canUpdate = canUpdate
        self.canDelete = canDelete
        self.lookupKeys = lookupKeys
        self.fields = fields
    }

    /// Whether `operation` is offered.
    public func allows(_ operation: WriteOperation) -> Bool {
        switch operation {
        case .create: return canCreate
        case .update: return canUpdate
        case .delete: return canDelete
        }
    }

    /// The operations offered, in create, update, delete order.
    public var operations: [WriteOperation] { WriteOperation.allCases.filter(allows) }

    /// A field error per name in `fields` the vendor does not take (none when ``fields`` is
    /// not declared), or one for the resource when `operation` is not offered.
    public func problems(fields names: [String], operation: WriteOperation, vendor: VendorID) -> [FieldError] {
        guard allows(operation) else {
            return [
                FieldError(
                    field: resource.rawValue, message: "\(vendor.displayName) cannot \(operation.rawValue) \(resource.rawValue) records")
            ]
        }
        guard let fields else { return [] }
        let accepted = Set(fields)
        return names.filter { !accepted.contains($0) }.map { name in
            FieldError(
                field: name,
                message: "\(vendor.displayName) cannot write \(name) on \(resource.rawValue); it takes \(fields.joined(separator: ", "))")
        }
    }
}

/// A field by which a vendor can find an existing record.
public struct LookupKey: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The stable snake_case name.
    public let rawValue: String
    /// Creates a lookup key (vendors may define their own, e.g. a portal reference).
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The email address.
    public static let email = LookupKey(rawValue: "email")
    /// The phone number.
    public static let phone = LookupKey(rawValue: "phone")
    /// A reference we set on the record (listing reference, external id).
    public static let externalReference = LookupKey(rawValue: "external_reference")
    /// The record's name (PropQ units are addressed by name).
    public static let name = LookupKey(rawValue: "name")
}
