/// A non-secret setting a vendor's connections may carry (``ConnectorConfiguration/options``),
/// declared by the vendor in its profile (``VendorProfile/options``).
///
/// The hub checks a connection's options against its vendor's specs when the connection is
/// added or changed (an unknown key or a malformed value is refused there, not at run time),
/// and the API document states the same rule as a JSON Schema pattern (``pattern``), so the
/// check is written once, here.
public struct ConnectionOptionSpec: Sendable, Hashable {
    /// The option's name (`development_ids`).
    public var key: String
    /// What the option does, for help texts and the API document.
    public var summary: String
    /// What a value must look like.
    public var rule: Rule

    /// What a value must look like.
    public enum Rule: Sendable, Hashable {
        /// A comma-separated list of distinct ids (spaces around the commas are allowed): at
        /// least one and at most `maxCount`, each 1 to `maxLength` ASCII letters, digits, `.`,
        /// `_` or `-` beginning with a letter or digit (an id that is safe in a URL path as it
        /// is). Stored as the ids joined by `,`.
        case idList(maxCount: Int, maxLength: Int)
    }

    /// Creates a spec.
    ///
    /// - Parameters:
    ///   - key: the option's name.
    ///   - summary: what it does.
    ///   - rule: what a value must look like.
    public init(key: String, summary: String, rule: Rule) {
        self.key = key
        self.summary = summary
        self.rule = rule
    }

    /// The value as it is stored, when it follows the rule.
    ///
    /// - Parameter value: the value as given.
    /// - Returns: the value in its stored form (an id list's ids joined by `,`).
    /// - Throws: ``ConnectionOptionError`` saying what is wrong (never more than 40 characters of
    ///   the value).
    public func normalized(_ value: String) throws(ConnectionOptionError) -> String {
        switch rule {
        case .idList(let maxCount, let maxLength):
            var ids: [String] = []
            var seen: Set<String> = []
            for raw in value.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false) {
                var scalars = Substring.UnicodeScalarView(raw)
                while scalars.first == " " { scalars.removeFirst() }
                while scalars.last == " " { scalars.removeLast() }
                let id = String(scalars)
                guard !id.isEmpty else {
                    throw problem("an empty id (a comma at an end, or two in a row)")
                }
                guard Self.isID(scalars, maxLength: maxLength) else {
                    throw problem(
                        "\"\(Self.shown(id))\" is not an id (1 to \(maxLength) ASCII letters, digits, '.', '_' or '-', beginning with a letter or digit)"
                    )
                }
                guard seen.insert(id).inserted else { throw problem("\"\(Self.shown(id))\" is given twice") }
                ids.append(id)
                guard ids.count <= maxCount else { throw problem("more than \(maxCount) ids") }
            }
            return ids.joined(separator: ",")
        }
    }

    /// What a value must look like, in words.
    public var ruleDescription: String {
        switch rule {
        case .idList(let maxCount, let maxLength):
            return
                "1 to \(maxCount) distinct ids separated by commas (spaces around them allowed), each 1 to \(maxLength) ASCII letters, digits, '.', '_' or '-' beginning with a letter or digit"
        }
    }

    /// A regular expression (ECMA-262 and Python `re` alike) matching exactly the values
    /// ``normalized(_:)`` accepts, for the API document.
    public var pattern: String {
        switch rule {
        case .idList(let maxCount, let maxLength):
            let end = "(?![\\s\\S])"
            let id = "[A-Za-z0-9][A-Za-z0-9._-]{0,\(maxLength - 1)}"
            // No id twice: skip whole items, take one, skip more, find it again as a whole item.
            let repeated = "(?:[^,]*,)*? *([A-Za-z0-9][A-Za-z0-9._-]*) *,(?:[^,]*,)*? *\\1 *(?:,|\(end))"
            return "^(?!\(repeated)) *\(id) *(?:, *\(id) *){0,\(maxCount - 1)}\(end)"
        }
    }

    private func problem(_ message: String) -> ConnectionOptionError {
        ConnectionOptionError(key: key, message: "\(key) must be \(ruleDescription): \(message)")
    }

    private static func isID(_ scalars: Substring.UnicodeScalarView, maxLength: Int) -> Bool {
        guard let first = scalars.first, scalars.count <= maxLength, isAlphanumeric(first) else { return false }
        return scalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func shown(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}

extension ConnectionOptionSpec {
    /// Checks a connection's options against its vendor's specs.
    ///
    /// - Parameters:
    ///   - options: the options as given, by key.
    ///   - specs: the vendor's specs.
    /// - Returns: the options in their stored form.
    /// - Throws: ``ConnectionOptionError`` for the first key (in key order) that the vendor does
    ///   not know or whose value does not follow its rule.
    public static func check(_ options: [String: String], against specs: [ConnectionOptionSpec]) throws(ConnectionOptionError)
        -> [String: String]
    {
        var checked: [String: String] = [:]
        for key in options.keys.sorted() {
            guard let spec = specs.first(where: { $0.key == key }) else {
                let known = specs.map(\.key).sorted()
                throw ConnectionOptionError(
                    key: key,
                    message: known.isEmpty
                        ? "unknown option \(shown(key)): this vendor's connections take no options"
                        : "unknown option \(shown(key)); this vendor's options: \(known.joined(separator: ", "))",
                    isUnknownKey: true)
            }
            checked[key] = try spec.normalized(options[key] ?? "")
        }
        return checked
    }
}

/// A connection option refused by ``ConnectionOptionSpec/check(_:against:)``.
public struct ConnectionOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The option's key.
    public var key: String
    /// What is wrong, naming the key.
    public var message: String
    /// Whether the vendor does not know the key at all (rather than its value being wrong).
    public var isUnknownKey: Bool

    /// Creates an error.
    public init(key: String, message: String, isUnknownKey: Bool = false) {
        self.key = key
        self.message = message
        self.isUnknownKey = isUnknownKey
    }

    public var description: String { message }
}
