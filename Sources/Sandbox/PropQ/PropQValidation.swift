import Foundation
import RealtyModel

/// Validation of the `update-by-name` body, answering as a Laravel backend does (the 419 status
/// for a wrong method points to Laravel): 422 with `{"message": ..., "errors": {field: [messages]}}`.
///
/// Readings where the seed is silent:
/// - `UntDirections` must be present and an array; an empty array is valid (the seed's own request
///   sample sends `[]`). Elements must be strings or numbers, since their type is undocumented.
/// - `UntStatus` must be one of 1, 2, 4, 8; `UntPrice` a number not below 0. Numeric strings are
///   accepted for both, as Laravel's `numeric` and `in` rules accept them.
/// - A body that is not JSON at all is a 400 ("there are errors when processing the request");
///   a JSON value that is not an object is validated as an empty input (every field missing).
enum PropQValidation {
    /// The outcome of validating a body.
    enum Outcome: Sendable, Equatable {
        case valid(PropQUnitUpdate)
        /// Field errors, keyed by field, in the order of the seed's field list.
        case invalid([(field: String, messages: [String])])
        case notJSON

        static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            switch (lhs, rhs) {
            case (.valid(let a), .valid(let b)): a == b
            case (.notJSON, .notJSON): true
            case (.invalid(let a), .invalid(let b)):
                a.count == b.count && zip(a, b).allSatisfy { $0.field == $1.field && $0.messages == $1.messages }
            default: false
            }
        }
    }

    /// The fields of the seed, in its order.
    static let fields = ["UntName", "UntStatus", "UntPrice", "UntDirections"]

    static func validate(_ body: Data) -> Outcome {
        let value: JSONValue
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            value = .object([:])
        } else {
            do {
                value = try JSONValue(parsing: body)
            } catch {
                return .notJSON
            }
        }
        let input = value.objectValue ?? [:]
        var errors: [(field: String, messages: [String])] = []

        let name = input["UntName"]
        var validName: String?
        switch name {
        case nil, .null?:
            errors.append(("UntName", ["The unt name field is required."]))
        case .string(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                errors.append(("UntName", ["The unt name field is required."]))
            } else if text.count > 255 {
                errors.append(("UntName", ["The unt name must not be greater than 255 characters."]))
            } else {
                validName = text
            }
        default:
            errors.append(("UntName", ["The unt name must be a string."]))
        }

        var validStatus: Int?
        switch input["UntStatus"] {
        case nil, .null?:
            errors.append(("UntStatus", ["The unt status field is required."]))
        case let status?:
            if let number = numericValue(status), number.rounded() == number,
                let code = Int(exactly: number), PropQState.unitStatuses[code] != nil
            {
                validStatus = code
            } else {
                errors.append(("UntStatus", ["The selected unt status is invalid."]))
            }
        }

        var validPrice: JSONValue?
        switch input["UntPrice"] {
        case nil, .null?:
            errors.append(("UntPrice", ["The unt price field is required."]))
        case let price?:
            if let number = numericValue(price), number.isFinite {
                if number < 0 {
                    errors.append(("UntPrice", ["The unt price must be at least 0."]))
                } else if number.rounded() == number, let integer = Int(exactly: number) {
                    validPrice = .int(integer)
                } else {
                    validPrice = .double(number)
                }
            } else {
                errors.append(("UntPrice", ["The unt price must be a number."]))
            }
        }

        var validDirections: [JSONValue]?
        switch input["UntDirections"] {
        case nil, .null?:
            errors.append(("UntDirections", ["The unt directions field must be present."]))
        case .array(let elements)?:
            var elementErrors: [String] = []
            for (index, element) in elements.enumerated() {
                switch element {
                case .string(let text) where !text.isEmpty: continue
                case .number: continue
                default: elementErrors.append("The unt directions.\(index) must be a string or a number.")
                }
            }
            if elementErrors.isEmpty {
                validDirections = elements
            } else {
                errors.append(("UntDirections", elementErrors))
            }
        default:
            errors.append(("UntDirections", ["The unt directions must be an array."]))
        }

        if let validName, let validStatus, let validPrice, let validDirections, errors.isEmpty {
            return .valid(PropQUnitUpdate(name: validName, status: validStatus, price: validPrice, directions: validDirections))
        }
        return .invalid(errors)
    }

    /// A number, or a string holding a decimal number (as Laravel's `numeric` accepts).
    private static func numericValue(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number.doubleValue
        case .string(let text):
            text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : Double(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// The 422 body: Laravel's summary message and the field errors.
    static func errorBody(_ errors: [(field: String, messages: [String])]) -> JSONValue {
        let first = errors.first?.messages.first ?? "The given data was invalid."
        let more = errors.reduce(0) { $0 + $1.messages.count } - 1
        let message = more > 0 ? "\(first) (and \(more) more error\(more == 1 ? "" : "s"))" : first
        var fields: [String: JSONValue] = [:]
        for error in errors { fields[error.field] = .array(error.messages.map { .string($0) }) }
        return ["message": .string(message), "errors": .object(fields)]
    }
}
