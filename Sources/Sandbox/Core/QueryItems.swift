public import Hummingbird

/// The query string of a request (or a form body) as ordered name/value pairs, names **and**
/// values decoded by ``URLEncodedForm`` (PHP's reading: `+` is a space, malformed escapes kept).
///
/// Hummingbird's `queryParameters` leaves names encoded, so bracketed names such as
/// `filters%5Bcreated%5D%5Bfrom%5D` need this reader.
public struct QueryItems: Sendable, Hashable {
    /// The pairs, in request order. A name without `=` has an empty value.
    public var items: [(name: String, value: String)]

    /// Reads the query of a request.
    /// - Parameter request: the request.
    public init(_ request: Request) {
        self.init(query: request.uri.query ?? "")
    }

    /// Reads a raw query string (without the leading `?`).
    /// - Parameter query: e.g. `page=2&filters%5Bemail%5D=a%40b.c`.
    public init(query: String) {
        items = URLEncodedForm.pairs(query)
    }

    /// Reads an `application/x-www-form-urlencoded` body.
    /// - Parameter body: the body's bytes.
    init(formBody body: [UInt8]) {
        items = URLEncodedForm.pairs(bytes: body)
    }

    /// The last value given for a name (PHP's reading of a repeated name), or `nil`.
    public subscript(name: String) -> String? {
        items.last { $0.name == name }?.value
    }

    /// Every value given for a name, in order.
    public func values(_ name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    public static func == (lhs: QueryItems, rhs: QueryItems) -> Bool {
        lhs.items.map(\.name) == rhs.items.map(\.name) && lhs.items.map(\.value) == rhs.items.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        for item in items {
            hasher.combine(item.name)
            hasher.combine(item.value)
        }
    }
}
