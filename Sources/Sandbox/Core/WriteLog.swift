public import Foundation
public import RealtyModel
import Synchronization

/// The kind of a vendor write. Open-ended: vendors add their own (`publish`, `revise`, ...).
public struct WriteLogOperation: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The operation's name as it appears in the control API.
    public var rawValue: String
    /// Creates an operation from its name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates an operation from a literal name.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// A record was created.
    public static let create: WriteLogOperation = "create"
    /// A record was updated.
    public static let update: WriteLogOperation = "update"
    /// A record was deleted.
    public static let delete: WriteLogOperation = "delete"
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One successful vendor write, as recorded by an emulator.
public struct WriteLogEntry: Sendable, Hashable, Codable {
    /// Position in the log, starting at 1, never reused within a run (also not after `clear`).
    public var sequence: Int
    /// The vendor whose emulator accepted the write.
    public var vendor: SandboxVendor
    /// The vendor's resource name (e.g. `leads`, `Contacts`, `units`).
    public var resource: String
    /// What happened.
    public var operation: WriteLogOperation
    /// The vendor's id of the record written.
    public var id: String
    /// Lookup keys of the record (e.g. `email`, `phone`, `reference`), for "exactly once" checks.
    public var keys: [String: String]
    /// The request body as received (parsed JSON, or a string for non-JSON bodies).
    public var body: JSONValue
    /// When the write happened, on the sandbox clock.
    public var timestamp: Date
}

/// Thread-safe, append-only log of every successful vendor write in a sandbox run.
///
/// Shared by all emulators of a run; each entry names its vendor. Exposed through
/// `GET /_sandbox/writes` so tests can assert that a delivery reached a vendor exactly once.
public final class WriteLog: Sendable {
    private struct State {
        var entries: [WriteLogEntry] = []
        var nextSequence = 1
    }

    private let state = Mutex(State())
    private let clock: SandboxClock

    /// Creates an empty log.
    /// - Parameter clock: stamps each entry.
    public init(clock: SandboxClock = .wall()) {
        self.clock = clock
    }

    /// Records a successful write.
    /// - Parameters:
    ///   - vendor: the emulator's vendor.
    ///   - resource: the vendor's resource name.
    ///   - operation: create, update, delete or a vendor-specific operation.
    ///   - id: the vendor's id of the record.
    ///   - keys: lookup keys such as `email`, `phone`, `reference` (empty values are dropped).
    ///   - body: the request body.
    /// - Returns: the recorded entry.
    @discardableResult
    public func record(
        vendor: SandboxVendor,
        resource: String,
        operation: WriteLogOperation,
        id: String,
        keys: [String: String] = [:],
        body: JSONValue = .null
    ) -> WriteLogEntry {
        let timestamp = clock.now
        return state.withLock { state in
            let entry = WriteLogEntry(
                sequence: state.nextSequence,
                vendor: vendor,
                resource: resource,
                operation: operation,
                id: id,
                keys: keys.filter { !$0.value.isEmpty },
                body: body,
                timestamp: timestamp
            )
            state.nextSequence += 1
            state.entries.append(entry)
            return entry
        }
    }

    /// Records a successful write whose body is raw bytes (parsed as JSON when possible).
    /// - Parameters: see ``record(vendor:resource:operation:id:keys:body:)``; `rawBody` is the
    ///   request body as received.
    /// - Returns: the recorded entry.
    @discardableResult
    public func record(
        vendor: SandboxVendor,
        resource: String,
        operation: WriteLogOperation,
        id: String,
        keys: [String: String] = [:],
        rawBody: Data
    ) -> WriteLogEntry {
        let body: JSONValue =
            rawBody.isEmpty
            ? .null : ((try? JSONValue(parsing: rawBody)) ?? .string(String(decoding: rawBody, as: UTF8.self)))
        return record(vendor: vendor, resource: resource, operation: operation, id: id, keys: keys, body: body)
    }

    /// The entries, oldest first, optionally filtered.
    /// - Parameters:
    ///   - vendor: only this vendor's writes.
    ///   - resource: only this resource.
    ///   - operation: only this operation.
    /// - Returns: the matching entries.
    public func entries(
        vendor: SandboxVendor? = nil, resource: String? = nil, operation: WriteLogOperation? = nil
    ) -> [WriteLogEntry] {
        state.withLock { state in
            state.entries.filter { entry in
                (vendor == nil || entry.vendor == vendor) && (resource == nil || entry.resource == resource)
                    && (operation == nil || entry.operation == operation)
            }
        }
    }

    /// Removes entries (all of them, or one vendor's). Sequence numbers keep counting.
    /// - Parameter vendor: only this vendor's entries; `nil` for all.
    public func clear(vendor: SandboxVendor? = nil) {
        state.withLock { state in
            if let vendor {
                state.entries.removeAll { $0.vendor == vendor }
            } else {
                state.entries.removeAll()
            }
        }
    }
}
