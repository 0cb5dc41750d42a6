/// One field's validation failure.
public struct FieldError: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The RESO name of the offending field.
    public var field: String
    /// What is wrong, in words a user can act on.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A record failed validation; ``errors`` lists every offending field.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(errors: [FieldError]) { self.errors = errors }

    public var description: String {
        "invalid record: " + errors.map(\.description).joined(separator: "; ")
    }
}

/// Field checks shared by the resources.
public enum FieldRules {
    /// Whether `text` looks like a deliverable email address: one `@`, a local part, and a
    /// domain with a dot and no empty labels; no spaces or control characters.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, text.count <= 254 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            return false
        }
        let forbidden: Set<Character> = [" ", "\t", "\n", "\r", ",", ";", "<", ">", "(", ")", "[", "]", "\\", "\""]
        guard !text.contains(where: { forbidden.contains($0) || $0.isASCII && ($0.asciiValue ?? 32) < 32 }) else {
            return false
        }
        return domain.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
    }

    /// Whether `text` looks like a phone number: digits with the usual separators, an optional
    /// leading `+`, and between 5 and 20 digits.
    public static func isPhone(_ text: String) -> Bool {
        var digits = 0
        for (offset, character) in text.enumerated() {
            if character.isASCII, character.isNumber {
                digits += 1
            } else if character == "+" {
                guard offset == 0 else { return false }
            } else if !" -().\u{00A0}/".contains(character) {
                return false
            }
        }
        return (5...20).contains(digits)
    }

    /// Appends an error when `value` is present and not an email address.
    public static func checkEmail(_ value: String?, field: String, into errors: inout [FieldError]) {
        if let value, !isEmail(value) {
            errors.append(FieldError(field: field, message: "\"\(value)\" is not a valid email address"))
        }
    }

    /// Appends an error when `value` is present and not a phone number.
    public static func checkPhone(_ value: String?, field: String, into errors: inout [FieldError]) {
        if let value, !isPhone(value) {
            errors.append(FieldError(field: field, message: "\"\(value)\" is not a valid phone number"))
        }
    }

    /// Appends an error when `value` is present and negative.
    public static func checkNotNegative(_ value: Double?, field: String, into errors: inout [FieldError]) {
        if let value, value < 0 || !value.isFinite {
            errors.append(FieldError(field: field, message: "must be zero or more"))
        }
    }

    /// Appends an error when `value` is present and negative.
    public static func checkNotNegative(_ value: Int?, field: String, into errors: inout [FieldError]) {
        if let value, value < 0 {
            errors.append(FieldError(field: field, message: "must be zero or more"))
        }
    }

    /// Appends an error when `value` is present and outside `range`.
    public static func checkRange(
        _ value: Double?, _ range: ClosedRange<Double>, field: String, into errors: inout [FieldError]
    ) {
        if let value, !range.contains(value) {
            errors.append(FieldError(field: field, message: "must be between \(range.lowerBound) and \(range.upperBound)"))
        }
    }

    /// Appends an error when `value` is present and not one of `allowed`.
    public static func checkOneOf(
        _ value: String?, _ allowed: [String], field: String, into errors: inout [FieldError]
    ) {
        if let value, !allowed.contains(value) {
            errors.append(FieldError(field: field, message: "must be one of \(allowed.joined(separator: ", "))"))
        }
    }

    /// Whether an optional string holds something other than whitespace: a Unicode scalar
    /// without the White_Space property (the API document states the same rule as a pattern).
    public static func isPresent(_ value: String?) -> Bool {
        guard let value else { return false }
        return value.unicodeScalars.contains { !$0.properties.isWhitespace }
    }
}
