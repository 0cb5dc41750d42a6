public import RealtyModel

/// A control operation on an emulator's state, sent as JSON to `POST /_sandbox/control`.
///
/// JSON form: `{"op": "mutate", "resource": "leads", "count": 3}`. `count` defaults to 1.
/// Any other `op` is passed to the emulator as ``custom(op:arguments:)`` with the whole body.
public enum ControlRequest: Sendable, Hashable {
    /// Modify `count` existing records and bump their modification time (incremental sync tests).
    case mutate(resource: String, count: Int)
    /// Delete `count` existing records.
    case delete(resource: String, count: Int)
    /// Insert `count` new seeded-style records.
    case insert(resource: String, count: Int)
    /// The emulator's current records of a resource.
    case list(resource: String)
    /// Back to the seeded state (records, tokens, sessions, quotas).
    case reset
    /// A vendor-specific operation; `arguments` is the whole request body.
    case custom(op: String, arguments: JSONValue)
}

extension ControlRequest {
    /// The largest `count` the control API accepts in one operation.
    public static let maxCount = 100_000
}

extension ControlRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case op, resource, count
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let op = try container.decode(String.self, forKey: .op)
        func resource() throws -> String {
            try container.decode(String.self, forKey: .resource)
        }
        func count() throws -> Int {
            let count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
            guard (0...ControlRequest.maxCount).contains(count) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .count, in: container, debugDescription: "count must be between 0 and \(ControlRequest.maxCount)")
            }
            return count
        }
        switch op {
        case "mutate": self = .mutate(resource: try resource(), count: try count())
        case "delete": self = .delete(resource: try resource(), count: try count())
        case "insert": self = .insert(resource: try resource(), count: try count())
        case "list": self = .list(resource: try resource())
        case "reset": self = .reset
        default: self = .custom(op: op, arguments: try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .custom(_, let arguments):
            try arguments.encode(to: encoder)
        default:
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(op, forKey: .op)
            switch self {
            case .mutate(let resource, let count), .delete(let resource, let count), .insert(let resource, let count):
                try container.encode(resource, forKey: .resource)
                try container.encode(count, forKey: .count)
            case .list(let resource):
                try container.encode(resource, forKey: .resource)
            case .reset, .custom:
                break
            }
        }
    }

    /// The operation's name.
    public var op: String {
        switch self {
        case .mutate: "mutate"
        case .delete: "delete"
        case .insert: "insert"
        case .list: "list"
        case .reset: "reset"
        case .custom(let op, _): op
        }
    }
}

/// The answer to a control operation.
///
/// JSON form: `{"ids": ["12", "13"], "records": [...], "info": {...}}` (absent members omitted).
public struct ControlResponse: Sendable, Hashable, Codable {
    /// Ids of the records changed, inserted or deleted (as strings, whatever the vendor's type).
    public var ids: [String]
    /// Records, for `list` (in the vendor's own JSON shape).
    public var records: [JSONValue]?
    /// Anything else an operation wants to report.
    public var info: JSONValue?

    /// Creates an answer.
    public init(ids: [String] = [], records: [JSONValue]? = nil, info: JSONValue? = nil) {
        self.ids = ids
        self.records = records
        self.info = info
    }
}

/// An error of the control API, answered as `{"error": {"code": ..., "message": ...}}`.
public struct ControlError: Error, Sendable, CustomStringConvertible {
    /// A stable snake_case code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let base: String
        private init(_ base: String) { self.base = base }
        /// The resource is not one this emulator has.
        public static let unknownResource = Code("unknown_resource")
        /// The operation is not supported by this emulator (or not for that resource).
        public static let unsupportedOperation = Code("unsupported_operation")
        /// The request body or a parameter is invalid.
        public static let invalidRequest = Code("invalid_request")
        /// The route does not exist.
        public static let notFound = Code("not_found")
        public var description: String { base }
    }

    /// The error's code.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The resource is not one this emulator has.
    public static func unknownResource(_ resource: String, known: [String]) -> ControlError {
        ControlError(
            .unknownResource, "unknown resource \"\(resource)\"; this emulator has \(known.joined(separator: ", "))")
    }

    /// The operation is not supported.
    public static func unsupported(_ request: ControlRequest) -> ControlError {
        ControlError(.unsupportedOperation, "operation \"\(request.op)\" is not supported by this emulator")
    }

    public var description: String { "\(code): \(message)" }
}
