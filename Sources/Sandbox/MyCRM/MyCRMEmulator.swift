import Foundation
public import Hummingbird
import RealtyModel
import Synchronization

/// Emulator of the MyCRM webservice, the vtiger-CRM `webservice.php` dialect (seed
/// `seeds/002`, notes `vendors/mycrm-webservice.md`).
///
/// Routes:
/// - `GET|POST /webservice.php`: every operation, chosen by `operation`; always HTTP 200 with
///   `{"success":true,"result":…}` or `{"success":false,"error":{"code","message"}}`.
/// - `GET /fcc?address=…`: the address availability service (``MyCRMAddressService``).
///
/// Modules: Leads (`10x…`), Contacts (`12x…`), Users (`19x…`, read-only). Demo credentials
/// are the administrator's `username` and `access_key`.
public final class MyCRMEmulator: VendorEmulator {
    /// The vendor this emulator answers for.
    public static var vendor: SandboxVendor { .mycrm }

    /// Webservice API version the login answers (vtiger's `0.22`).
    static let apiVersion = "0.22"
    /// The vtiger release this dialect follows (its getchallenge and sync behaviour).
    static let vtigerVersion = "8.0.0"

    let settings: EmulatorSettings
    let clock: SandboxClock
    let writeLog: WriteLog
    let store = MyCRMRecordStore()
    let auth: Mutex<MyCRMAuthState>
    private let demo: Mutex<(userName: String, accessKey: String)>
    private let controlRNG: Mutex<SeededGenerator>

    /// Creates the emulator with its seeded users, leads and contacts.
    /// - Parameters:
    ///   - settings: `records` leads and contacts each, `seed`, and `tokenTTL` (when set, the
    ///     session idle limit instead of 30 minutes).
    ///   - clock: time for challenges, sessions and record timestamps.
    ///   - writeLog: receives every successful create, update, revise and delete.
    public init(settings: EmulatorSettings, clock: SandboxClock, writeLog: WriteLog) {
        self.settings = settings
        self.clock = clock
        self.writeLog = writeLog
        self.auth = Mutex(Self.freshAuthState(settings))
        self.demo = Mutex((userName: "admin", accessKey: ""))
        self.controlRNG = Mutex(SeededGenerator(seed: settings.seed, stream: "mycrm/control"))
        reseed()
    }

    private static func freshAuthState(_ settings: EmulatorSettings) -> MyCRMAuthState {
        MyCRMAuthState(idleLifetime: settings.tokenTTL?.timeInterval ?? MyCRMAuthState.defaultIdleLifetime)
    }

    /// Back to the seeded state: records, users, challenges and sessions.
    func resetToSeed() {
        reseed()
    }

    /// Runs `body` with the generator used for control inserts.
    func withControlRNG<T>(_ body: (inout SeededGenerator) -> T) -> T {
        controlRNG.withLock { body(&$0) }
    }

    private func reseed() {
        store.removeAll()
        let seeded = MyCRMSeedData(records: settings.records, seed: settings.seed, now: nowSeconds).populate(store)
        demo.withLock { $0 = seeded }
        auth.withLock { $0 = Self.freshAuthState(settings) }
        controlRNG.withLock { $0 = SeededGenerator(seed: settings.seed, stream: "mycrm/control") }
    }

    var nowSeconds: Int { Int(clock.now.timeIntervalSince1970.rounded(.down)) }

    /// The administrator's credentials: `username` and `access_key`.
    public var demoCredentials: [String: String] {
        let demo = demo.withLock { $0 }
        return ["username": demo.userName, "access_key": demo.accessKey]
    }

    /// Adds `/webservice.php` (GET and POST; other methods get the envelope error) and `/fcc`.
    /// - Parameter router: the emulator's router.
    public func addRoutes(to router: Router<SandboxRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("webservice.php", method: method) { [self] request, _ in
                await webservice(request)
            }
        }
        router.get("fcc") { [self] request, _ in
            let address = QueryItems(request)["address"]
            let answer = MyCRMAddressService.answer(address: address, now: clock.now)
            return Self.response(answer.body, status: .init(code: answer.status))
        }
    }

    // MARK: - Dispatch

    /// Answers one webservice request.
    func webservice(_ request: Request) async -> Response {
        let query = QueryItems(request)
        var form = QueryItems(query: "")
        var bodyHint = ""
        if request.method == .post {
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            do {
                let data = try await SandboxJSON.body(of: request)
                if contentType.hasPrefix("application/x-www-form-urlencoded") {
                    form = QueryItems(formBody: Array(data))
                } else if !data.isEmpty {
                    bodyHint =
                        " (the body was ignored: send it as application/x-www-form-urlencoded"
                        + (contentType.isEmpty ? "" : ", not \(contentType)") + ")"
                }
            } catch {
                return Self.failure(MyCRMError(.internalServerError, "Unknown Error while processing request: the body could not be read"))
            }
        }
        let operationName = (query["operation"] ?? form["operation"] ?? "").lowercased()
        guard let operation = MyCRMOperation(rawValue: operationName) else {
            let detail = operationName.isEmpty ? "no operation given" : "'\(operationName)' is not an operation"
            return Self.failure(MyCRMError(.unknownOperation, "Unknown operation requested: \(detail)\(bodyHint)"))
        }
        // Reading chosen: the vendor silently reads nothing from the other place, which ends
        // in whatever error the missing parameters cause; the emulator refuses a wrong method
        // up front with one code, so a client sending an operation the wrong way always fails
        // the same, explained way.
        guard request.method.rawValue == operation.method.rawValue else {
            let place = operation.method == .get ? "the URL query string" : "an application/x-www-form-urlencoded body"
            return Self.failure(
                MyCRMError(
                    .operationNotSupported,
                    "Operation \(operation.rawValue) must be sent with \(operation.method.rawValue); its parameters are read only from \(place)"
                ))
        }
        let parameters = operation.method == .get ? query : form
        let sessionName = query["sessionName"] ?? form["sessionName"]
        do {
            var columns: [String] = []
            var rows: [String]?
            let result = try perform(operation, parameters: parameters, sessionName: sessionName, columns: &columns, rows: &rows)
            if let rows {
                // A query page rendered row by row: the same text as the tree below would give.
                var buffer = ByteBuffer()
                buffer.reserveCapacity(rows.reduce(32) { $0 + $1.utf8.count + 1 })
                buffer.writeStaticString(#"{"success":true,"result":["#)
                for (index, row) in rows.enumerated() {
                    if index > 0 { buffer.writeStaticString(",") }
                    buffer.writeString(row)
                }
                buffer.writeStaticString("]}")
                return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
            }
            return Self.response(MyCRMWire.object([("success", .bool(true)), ("result", result)]), columns: columns)
        } catch {
            return Self.failure(error)
        }
    }

    private func perform(
        _ operation: MyCRMOperation, parameters: QueryItems, sessionName: String?, columns: inout [String],
        rows: inout [String]?
    ) throws(MyCRMError) -> JSONValue {
        switch operation {
        case .getchallenge: return try getChallenge(username: parameters["username"])
        case .login: return try login(username: parameters["username"], accessKey: parameters["accessKey"])
        default: break
        }
        let now = clock.now
        let session = try auth.withLock { state throws(MyCRMError) in
            try state.use(sessionName: sessionName, now: now)
        }
        guard let user = store.user(id: session.userID) else { throw MyCRMError.authenticationRequired }
        switch operation {
        case .getchallenge, .login:
            // Answered above, before the session check; never reached.
            throw MyCRMError(.internalServerError, "Unknown Error while processing request")
        case .logout:
            auth.withLock { $0.logout(sessionName: session.name) }
            return MyCRMWire.object([("message", .string("successfull"))])
        case .extendsession:
            return loginResult(session)
        case .listtypes:
            return try listTypes(fieldTypeList: parameters["fieldTypeList"])
        case .describe:
            return try module(named: parameters["elementType"]).describe
        case .create:
            return try create(elementType: parameters["elementType"], element: parameters["element"], user: user)
        case .retrieve:
            return try retrieve(id: parameters["id"])
        case .update:
            return try change(element: parameters["element"], purpose: .update, user: user)
        case .revise:
            return try change(element: parameters["element"], purpose: .revise, user: user)
        case .delete:
            return try delete(id: parameters["id"], user: user)
        case .query:
            return try query(parameters["query"], columns: &columns, rows: &rows)
        case .sync:
            return try sync(
                modifiedTime: parameters["modifiedTime"], elementType: parameters["elementType"],
                syncType: parameters["syncType"], user: user
            )
        }
    }

    // MARK: - Authentication

    private func getChallenge(username: String?) throws(MyCRMError) -> JSONValue {
        guard let username, !username.isEmpty else {
            throw MyCRMError(.accessDenied, "No username given")
        }
        guard store.user(named: username) != nil else {
            throw MyCRMError(.accessDenied, "username does not exists")
        }
        var random = SystemRandomNumberGenerator()
        let token = String(UInt64.random(in: 0...UInt64(0xf_ffff_ffff_ffff), using: &random), radix: 16)
        let padded = String(repeating: "0", count: max(0, 13 - token.count)) + token
        let now = clock.now
        let challenge = auth.withLock { $0.challenge(username: username, token: padded, now: now) }
        return MyCRMWire.object([
            ("token", .string(challenge.token)),
            ("serverTime", .int(challenge.issuedAt)),
            ("expireTime", .int(challenge.expiresAt)),
        ])
    }

    private func login(username: String?, accessKey: String?) throws(MyCRMError) -> JSONValue {
        let username = username ?? ""
        let user = store.user(named: username)
        var random = SystemRandomNumberGenerator()
        let sessionName = (0..<2).map { _ in String(random.next(), radix: 16) }.joined()
        let now = clock.now
        let session = try auth.withLock { state throws(MyCRMError) in
            try state.login(
                username: username, accessKeyHash: accessKey ?? "", userAccessKey: user?.accessKey,
                userID: user?.record.id ?? "", sessionName: sessionName, now: now
            )
        }
        // vtiger 8 refuses inactive users after checking the key.
        guard let user, user.isActive else {
            auth.withLock { $0.logout(sessionName: session.name) }
            throw MyCRMError(.invalidUserCredentials, "Invalid username or password")
        }
        return loginResult(session)
    }

    /// The login answer. The vendor's code answers `sessionName`; MyCRM's page shows
    /// `sessionId`. Both keys carry the same session id, so a client written against either
    /// reading works; `sessionName` is the one to send back.
    private func loginResult(_ session: MyCRMAuthState.Session) -> JSONValue {
        MyCRMWire.object([
            ("sessionName", .string(session.name)),
            ("sessionId", .string(session.name)),
            ("userId", .string(session.userID)),
            ("version", .string(Self.apiVersion)),
            ("vtigerVersion", .string(Self.vtigerVersion)),
        ])
    }

    // MARK: - Modules

    /// The module named by an `elementType` parameter.
    /// - Throws: `ACCESS_DENIED`, the vendor's answer for a module not in `listtypes`.
    private func module(named name: String?) throws(MyCRMError) -> MyCRMModule {
        guard let name, let module = MyCRMModule.named(name) else {
            let given = name.map { "'\($0)'" } ?? "no elementType"
            throw MyCRMError(
                .accessDenied,
                "Permission to perform the operation is denied for \(given); "
                    + "modules: \(MyCRMModule.all.map(\.name).joined(separator: ", "))")
        }
        return module
    }

    private func listTypes(fieldTypeList: String?) throws(MyCRMError) -> JSONValue {
        var modules = MyCRMModule.all
        if let fieldTypeList, !fieldTypeList.isEmpty {
            guard case .array(let items)? = try? JSONValue(parsing: fieldTypeList) else {
                throw MyCRMError(
                    .internalServerError,
                    "Unknown Error while processing request: fieldTypeList must be a JSON array of type names")
            }
            let wanted = Set(
                items.compactMap { item -> String? in
                    if case .string(let name) = item { return name.lowercased() }
                    return nil
                })
            modules = modules.filter { module in module.fields.contains { wanted.contains($0.kind.typeName) } }
        }
        return MyCRMWire.object([
            ("types", .array(modules.map { .string($0.name) })),
            (
                "information",
                MyCRMWire.object(
                    modules.map { module in
                        (
                            module.name,
                            MyCRMWire.object([
                                ("isEntity", .bool(true)),
                                ("label", .string(module.name)),
                                ("singular", .string(module.singular)),
                            ])
                        )
                    })
            ),
        ])
    }

    /// The module and record number of a webservice id.
    /// - Throws: `INVALID_ID_ATTRIBUTE` for anything but `<prefix>x<number>` with a known prefix.
    private func locate(_ id: String?) throws(MyCRMError) -> (MyCRMModule, String) {
        guard let id, VTQLEvaluator.webserviceCRMID(id) != nil,
            let prefix = id.split(separator: "x").first.flatMap({ Int($0) }),
            let module = MyCRMModule.withPrefix(prefix)
        else { throw MyCRMError.incorrectID }
        return (module, id)
    }

    // MARK: - Records

    private func retrieve(id: String?) throws(MyCRMError) -> JSONValue {
        let (module, id) = try locate(id)
        guard let record = store.live(id) else { throw MyCRMError.recordMissing }
        return record.json(in: module)
    }

    private func isAssignable(_ userID: String) -> Bool {
        store.user(id: userID)?.isActive ?? false
    }

    private func create(elementType: String?, element: String?, user: MyCRMRecordStore.User) throws(MyCRMError) -> JSONValue {
        let module = try module(named: elementType)
        guard module.writable else { throw MyCRMError(.accessDenied, "Permission to write is denied") }
        let members = try MyCRMElement.members(element)
        let values = try MyCRMElement.values(members, module: module, purpose: .create, isAssignableUser: isAssignable)
        let record = store.insert(module: module, values: values, by: user.record.id, at: nowSeconds)
        log(.create, record: record, element: .object(members))
        return record.json(in: module)
    }

    private func change(element: String?, purpose: MyCRMElement.Purpose, user: MyCRMRecordStore.User) throws(MyCRMError) -> JSONValue {
        let members = try MyCRMElement.members(element)
        let idValue = members["id"].flatMap(MyCRMWire.fieldString)
        let (module, id) = try locate(idValue)
        guard module.writable else { throw MyCRMError(.accessDenied, "Permission to write is denied") }
        guard store.live(id) != nil else { throw MyCRMError.recordMissing }
        let values = try MyCRMElement.values(members, module: module, purpose: purpose, isAssignableUser: isAssignable)
        guard
            let record = store.change(
                id, values: values, replaceAll: purpose == .update, module: module,
                by: user.record.id, at: nowSeconds)
        else { throw MyCRMError.recordMissing }
        log(purpose == .update ? .update : "revise", record: record, element: .object(members))
        return record.json(in: module)
    }

    private func delete(id: String?, user: MyCRMRecordStore.User) throws(MyCRMError) -> JSONValue {
        let (module, id) = try locate(id)
        guard module.writable else { throw MyCRMError(.accessDenied, "Permission to delete is denied") }
        guard let record = store.live(id), store.markDeleted(id, at: nowSeconds) else {
            throw MyCRMError.recordMissing
        }
        log(.delete, record: record, element: MyCRMWire.object([("id", .string(id))]))
        return MyCRMWire.object([("status", .string("successful"))])
    }

    private func log(_ operation: WriteLogOperation, record: MyCRMRecord, element: JSONValue) {
        writeLog.record(
            vendor: Self.vendor,
            resource: record.module,
            operation: operation,
            id: record.id,
            keys: [
                "email": record.fields["email"] ?? "", "phone": record.fields["phone"] ?? "",
                "mobile": record.fields["mobile"] ?? "",
            ],
            body: element
        )
    }

    // MARK: - Query and sync

    /// Runs a VTQL statement; `columns` gets its rows' columns in `select` order.
    private func query(_ text: String?, columns: inout [String], rows: inout [String]?) throws(MyCRMError) -> JSONValue {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw MyCRMError(.querySyntaxError, "Syntax Error on line 1: no query given (query=select … from Module;)")
        }
        let parsed = try VTQLParser.parse(text)
        guard let module = MyCRMModule.named(parsed.module) else {
            throw MyCRMError(
                .accessDenied,
                "Permission to perform the operation is denied for name '\(parsed.module)'; "
                    + "modules: \(MyCRMModule.all.map(\.name).joined(separator: ", "))")
        }
        // `select * from <Module> [order by id] [limit …];`, the full read's page: rows by
        // position, each rendered once while its record is unchanged (see `rowTexts`).
        if parsed.selection == .all, parsed.condition == nil, parsed.ordering.count <= 1,
            parsed.ordering.allSatisfy({ $0.column == "id" }),
            let texts = store.rowTexts(
                of: module, offset: max(0, parsed.limit?.offset ?? 0),
                count: max(0, min(parsed.limit?.count ?? VTQLEvaluator.rowCap, VTQLEvaluator.rowCap)),
                descending: !(parsed.ordering.first?.ascending ?? true))
        {
            columns = module.fieldNames
            rows = texts
            return .array([])
        }
        let idFields = Set(module.fields.filter(\.holdsIDs).map(\.name))
        let table: VTQLTable
        if let condition = parsed.condition, let (records, keys) = store.lookupCandidates(of: module, condition: condition) {
            // A lookup (`where email = …`): only the rows the index names can match.
            table = VTQLTable(
                module: module.name, fields: module.fieldNames, idFields: idFields, count: records.count,
                row: { position in records.key(at: position).flatMap { records.record($0)?.fields } },
                scan: { visit in
                    for key in keys {
                        if let record = records.record(key), !visit(record.fields) { return }
                    }
                })
        } else if let records = store.records(of: module.name) {
            table = VTQLTable(
                module: module.name, fields: module.fieldNames, idFields: idFields, count: records.count,
                row: { position in records.key(at: position).flatMap { records.record($0)?.fields } },
                scan: { visit in records.forEach { _, record in visit(record.fields) } })
        } else {
            table = VTQLTable(
                module: module.name, fields: module.fieldNames, idFields: idFields,
                rows: store.liveRecords(of: module.name).map(\.fields))
        }
        columns = VTQLEvaluator.columns(of: parsed, fields: module.fieldNames)
        return try VTQLEvaluator.run(parsed, on: table)
    }

    /// `sync`: changes since `modifiedTime` (unix seconds; absent means from the beginning).
    ///
    /// `syncType` as in vtiger 8: `user` (the default: records assigned to the session's user),
    /// `userandgroup` (the same here, the emulator has no groups) or `application` (every
    /// record; administrators only, else `ACCESS_DENIED`). Without `elementType` every entity
    /// module is synced; Users are never synced.
    private func sync(
        modifiedTime: String?, elementType: String?, syncType: String?, user: MyCRMRecordStore.User
    ) throws(MyCRMError) -> JSONValue {
        let after: Int
        if let modifiedTime, !modifiedTime.isEmpty {
            let text = modifiedTime.trimmingCharacters(in: .whitespaces)
            // PHP would take "1735689600.5" as a number too; anything else is refused here.
            let fractional = Double(text).flatMap { $0.isFinite && abs($0) < 1e15 ? Int($0.rounded(.down)) : nil }
            guard let value = Int(text) ?? fractional else {
                throw MyCRMError(
                    .databaseQueryError,
                    "Database error while performing required operation: modifiedTime must be unix seconds")
            }
            after = value
        } else {
            after = 0
        }
        var modules: Set<String> = [MyCRMModule.leads.name, MyCRMModule.contacts.name]
        if let elementType, !elementType.isEmpty {
            guard let module = MyCRMModule.named(elementType) else {
                throw MyCRMError.permissionDenied
            }
            modules = module.name == MyCRMModule.users.name ? [] : [module.name]
        }
        let owner: String?
        switch (syncType ?? "user").lowercased() {
        case "application":
            guard user.isAdmin else {
                throw MyCRMError(.accessDenied, "Only admin users can perform application sync")
            }
            owner = nil
        case "user", "userandgroup", "":
            owner = user.record.id
        default:
            throw MyCRMError(
                .accessDenied,
                "Permission to perform the operation is denied: syncType must be user, userandgroup or application")
        }
        let page = store.sync(after: after, modules: modules, owner: owner)
        return MyCRMWire.object([
            (
                "updated",
                .array(
                    page.updated.compactMap { record in
                        MyCRMModule.named(record.module).map { record.json(in: $0) }
                    })
            ),
            ("deleted", .array(page.deleted.map(JSONValue.string))),
            ("lastModifiedTime", .int(page.lastModifiedTime)),
            ("more", .bool(page.more)),
        ])
    }

    // MARK: - Responses

    static func response(_ json: JSONValue, status: HTTPResponse.Status = .ok, columns: [String] = []) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: MyCRMWire.text(json, columns: columns)))
        )
    }

    static func failure(_ error: MyCRMError) -> Response {
        response(error.envelope)
    }
}
