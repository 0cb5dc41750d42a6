import Foundation
import RealtyModel

/// How a write body is applied to a record.
enum PFWriteMode {
    /// POST: a new record from the body; required fields must be present.
    case create
    /// PUT: the body replaces every writable field; absent fields are cleared.
    case replace
    /// PATCH: only the fields in the body change.
    case merge
}

/// Validates write bodies against a resource's fields, with Symfony-style messages
/// (`"email: This value is not a valid email address."`), which is what the legacy API's
/// "No route found for ..." errors suggest it is built on.
struct PFExpertValidator {
    let resource: PFResource
    let state: PFExpertState
    /// The id of the record being updated (for uniqueness checks), `nil` on create.
    let recordID: Int?

    struct Outcome {
        /// The record after the write.
        var record: [String: JSONValue]
        var messages: [String] = []
        var warnings: [String] = []
    }

    /// Applies `input` to `existing` in `mode`, returning the new record or the messages.
    func apply(_ input: [String: JSONValue], to existing: [String: JSONValue], mode: PFWriteMode) -> Outcome {
        var record = existing
        var outcome = Outcome(record: [:])
        if mode == .replace {
            for field in resource.fields where field.writable {
                record[field.name] = .null
            }
        }
        let unknown = input.keys.filter { resource.field($0) == nil }.sorted()
        if !unknown.isEmpty {
            outcome.warnings.append("Unknown field(s) ignored: \(unknown.joined(separator: ", "))")
        }
        let readOnly = input.keys.filter { resource.field($0).map { !$0.writable } ?? false }.sorted()
        if !readOnly.isEmpty {
            outcome.warnings.append("Read-only field(s) ignored: \(readOnly.joined(separator: ", "))")
        }
        for (name, value) in input.sorted(by: { $0.key < $1.key }) {
            guard let field = resource.field(name), field.writable else { continue }
            switch normalize(value, field: field) {
            case .success(let normalized): record[name] = normalized
            case .failure(let message): outcome.messages.append("\(name): \(message)")
            }
        }
        outcome.messages += checkRecord(
            record, failed: Set(outcome.messages.compactMap { $0.split(separator: ":").first.map(String.init) }))
        outcome.record = record
        return outcome
    }

    private enum Normalized {
        case success(JSONValue)
        case failure(String)
    }

    private static let notValid = "This value is not valid."

    private func normalize(_ value: JSONValue, field: PFField) -> Normalized {
        if value.isNull { return .success(.null) }
        switch field.type {
        case .string:
            if let text = value.scalarText, value.strictString != nil || value.strictInt != nil { return .success(.string(text)) }
            return .failure(Self.notValid)
        case .email:
            guard let text = value.strictString else { return .failure(Self.notValid) }
            return Self.isEmail(text) ? .success(.string(text)) : .failure("This value is not a valid email address.")
        case .integer:
            if let number = value.strictInt { return .success(.int(number)) }
            if let text = value.strictString, let number = Int(text.trimmingSpaces()) { return .success(.int(number)) }
            return .failure("This value should be of type integer.")
        case .number:
            if let number = value.strictInt { return .success(.int(number)) }
            if let number = value.strictDouble { return .success(.double(number)) }
            if let text = value.strictString, let number = Double(text.trimmingSpaces()), number.isFinite {
                return .success(number.rounded() == number && abs(number) < 9e15 ? .int(Int(number)) : .double(number))
            }
            return .failure("This value should be of type numeric.")
        case .boolean:
            if let flag = value.strictBool { return .success(.bool(flag)) }
            if let number = value.strictInt, number == 0 || number == 1 { return .success(.bool(number == 1)) }
            if let text = value.strictString?.lowercased(), ["true", "false", "1", "0"].contains(text) {
                return .success(.bool(text == "true" || text == "1"))
            }
            return .failure("This value should be of type bool.")
        case .oneOf(let choices):
            guard let text = value.strictString, choices.contains(text) else {
                return .failure("The value you selected is not a valid choice.")
            }
            return .success(.string(text))
        case .dateTime:
            guard let text = value.strictString, let date = PFExpertTime.parseBound(text, isUpperBound: false) else {
                return .failure("This value is not a valid datetime.")
            }
            return .success(.string(PFExpertTime.format(date)))
        case .relation(let target):
            let id =
                value.strictInt ?? value.strictString.flatMap { Int($0) } ?? value["id"]?.strictInt
                ?? value["id"]?.strictString.flatMap { Int($0) }
            guard let id, state.record(target, id: id) != nil else { return .failure(Self.notValid) }
            return .success(["id": .int(id)])
        case .object:
            if resource == .properties, field.name == "type" { return normalizeType(value) }
            guard case .object = value else { return .failure(Self.notValid) }
            if resource == .properties, field.name == "price" { return normalizePrice(value) }
            return .success(value)
        case .array:
            guard case .array = value else { return .failure(Self.notValid) }
            return .success(value)
        }
    }

    /// A property type given as an id, a name, or `{"id": n}` / `{"name": "villa"}`.
    private func normalizeType(_ value: JSONValue) -> Normalized {
        let names = FakeData.propertyTypes
        if let id = value.strictInt ?? value["id"]?.strictInt ?? value["id"]?.strictString.flatMap({ Int($0) }),
            names.indices.contains(id - 1)
        {
            return .success(["id": .int(id), "name": .string(names[id - 1])])
        }
        if let name = value.strictString ?? value["name"]?.strictString, let index = names.firstIndex(of: name) {
            return .success(["id": .int(index + 1), "name": .string(name)])
        }
        return .failure(Self.notValid)
    }

    private func normalizePrice(_ value: JSONValue) -> Normalized {
        var price = value
        guard let offering = value["offering_type"]?.strictString, PFResource.offeringTypes.contains(offering) else {
            return .failure("offering_type: The value you selected is not a valid choice.")
        }
        guard let amount = value["value"]?.strictDouble ?? value["value"]?.strictString.flatMap({ Double($0) }), amount > 0,
            amount.isFinite
        else {
            return .failure("value: This value should be greater than 0.")
        }
        price["value"] = amount.rounded() == amount && amount < 9e15 ? .int(Int(amount)) : .double(amount)
        return .success(price)
    }

    /// Rules on the whole record after the write.
    private func checkRecord(_ record: [String: JSONValue], failed: Set<String>) -> [String] {
        var messages: [String] = []
        for field in resource.fields where field.required && !failed.contains(field.name) {
            let value = record[field.name]
            if value == nil || value?.isNull == true || value?.strictString?.trimmingSpaces().isEmpty == true {
                messages.append("\(field.name): This value should not be blank.")
            }
        }
        func filled(_ name: String) -> Bool {
            !(record[name]?.strictString?.trimmingSpaces().isEmpty ?? true)
        }
        switch resource {
        case .leads:
            if failed.isDisjoint(with: ["email", "mobile", "phone"]), !filled("email") && !filled("mobile") && !filled("phone") {
                messages.append("email: Please provide at least an email, a mobile or a phone number.")
            }
        case .users:
            if let email = record["email"]?.strictString,
                state.contains(
                    .users,
                    where: {
                        $0["email"]?.strictString?.caseInsensitiveCompare(email) == .orderedSame && $0["id"]?.strictInt != recordID
                    })
            {
                messages.append("email: This value is already used.")
            }
        case .properties:
            if let reference = record["reference"]?.strictString,
                state.contains(
                    .properties,
                    where: {
                        $0["reference"]?.strictString == reference && $0["id"]?.strictInt != recordID
                    })
            {
                messages.append("reference: This value is already used.")
            }
        case .locations, .whatsappLeads, .calltrackings:
            break
        }
        return messages
    }

    /// One `@`, a non-empty local part, a dotted domain, no spaces.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }
}
