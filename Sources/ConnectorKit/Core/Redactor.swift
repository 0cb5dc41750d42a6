public import Foundation

/// Removes secrets from text before it reaches a log line, an error message or a description.
///
/// A redactor knows the connection's own secret values (API keys, secrets, tokens, session
/// names, passwords) and replaces every occurrence with `[REDACTED]`. It also knows the header
/// and parameter names that carry secrets, so URLs and header lists can be made safe even when
/// the value is not known in advance (a token just issued by the vendor).
public struct Redactor: Sendable {
    /// The replacement text.
    public static let mask = "[REDACTED]"

    /// Header names whose values are always secret (compared case-insensitively).
    public static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-bl-api-key", "x-api-key", "cookie", "set-cookie",
    ]

    /// Query, form and JSON parameter names whose values are always secret (compared
    /// case-insensitively, ignoring `_` and `-`).
    public static let sensitiveParameters: Set<String> = [
        "sessionname", "sessionid", "accesskey", "apikey", "apisecret", "clientsecret", "token",
        "accesstoken", "refreshtoken", "password", "secret", "p2", "key", "idtoken", "phpsessid",
        // Personal identity data the vendors' payloads carry (the connectors' sensitive fields),
        // in case a vendor echoes it in an error message or a body excerpt.
        "ssn", "dllicense", "dlexpdate", "passportnumber", "passportexpirydate",
    ]

    private let secrets: [String]

    /// Creates a redactor for the given secret values.
    ///
    /// - Parameter secrets: the values never to show. Values shorter than 4 characters are
    ///   ignored: redacting them would mangle ordinary text and they are not useful secrets.
    public init(secrets: [String] = []) {
        // Longest first, so a secret containing another is replaced whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    /// A redactor that also hides `more` values.
    public func adding(_ more: [String]) -> Redactor {
        Redactor(secrets: secrets + more)
    }

    /// Replaces every known secret in `text`, then masks `name=value` and `"name":"value"`
    /// pairs whose name is sensitive, and the credentials of `Bearer`/`Basic` schemes.
    ///
    /// - Parameter text: any text (a vendor's error message, a URL, a body excerpt).
    /// - Returns: the text with secrets masked.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return Self.redactPatterns(result)
    }

    /// `url` with the values of sensitive query parameters masked and any user info removed.
    ///
    /// - Parameter url: a request URL.
    /// - Returns: a string safe to log.
    public func redact(url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return redact(url.absoluteString)
        }
        if components.user != nil || components.password != nil {
            components.user = nil
            components.password = nil
        }
        if let items = components.queryItems {
            components.queryItems = items.map { item in
                Self.isSensitive(parameter: item.name) && item.value != nil
                    ? URLQueryItem(name: item.name, value: Self.mask) : item
            }
        }
        return redact(components.string ?? url.absoluteString)
    }

    /// The value to log for a header: masked when the header is sensitive.
    ///
    /// - Parameters:
    ///   - name: the header name.
    ///   - value: its value.
    public func redact(header name: String, value: String) -> String {
        Self.sensitiveHeaders.contains(name.lowercased()) ? Self.mask : redact(value)
    }

    /// Whether a query/form/JSON parameter name carries a secret.
    public static func isSensitive(parameter name: String) -> Bool {
        let folded = name.lowercased().filter { $0 != "_" && $0 != "-" }
        return sensitiveParameters.contains(folded)
    }

    /// Masks secrets recognisable by shape: `Bearer x`, `Basic x`, `name=value` and
    /// `"name": "value"` pairs with a sensitive name.
    static func redactPatterns(_ text: String) -> String {
        var result = text
        result = replace(in: result, pattern: #"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"#) { groups in
            groups[1] + " " + mask
        }
        // JSON-style "name": "value" (or a bare number).
        result = replace(
            in: result, pattern: #"(?i)"([A-Za-z_-]+)"\s*:\s*("(?:[^"\\]|\\.)*"|[0-9]+)"#
        ) { groups in
            isSensitive(parameter: groups[1]) ? "\"\(groups[1])\": \"\(mask)\"" : groups[0]
        }
        // Query/form-style name=value.
        result = replace(in: result, pattern: #"(?i)\b([A-Za-z_-]+)=([^&\s"',;]+)"#) { groups in
            isSensitive(parameter: groups[1]) ? "\(groups[1])=\(mask)" : groups[0]
        }
        return result
    }

    private static func replace(in text: String, pattern: String, with transform: ([String]) -> String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        let source = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: source.length))
        guard !matches.isEmpty else { return text }
        var result = ""
        var cursor = 0
        for match in matches {
            result += source.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            var groups: [String] = []
            for index in 0..<match.numberOfRanges {
                let range = match.range(at: index)
                groups.append(range.location == NSNotFound ? "" : source.substring(with: range))
            }
            result += transform(groups)
            cursor = match.range.location + match.range.length
        }
        result += source.substring(from: cursor)
        return result
    }
}
