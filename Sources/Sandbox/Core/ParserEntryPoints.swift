import RealtyModel

/// The sandbox's text parsers, reachable with `package` visibility so the fuzz harnesses
/// (`Fuzz/`, built only with `REALTYHUB_FUZZ=1`) and tests call the code the emulators run
/// instead of a copy of it. Each function feeds its input through the same parser the emulator
/// uses and reports the outcome as plain values; none of them traps on any input.
package enum SandboxParsers {
    /// The outcome of a VTQL statement.
    package enum VTQLOutcome: Sendable, Equatable {
        /// It parsed and ran; `rows` is how many elements the answer's array has.
        case rows(Int)
        /// It was refused with the vendor's error code (`QUERY_SYNTAX_ERROR`, `ACCESS_DENIED`,
        /// `INVALID_ID_ATTRIBUTE`) and message.
        case refused(code: String, message: String)
    }

    /// The Contacts table a fuzzed statement runs on: a few rows with text, numeric, id and
    /// empty values, so comparisons, `like`, `in`, ordering and limits all have data to work on.
    private static let contacts = VTQLTable(
        module: "Contacts",
        fields: ["id", "firstname", "lastname", "email", "assigned_user_id", "account_id", "modifiedtime", "mailingzip"],
        idFields: ["id", "assigned_user_id", "account_id"],
        rows: [
            [
                "id": "12x1", "firstname": "Ana", "lastname": "O'Neil", "email": "ana@example.com",
                "assigned_user_id": "19x1", "account_id": "11x4", "modifiedtime": "2026-11-01 10:00:00", "mailingzip": "02110",
            ],
            [
                "id": "12x2", "firstname": "bob", "lastname": "Ávila", "email": "", "assigned_user_id": "19x2",
                "account_id": "", "modifiedtime": "2026-11-02 09:30:00", "mailingzip": "10",
            ],
            [
                "id": "12x10", "firstname": "Chloé", "lastname": "100%_done", "email": "c\\d@example.org",
                "assigned_user_id": "20x3", "account_id": "11x4", "modifiedtime": "", "mailingzip": "-3.5",
            ],
        ])

    /// Parses `text` as the `query` operation does and, when it parses, runs it on a small
    /// Contacts table (any module name is run on that table).
    package static func runVTQL(_ text: String) -> VTQLOutcome {
        do {
            let query = try VTQLParser.parse(text)
            let answer = try VTQLEvaluator.run(query, on: contacts)
            if case .array(let rows) = answer { return .rows(rows.count) }
            return .rows(0)
        } catch {
            return .refused(code: error.code.rawValue, message: error.message)
        }
    }

    /// Decodes a MyCRM query string or form body as the emulator does (``URLEncodedForm``,
    /// read through ``QueryItems``: a repeated name keeps its last value).
    package static func decodeMyCRMForm(_ text: String) -> [String: String] {
        Dictionary(QueryItems(query: text).items.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The outcome of reading a PropQ request body as a form.
    package enum FormOutcome: Sendable, Equatable {
        /// The content type is not a form encoding.
        case notAForm
        /// The fields as (name, value, filename) in the order sent.
        case fields([[String?]])
        /// A malformed form, with the parser's message.
        case malformed(String)
    }

    /// Reads `body` sent with `contentType` the way the PropQ emulator reads its token request
    /// (`application/x-www-form-urlencoded` or `multipart/form-data`).
    package static func parseForm(contentType: String?, body: [UInt8]) -> FormOutcome {
        do {
            guard let form = try FormBody.parse(contentType: contentType, body: body) else { return .notAForm }
            return .fields(form.fields.map { [$0.name, $0.value, $0.filename] })
        } catch {
            return .malformed(error.description)
        }
    }
}
