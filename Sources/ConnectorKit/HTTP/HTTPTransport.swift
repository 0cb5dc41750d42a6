public import Foundation

/// The seam between connectors and the network: sends one request and answers one response.
///
/// The real implementation is ``AsyncHTTPClientTransport``; tests may script answers. A
/// transport answers every HTTP status (4xx and 5xx included) as a ``TransportResponse`` and
/// throws only when no response was received (``TransportError``).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the vendor's answer, whatever its status.
    ///
    /// - Parameter request: the request, with its deadline in `timeout`.
    /// - Returns: the response with its whole body.
    /// - Throws: ``TransportError`` when no response arrived (connect failure, timeout, closed
    ///   connection, body too large); `CancellationError` when the task was cancelled.
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

/// An HTTP method.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token, upper case.
    public let rawValue: String
    /// Creates a method from its token.
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    public var description: String { rawValue }

    /// `GET`.
    public static let get = HTTPMethod(rawValue: "GET")
    /// `POST`.
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`.
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `PATCH`.
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`.
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `HEAD`.
    public static let head = HTTPMethod(rawValue: "HEAD")

    /// Whether repeating the request has the same effect as sending it once (RFC 9110).
    public var isIdempotent: Bool { self != .post && self != .patch }
}

/// An ordered list of header fields with case-insensitive lookup.
public struct TransportHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The field name, as sent.
        public var name: String
        /// The field value.
        public var value: String
        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields, in order.
    public private(set) var fields: [Field]

    /// Creates headers from fields.
    public init(_ fields: [Field] = []) { self.fields = fields }

    /// Creates headers from `name: value` pairs.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, or nil; setting replaces every field named `name` (nil removes).
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        set {
            fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
            if let newValue { fields.append(Field(name: name, value: newValue)) }
        }
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Adds a field, keeping existing ones with the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

/// One HTTP request to a vendor.
public struct TransportRequest: Sendable {
    /// The method.
    public var method: HTTPMethod
    /// The full URL, query included.
    public var url: URL
    /// The header fields.
    public var headers: TransportHeaders
    /// The body, if any.
    public var body: Data?
    /// The deadline for the whole request, response body included.
    public var timeout: Duration
    /// Whether the executor may resend the request after a failure that may have reached the
    /// vendor (a 5xx, a timeout, a dropped connection). Defaults to the method's idempotency:
    /// a POST that creates a record is not resent blindly, because the hub's delivery worker
    /// looks the record up before creating it again.
    public var isIdempotent: Bool
    /// A low-cardinality name of the operation for logs and metrics (`GET /users`); defaults
    /// to the method and the URL path.
    public var operationName: String

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - method: the method.
    ///   - url: the full URL.
    ///   - headers: header fields.
    ///   - body: the body.
    ///   - timeout: the deadline for the whole request (default 60 s; the executor replaces
    ///     the default with the connection's request timeout).
    ///   - isIdempotent: whether resending is safe (default: from the method).
    ///   - operationName: a name for logs and metrics (default: method and path).
    public init(
        method: HTTPMethod, url: URL, headers: TransportHeaders = [:], body: Data? = nil,
        timeout: Duration? = nil, isIdempotent: Bool? = nil, operationName: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout ?? Self.defaultTimeout
        self.hasDefaultTimeout = timeout == nil
        self.isIdempotent = isIdempotent ?? method.isIdempotent
        self.operationName = operationName ?? "\(method.rawValue) \(url.path.isEmpty ? "/" : url.path)"
    }

    /// The deadline used when none is given.
    public static let defaultTimeout: Duration = .seconds(60)

    /// Whether `timeout` was left to the default (the executor then applies the connection's).
    package var hasDefaultTimeout: Bool
}

/// One HTTP response from a vendor, with its whole body.
public struct TransportResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields.
    public var headers: TransportHeaders
    /// The body (empty when there was none).
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: TransportHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// A short, redacted excerpt of the body for error messages (at most `limit` characters).
    public func bodyExcerpt(limit: Int = 200, redactor: Redactor) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        let collapsed = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        let redacted = redactor.redact(collapsed)
        return redacted.count > limit ? String(redacted.prefix(limit)) + "…" : redacted
    }
}

/// A request that got no response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Why no response arrived: a stable, extensible code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable snake_case name.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The connection could not be opened (refused, DNS, TLS); the request never left.
        public static let connectFailed = Code("connect_failed")
        /// The deadline or read timeout passed before the response was complete.
        public static let timeout = Code("timeout")
        /// The connection closed before the response was complete.
        public static let connectionClosed = Code("connection_closed")
        /// The response body exceeded the transport's size limit.
        public static let bodyTooLarge = Code("body_too_large")
        /// The request could not be built (bad URL or header).
        public static let invalidRequest = Code("invalid_request")
        /// Any other transport failure.
        public static let other = Code("other")
    }

    /// Why.
    public var code: Code
    /// A short explanation (never containing headers or bodies).
    public var message: String

    /// Creates a transport error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the request certainly never reached the vendor, so resending is safe even for
    /// a non-idempotent request.
    public var requestNeverSent: Bool { code == .connectFailed || code == .invalidRequest }

    public var description: String { "\(code): \(message)" }
}
