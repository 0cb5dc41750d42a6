public import Hummingbird
import Foundation

/// The query string of a request as ordered name/value pairs, with names **and** values
/// percent-decoded and `+` read as a space (as PHP and most form encoders do).
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
        var items: [(name: String, value: String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces.first.map(String.init) ?? "")
            let value = pieces.count > 1 ? Self.decode(String(pieces[1])) : ""
            if !name.isEmpty { items.append((name, value)) }
        }
        self.items = items
    }

    /// The last value given for a name, or `nil`.
    public subscript(name: String) -> String? {
        items.last { $0.name == name }?.value
    }

    /// Every value given for a name, in order.
    public func values(_ name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    private static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
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
