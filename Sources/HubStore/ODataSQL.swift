public import Foundation
public import ODataQuery
public import RealtyModel

/// A value an OData statement binds, typed for the column it is compared with.
public enum ODataSQLValue: Hashable, Sendable {
    case text(String)
    case integer(Int64)
    case real(Double)
    case boolean(Bool)
    /// An instant at whole milliseconds (the stores keep milliseconds).
    case timestamp(Date)
    /// A calendar date, `YYYY-MM-DD`.
    case date(String)
}

/// What differs between the stores' SQL for an OData query. Everything else (the shape of the
/// statement, null semantics, navigation, lambdas) is ``ODataSQL``'s, the same for both.
public protocol ODataSQLDialect {
    /// The placeholder of the `number`th bound value (from 1), cast where the database cannot
    /// infer the type.
    func placeholder(_ number: Int, for value: ODataSQLValue) -> String
    /// The literal for false, as the stores keep `DeletedYN` (`0`, `false`).
    var falseLiteral: String { get }
    /// `a` and `b` differ, nulls compared as values (`IS NOT`, `IS DISTINCT FROM`).
    func isDistinct(_ a: String, _ b: String) -> String
    /// `a` and `b` are equal, nulls compared as values.
    func isNotDistinct(_ a: String, _ b: String) -> String
    /// `lower(a)` / `upper(a)` as the database folds.
    func lower(_ a: String) -> String
    func upper(_ a: String) -> String
    /// `a` contains, starts or ends with `b`, case-sensitively; true when `b` is empty.
    func contains(_ a: String, _ b: String) -> String
    func startsWith(_ a: String, _ b: String) -> String
    func endsWith(_ a: String, _ b: String) -> String
    /// A `FROM` item listing the strings of the JSON array `list` as rows of `alias`, and the
    /// expression of one element.
    func listElements(_ list: String, alias: String) -> (from: String, element: String)
    /// The root row is live (not marked deleted).
    func isLive(_ alias: String) -> String
    /// A text expression as ordered and range-compared: byte-wise on both stores.
    func textOrdering(_ a: String) -> String
    /// The expression the store's search index of `kind` is built on, over `operand` (see
    /// ``RecordSearchFields/foldedFilters(_:)``: those columns have no plain index).
    func searchExpression(_ kind: RecordSearchFields.Kind, _ operand: String) -> String
}

/// Compiles a checked OData query into one parameterised `SELECT` over a resource's table:
/// identifiers come from the model (the checker resolved every name), every literal is bound.
///
/// Semantics (OData 4.01 URL Conventions, as the two stores must agree):
/// - Comparisons with null are false, `eq null` / `ne null` test for null, and `not` negates
///   what is false: SQL's unknown is read as false (`NOT` is written `IS NOT TRUE`), so
///   `not (Price gt 5)` holds for a record without a price.
/// - Text is compared and ordered byte-wise (SQLite's `BINARY`, PostgreSQL's `"C"`), whatever
///   the database's locale; `tolower`/`toupper` fold as each database does (SQLite: ASCII only).
/// - Nulls sort first ascending and last descending (OData: null is the smallest value); ties are
///   broken by the hub key, ascending, so pages are stable.
/// - Decimals are the stores' binary floating point: `ListPrice eq 0.1` compares doubles.
/// - A date-time literal finer than the stores' milliseconds is compared exactly: `gt` and `le`
///   round it down, `ge` and `lt` up; `eq` a fraction of a millisecond matches nothing.
/// - Navigation follows hub keys to live records only, or where the hub key is not set, the
///   vendor key to the record of the same connection (as `/v1`'s `expand` does); a record whose
///   target is missing or deleted sees null. `Media/any(...)` ranges over the record's live media.
public struct ODataSQL<Dialect: ODataSQLDialect> {
    let dialect: Dialect
    /// The statement's values, in placeholder order.
    public private(set) var values: [ODataSQLValue] = []
    private var aliases = 0
    /// Range variables in scope: the alias of a Media row, or the element expression of a list.
    private var variables: [String: Variable] = [:]

    private enum Variable {
        case row(alias: String, resource: ResourceName)
        case element(String)
    }

    /// The condition selecting the tenant's rows of the root table (`t0.tenant_id = ?1`),
    /// repeated in each branch of an `or`.
    public var tenantCondition: String?

    /// A compiler binding values in `dialect`'s placeholders.
    public init(dialect: Dialect) { self.dialect = dialect }

    /// Binds `value`, returning its placeholder.
    public mutating func bind(_ value: ODataSQLValue) -> String {
        values.append(value)
        return dialect.placeholder(values.count, for: value)
    }

    private mutating func newAlias() -> String {
        aliases += 1
        return "t\(aliases)"
    }

    /// The root table's alias.
    public static var root: String { "t0" }

    /// The two statements of `query` over `R`'s table for `tenant`, with `selectList` read from
    /// the root row: the count of every match, and the page (order, limit, offset). Each comes
    /// with its values in placeholder order (the count's are the first of the page's).
    public static func statements<R: HubRecord>(
        _ type: R.Type, _ query: ODataRecordQuery, tenant: String, dialect: Dialect, selectList: String
    ) throws -> (count: String, countValues: [ODataSQLValue], page: String, pageValues: [ODataSQLValue]) {
        var compiler = ODataSQL(dialect: dialect)
        let table = ResourceColumns<R>().table
        let tenantCondition = "\(root).tenant_id = \(compiler.bind(.text(tenant)))"
        compiler.tenantCondition = tenantCondition
        var conditions = [tenantCondition, dialect.isLive(root)]
        if let filter = query.filter { conditions.append(try compiler.condition(filter, resource: R.resource)) }
        let whereClause = conditions.joined(separator: " AND ")
        let count = "SELECT COUNT(*) FROM \(table) \(root) WHERE \(whereClause)"
        let countValues = compiler.values
        let order = try compiler.order(query.orderBy, resource: R.resource)
        let limit = compiler.bind(.integer(Int64(query.limit)))
        let offset = compiler.bind(.integer(Int64(query.offset)))
        let page = """
            SELECT \(selectList) FROM \(table) \(root) WHERE \(whereClause)
            ORDER BY \(order) LIMIT \(limit) OFFSET \(offset)
            """
        return (count, countValues, page, compiler.values)
    }

    // MARK: - Conditions

    /// The condition of `filter` over the root row `t0` of `R`'s table.
    public mutating func condition(_ filter: CheckedFilter, resource: ResourceName) throws -> String {
        switch filter {
        case .constant(let flag):
            return flag ? "(1 = 1)" : "(1 = 0)"
        case .property(let property):
            let expression = try self.expression(property, root: resource)
            return "(\(expression) = \(bind(.boolean(true))))"
        case .and(let operands):
            return "(" + (try operands.map { try condition($0, resource: resource) }).joined(separator: " AND ") + ")"
        case .or(let operands):
            // Each branch repeats the root's tenant condition (already true of every row): a
            // branch on an indexed field can then be served by its (tenant, field) index alone,
            // and SQLite answers the `or` as a union of index searches.
            let tenant = tenantCondition.map { "\($0) AND " } ?? ""
            return "(" + (try operands.map { "(\(tenant)\(try condition($0, resource: resource)))" }).joined(separator: " OR ") + ")"
        case .not(let operand):
            return "(\(try condition(operand, resource: resource)) IS NOT TRUE)"
        case .comparison(let op, let left, let right):
            return try comparison(op, left, right, resource: resource)
        case .membership(let operand, let items):
            let type = Self.type(of: operand)
            let expression = try self.expression(operand, root: resource)
            var placeholders: [String] = []
            var hasNull = false
            for item in items {
                if item == .null {
                    hasNull = true
                } else if let value = try Self.value(item, as: type, op: .eq) {
                    placeholders.append(bind(value))
                }
            }
            var parts: [String] = []
            if !placeholders.isEmpty { parts.append("\(expression) IN (\(placeholders.joined(separator: ", ")))") }
            if hasNull { parts.append("\(expression) IS NULL") }
            return parts.isEmpty ? "(1 = 0)" : "(" + parts.joined(separator: " OR ") + ")"
        case .stringTest(let function, let left, let right):
            let a = try textOperand(left, resource: resource)
            let b = try textOperand(right, resource: resource)
            switch function {
            case .contains: return "(\(dialect.contains(a, b)))"
            case .startswith: return "(\(dialect.startsWith(a, b)))"
            case .endswith: return "(\(dialect.endsWith(a, b)))"
            case .tolower, .toupper:
                throw StoreError.invalidQuery("\(function.rawValue) is not a condition")
            }
        case .lambda(let op, let source, let variable, let predicate):
            return try lambda(op, source, variable, predicate, resource: resource)
        }
    }

    private mutating func comparison(_ op: ComparisonOperator, _ left: CheckedOperand, _ right: CheckedOperand, resource: ResourceName)
        throws -> String
    {
        // A literal on the left is turned around, so the column stays on the left of the index's comparison.
        if case .literal = left, !Self.isLiteral(right) {
            return try comparison(op.mirrored, right, left, resource: resource)
        }
        if case .literal(let literal) = right {
            let expression = try self.expression(left, root: resource)
            if literal == .null {
                switch op {
                case .eq: return "(\(expression) IS NULL)"
                case .ne: return "(\(expression) IS NOT NULL)"
                default: return "(1 = 0)"
                }
            }
            let type = Self.type(of: left)
            guard let value = try Self.value(literal, as: type, op: op) else {
                // A date-time between two milliseconds: equal to no stored instant.
                return op == .ne ? "(1 = 1)" : "(1 = 0)"
            }
            let placeholder = bind(value)
            switch op {
            case .ne: return "(\(dialect.isDistinct(expression, placeholder)))"
            case .eq:
                // A column whose plain index was replaced by a folded one is found through it, then compared exactly.
                if case .property(let property) = left, property.base == .root, property.navigation.isEmpty,
                    let name = property.name, let kind = RecordSearchFields.foldedFilters(resource)[name]
                {
                    let indexed = dialect.searchExpression(kind, expression)
                    let searched = dialect.searchExpression(kind, placeholder)
                    return "(\(indexed) = \(searched) AND \(expression) IS NOT NULL AND \(expression) = \(placeholder))"
                }
                return "(\(expression) = \(placeholder))"
            default:
                let ordered = type == .string ? dialect.textOrdering(expression) : expression
                let bound = type == .string ? dialect.textOrdering(placeholder) : placeholder
                return "(\(ordered) \(op.sql) \(bound))"
            }
        }
        // Two expressions: OData's null rules, written out.
        let type = Self.type(of: left)
        let a = try expression(left, root: resource)
        let b = try expression(right, root: resource)
        switch op {
        case .eq: return "(\(dialect.isNotDistinct(a, b)))"
        case .ne: return "(\(dialect.isDistinct(a, b)))"
        default:
            if type == .string { return "(\(dialect.textOrdering(a)) \(op.sql) \(dialect.textOrdering(b)))" }
            return "(\(a) \(op.sql) \(b))"
        }
    }

    private mutating func textOperand(_ operand: CheckedOperand, resource: ResourceName) throws -> String {
        if case .literal(let literal) = operand {
            guard case .string(let text) = literal else {
                if literal == .null { return "NULL" }
                throw StoreError.invalidQuery("a string function needs string arguments")
            }
            return bind(.text(text))
        }
        return try expression(operand, root: resource)
    }

    private mutating func lambda(
        _ op: LambdaOperator, _ source: LambdaSource, _ variable: String?, _ predicate: CheckedFilter?, resource: ResourceName
    ) throws -> String {
        var from: String
        var correlation: [String] = []
        let saved = variables
        defer { variables = saved }
        switch source {
        case .stringList(let list):
            let listExpression = try expression(list, root: resource)
            let alias = newAlias()
            let (item, element) = dialect.listElements(listExpression, alias: alias)
            from = item
            if let variable { variables[variable] = .element(element) }
        case .navigation(let base, let path):
            guard let last = path.last, last.isCollection else {
                throw StoreError.invalidQuery("any/all ranges over a collection")
            }
            // The parent: the base row, or the record reached through the single-valued steps.
            let parentResource = try path.dropLast().last?.target ?? baseResource(base, root: resource)
            let parentKey = try expression(
                ResolvedProperty(
                    base: base, navigation: Array(path.dropLast()), resource: parentResource, name: parentResource.keyField, type: .string),
                root: resource)
            let alias = newAlias()
            let table = "\"\(last.target.rawValue)\""
            from = "\(table) \(alias)"
            correlation = [
                "\(alias).tenant_id = \(Self.root).tenant_id",
                "\(alias).\"ResourceName\" = \(bind(.text(parentResource.rawValue)))",
                "\(alias).\"ResourceRecordKey\" = \(parentKey)",
                "\(alias).\"DeletedYN\" = \(dialect.falseLiteral)",
            ]
            if let variable { variables[variable] = .row(alias: alias, resource: last.target) }
        }
        var conditions = correlation
        let body = try predicate.map { try condition($0, resource: resource) }
        switch op {
        case .any:
            if let body { conditions.append(body) }
            let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return "(EXISTS (SELECT 1 FROM \(from)\(whereClause)))"
        case .all:
            // Every element satisfies the predicate: none fails it (an empty collection passes).
            guard let body else { return "(1 = 1)" }
            conditions.append("\(body) IS NOT TRUE")
            return "(NOT EXISTS (SELECT 1 FROM \(from) WHERE \(conditions.joined(separator: " AND "))))"
        }
    }

    // MARK: - Expressions

    private func baseResource(_ base: ResolvedProperty.Base, root: ResourceName) throws -> ResourceName {
        switch base {
        case .root: return root
        case .variable(let name):
            guard case .row(_, let resource) = variables[name] else {
                throw StoreError.invalidQuery("unknown range variable '\(name)'")
            }
            return resource
        }
    }

    /// The SQL expression of an operand.
    public mutating func expression(_ operand: CheckedOperand, root: ResourceName) throws -> String {
        switch operand {
        case .property(let property): return try expression(property, root: root)
        case .literal(let literal):
            guard literal != .null else { return "NULL" }
            guard let value = try Self.value(literal, as: Self.literalType(literal), op: .eq) else { return "NULL" }
            return bind(value)
        case .tolower(let inner): return dialect.lower(try expression(inner, root: root))
        case .toupper(let inner): return dialect.upper(try expression(inner, root: root))
        }
    }

    /// The SQL expression of a resolved property: a column of the base row, or of the record
    /// its single-valued navigation leads to (a scalar subquery: hub keys are unique).
    public mutating func expression(_ property: ResolvedProperty, root: ResourceName) throws -> String {
        let baseAlias: String
        var resource: ResourceName
        switch property.base {
        case .root:
            baseAlias = Self.root
            resource = root
        case .variable(let name):
            switch variables[name] {
            case .element(let element)?:
                guard property.navigation.isEmpty, property.name == nil else {
                    throw StoreError.invalidQuery("'\(name)' is a string, not a record")
                }
                return element
            case .row(let alias, let rowResource)?:
                baseAlias = alias
                resource = rowResource
            case nil:
                throw StoreError.invalidQuery("unknown range variable '\(name)'")
            }
        }
        guard let name = property.name else { throw StoreError.invalidQuery("a property needs a name") }
        try Self.checkColumn(name, of: property.resource)
        guard !property.navigation.isEmpty else { return "\(baseAlias).\"\(name)\"" }
        // (SELECT tN."Name" FROM "Target1" t1 JOIN "Target2" t2 ON ... WHERE t1 links from the base)
        var joins: [String] = []
        var previous = baseAlias
        var firstCondition = ""
        for (index, step) in property.navigation.enumerated() {
            guard case .foreignKey(let field) = step.link else {
                throw StoreError.invalidQuery("\(step.name) is a collection; use any or all")
            }
            try Self.checkColumn(field, of: resource)
            let alias = newAlias()
            let table = "\"\(step.target.rawValue)\""
            var targetKey = "\(previous).\"\(field)\""
            if let vendorKey = step.vendorKey {
                // Not yet resolved to a hub key: the target of the same connection with that vendor
                // key, found through the (tenant, connection, vendor key) unique index.
                try Self.checkColumn(vendorKey, of: resource)
                let vendor = newAlias()
                targetKey =
                    "COALESCE(\(targetKey), (SELECT \(vendor).\"\(step.target.keyField)\" FROM \(table) \(vendor) WHERE \(vendor).tenant_id = \(previous).tenant_id AND \(vendor).\"ConnectionId\" = \(previous).\"ConnectionId\" AND \(vendor).\"\(step.target.sourceKeyField)\" = \(previous).\"\(vendorKey)\"))"
            }
            let link =
                "\(alias).tenant_id = \(previous).tenant_id AND \(alias).\"\(step.target.keyField)\" = \(targetKey) AND \(alias).\"DeletedYN\" = \(dialect.falseLiteral)"
            if index == 0 {
                joins.append("\(table) \(alias)")
                firstCondition = link
            } else {
                joins.append("JOIN \(table) \(alias) ON \(link)")
            }
            previous = alias
            resource = step.target
        }
        return "(SELECT \(previous).\"\(name)\" FROM \(joins.joined(separator: " ")) WHERE \(firstCondition))"
    }

    /// Whether `name` is a column of `resource` (fields and metadata, not `raw`): the checker
    /// resolved it, this keeps a hand-built query from naming anything else.
    static func checkColumn(_ name: String, of resource: ResourceName) throws {
        guard ODataProperties.types(of: resource)[name] != nil else {
            throw StoreError.invalidQuery("\(resource.rawValue) has no property '\(name)'")
        }
    }

    // MARK: - Values

    static func isLiteral(_ operand: CheckedOperand) -> Bool {
        if case .literal = operand { return true }
        return false
    }

    /// The type an operand has (a literal's own type).
    static func type(of operand: CheckedOperand) -> FieldType {
        switch operand {
        case .property(let property): return property.type
        case .literal(let literal): return literalType(literal)
        case .tolower, .toupper: return .string
        }
    }

    static func literalType(_ literal: ODataLiteral) -> FieldType {
        switch literal {
        case .null, .string: return .string
        case .boolean: return .boolean
        case .integer: return .integer
        case .decimal: return .decimal
        case .date: return .date
        case .dateTimeOffset: return .timestamp
        }
    }

    /// `literal` as a value of a `type` column compared with `op`; `nil` for a date-time that
    /// no stored millisecond can equal.
    static func value(_ literal: ODataLiteral, as type: FieldType, op: ComparisonOperator) throws -> ODataSQLValue? {
        switch (literal, type) {
        case (.string(let text), _): return .text(text)
        case (.boolean(let flag), _): return .boolean(flag)
        case (.integer(let number), .decimal): return .real(Double(number))
        case (.integer(let number), _): return .integer(number)
        case (.decimal(let text), _):
            guard let number = Double(text) else { throw StoreError.invalidQuery("\(text) is not a number") }
            return .real(number)
        case (.date(let text), _): return .date(text)
        case (.dateTimeOffset(let date, _), _):
            let millis = date.timeIntervalSince1970 * 1000
            let whole = millis.rounded()
            if abs(millis - whole) < 1e-6 { return .timestamp(Date(timeIntervalSince1970: whole / 1000)) }
            switch op {
            case .gt, .le: return .timestamp(Date(timeIntervalSince1970: millis.rounded(.down) / 1000))
            case .ge, .lt: return .timestamp(Date(timeIntervalSince1970: millis.rounded(.up) / 1000))
            case .eq, .ne: return nil
            }
        case (.null, _): throw StoreError.invalidQuery("null has no value")
        }
    }

    // MARK: - Order

    /// `ORDER BY` terms for `keys`, then the hub key.
    public mutating func order(_ keys: [ODataOrderKey], resource: ResourceName) throws -> String {
        var terms: [String] = []
        let key = resource.keyField
        var hasKey = false
        for orderKey in keys {
            var expression = try self.expression(orderKey.property, root: resource)
            if orderKey.property.type == .string { expression = dialect.textOrdering(expression) }
            terms.append(expression + (orderKey.descending ? " DESC NULLS LAST" : " ASC NULLS FIRST"))
            if orderKey.property.base == .root, orderKey.property.navigation.isEmpty, orderKey.property.name == key { hasKey = true }
        }
        if !hasKey { terms.append(dialect.textOrdering("\(Self.root).\"\(key)\"") + " ASC") }
        return terms.joined(separator: ", ")
    }
}

extension ComparisonOperator {
    /// The operator with its operands swapped (`5 lt Price` is `Price gt 5`).
    var mirrored: ComparisonOperator {
        switch self {
        case .eq, .ne: return self
        case .gt: return .lt
        case .ge: return .le
        case .lt: return .gt
        case .le: return .ge
        }
    }

    var sql: String {
        switch self {
        case .eq: return "="
        case .ne: return "<>"
        case .gt: return ">"
        case .ge: return ">="
        case .lt: return "<"
        case .le: return "<="
        }
    }
}

/// Which OData conditions an index serves, the same on both stores: each resource's table has
/// (tenant, column) indexes on its key, `ModificationTimestamp` and every indexed field
/// (``RealtyModel/Field/isIndexed``), and (tenant, connection, vendor key).
public enum ODataIndexedColumns {
    /// The columns of `resource` an index leads with (after the tenant).
    public static func columns(of resource: ResourceName) -> Set<String> { byResource[resource] ?? [] }

    /// Built once: every query asks.
    private static let byResource: [ResourceName: Set<String>] = Dictionary(
        uniqueKeysWithValues: ResourceName.allCases.map { resource in
            func indexed<R: HubRecord>(_: R.Type) -> Set<String> { Set(R.fields.filter(\.isIndexed).map(\.name)) }
            let columns = indexed(resource.recordType).union([
                resource.keyField, MetadataFieldNames.modificationTimestamp, MetadataFieldNames.connectionID,
            ])
            return (resource, columns)
        })

    /// Whether an index narrows `filter`'s matches: an `eq`, `in` or range on an indexed column
    /// of the queried record itself; an `and` with one such operand; an `or` of only such operands.
    public static func serves(_ filter: CheckedFilter, resource: ResourceName) -> Bool {
        let indexed = columns(of: resource)
        func isIndexed(_ operand: CheckedOperand) -> Bool {
            guard case .property(let property) = operand, property.base == .root, property.navigation.isEmpty,
                let name = property.name
            else { return false }
            return indexed.contains(name)
        }
        func check(_ filter: CheckedFilter) -> Bool {
            switch filter {
            case .and(let operands): return operands.contains(where: check)
            case .or(let operands): return operands.allSatisfy(check)
            case .comparison(let op, let left, let right):
                guard op != .ne else { return false }
                if isIndexed(left), case .literal(let literal) = right { return literal != .null }
                if isIndexed(right), case .literal(let literal) = left { return literal != .null }
                return false
            case .membership(let operand, let items): return isIndexed(operand) && !items.contains(.null)
            case .constant(let flag): return !flag
            default: return false
            }
        }
        return check(filter)
    }

    /// The (tenant, field) indexes migration `2026-12-05-8-key-ordered-field-indexes` rebuilds
    /// as (tenant, field, hub key) on both stores, as they were when it shipped (a later indexed
    /// field gets its three-column index where it is added): `field eq x` then reads its
    /// matches in key order, OData's default order, and a page stops after its rows instead of
    /// sorting every match (`StandardStatus eq 'Active'` may match most of a resource).
    public static let keyOrderedIndexes: [(table: String, column: String)] = [
        ("Activity", "ActivityStartTimestamp"), ("Activity", "ActivityType"), ("Activity", "ContactKey"), ("Activity", "ListingKey"),
        ("Activity", "OwnerMemberKey"), ("Contacts", "ContactType"), ("Contacts", "OwnerMemberKey"), ("Development", "City"),
        ("Development", "DevelopmentName"), ("Development", "DevelopmentStatus"), ("Media", "MediaCategory"), ("Media", "ResourceName"),
        ("Member", "MemberEmail"), ("Member", "MemberMobilePhone"), ("Member", "MemberStatus"), ("Member", "MemberType"),
        ("Member", "OfficeKey"), ("Office", "OfficeCity"), ("Office", "OfficeCountry"), ("Office", "OfficeEmail"), ("Office", "OfficeName"),
        ("Office", "OfficeStatus"), ("Property", "BuildingName"), ("Property", "City"), ("Property", "Country"),
        ("Property", "DevelopmentKey"), ("Property", "ListAgentKey"), ("Property", "ListOfficeKey"), ("Property", "ListingId"),
        ("Property", "PostalCode"), ("Property", "PropertyType"), ("Property", "StandardStatus"), ("TeamMembers", "MemberKey"),
        ("TeamMembers", "TeamKey"), ("TeamMembers", "TeamMemberType"), ("Teams", "OfficeKey"), ("Teams", "TeamLeadKey"),
        ("Teams", "TeamName"), ("Teams", "TeamStatus"),
    ]

    /// Whether an index gives `keys`' order without a filter: none, or a first key on the
    /// `ModificationTimestamp` or hub key of the record itself.
    public static func serves(order keys: [ODataOrderKey], resource: ResourceName) -> Bool {
        guard let first = keys.first else { return true }
        guard first.property.base == .root, first.property.navigation.isEmpty, let name = first.property.name else { return false }
        return name == MetadataFieldNames.modificationTimestamp || name == resource.keyField
    }
}
