import RealtyModel

/// The MyCRM webservice's JSON details, over the shared ``JSONValue``.
///
/// The webservice is untyped PHP: records are maps of field name to string, the `element`
/// parameter is arbitrary JSON, and results mix objects, arrays, strings, numbers and booleans.
/// PHP's `json_encode` writes object members in insertion order, so the vendor answers
/// `{"success":…,"result":…}`, records with their fields in `describe` order and query rows in
/// `select` order; ``text(_:columns:)`` writes every member in the vendor's order (listed in
/// ``keyOrders``), so answers read like the vendor's.
enum MyCRMWire {
    /// The JSON text of an answer: compact, members in the vendor's order.
    /// - Parameters:
    ///   - value: the answer.
    ///   - columns: the columns of a `query` answer, in `select` order (its rows follow them).
    static func text(_ value: JSONValue, columns: [String] = []) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(value, columns: columns, into: &out)
        return out
    }

    /// How PHP turns a scalar into the string it stores in a record field (`true` → "1",
    /// `false` → "0", `null` → "", numbers as PHP prints them); `nil` for arrays and objects.
    static func fieldString(_ value: JSONValue) -> String? {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "1" : "0"
        case .number(let number):
            if number.isIntegerLiteral, let integer = Int(number.text) {
                String(integer)
            } else {
                Self.phpFloat(number.doubleValue)
            }
        case .string(let text): text
        case .array, .object: nil
        }
    }

    /// A float as PHP stores it in a string field: integral values without a fraction.
    private static func phpFloat(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// An object from members in the order the vendor writes them (a repeated key keeps its
    /// last value, as PHP's arrays do); ``text(_:columns:)`` writes them in that order again.
    static func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (key, value) in pairs { members[key] = value }
        return .object(members)
    }

    /// An object of string members (a record, a picklist entry).
    static func strings(_ pairs: [(String, String)]) -> JSONValue {
        object(pairs.map { ($0.0, .string($0.1)) })
    }

    /// The member orders of the objects the webservice answers, as vtiger builds them. An
    /// object's keys follow the first list holding exactly its keys, else the first list holding
    /// all of them; keys of an object no list covers are sorted.
    static let keyOrders: [[String]] =
        [
            ["success", "result"], ["success", "error"], ["code", "message"],
            ["token", "serverTime", "expireTime"],
            ["sessionName", "sessionId", "userId", "version", "vtigerVersion"],
            ["types", "information"], ["isEntity", "label", "singular"], MyCRMModule.all.map(\.name),
            [
                "label", "name", "createable", "updateable", "deleteable", "retrieveable", "fields", "idPrefix", "isEntity",
                "labelFields",
            ],
            ["name", "label", "mandatory", "type", "nullable", "editable", "default"],
            ["name", "picklistValues", "defaultValue", "refersTo", "format"], ["label", "value"],
            ["updated", "deleted", "lastModifiedTime", "more"],
        ] + MyCRMModule.all.map(\.fieldNames) + MyCRMAddressService.keyOrders

    /// ``keyOrders`` by their exact key sets (the first list wins), so a record's order is one
    /// lookup, not a scan: query pages write 100 records per answer.
    private static let exactOrders: [Set<String>: [String]] = {
        var orders: [Set<String>: [String]] = [:]
        for list in keyOrders where orders[Set(list)] == nil { orders[Set(list)] = list }
        return orders
    }()

    /// The keys of `members` in the order ``text(_:columns:)`` writes them.
    static func orderedKeys(_ members: [String: JSONValue], columns: [String] = []) -> [String] {
        let keys = Set(members.keys)
        if !columns.isEmpty, columns.count == keys.count, keys.isSubset(of: columns) { return columns }
        if let order = exactOrders[keys] { return order }
        let lists = columns.isEmpty ? keyOrders : [columns] + keyOrders
        guard let order = lists.first(where: { keys.isSubset(of: $0) }) else { return keys.sorted() }
        return order.filter(keys.contains)
    }

    private static func write(_ value: JSONValue, columns: [String], into out: inout String) {
        switch value {
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                write(element, columns: columns, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in orderedKeys(members, columns: columns).enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeString(key, into: &out)
                out += ":"
                if let member = members[key] { write(member, columns: columns, into: &out) }
            }
            out += "}"
        default:
            out += value.jsonText
        }
    }
}
