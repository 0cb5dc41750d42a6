import Foundation
import GRDB
import GRDBSQLite
import HubStore

/// Runs GRDB-prepared statements by binding values straight through the SQLite C API.
///
/// Bulk upserts execute three statements per record; going through `StatementArguments` costs
/// more than SQLite's own work there. Statements come from `Database.cachedStatement` and are
/// left reset, so GRDB keeps owning them.
enum DirectBinding {
    /// SQLite copies bound text and blobs before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ statement: Statement, _ values: [DatabaseValue]) {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = CInt(offset + 1)
            switch value.storage {
            case .null:
                sqlite3_bind_null(handle, index)
            case .int64(let number):
                sqlite3_bind_int64(handle, index, number)
            case .double(let number):
                sqlite3_bind_double(handle, index, number)
            case .string(let text):
                var text = text
                text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        if let base = chars.baseAddress {
                            _ = sqlite3_bind_text(handle, index, base, CInt(chars.count), transient)
                        } else {
                            _ = sqlite3_bind_text(handle, index, "", 0, transient)
                        }
                    }
                }
            case .blob(let data):
                data.withUnsafeBytes { bytes in
                    _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, CInt(bytes.count), transient)
                }
            }
        }
    }

    private static func failure(_ db: Database, _ code: CInt) -> StoreError {
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        if code & 0xff == SQLITE_CONSTRAINT { return .conflict(message) }
        return .storage("SQLite error \(code): \(message)")
    }

    /// Executes a statement that returns no rows.
    static func execute(_ db: Database, _ statement: Statement, _ values: [DatabaseValue]) throws {
        bind(statement, values)
        let handle = statement.sqliteStatement
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw failure(db, code) }
    }

    /// Executes a query and hands each row's columns to `body`, in order.
    static func forEachRow(
        _ db: Database, _ statement: Statement, _ values: [DatabaseValue], _ body: ([DatabaseValue]) throws -> Void
    ) throws {
        bind(statement, values)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(db, code) }
            try body(columns(handle))
        }
    }

    /// Executes a query and returns its first row's columns, or `nil` when it has no row.
    static func firstRow(_ db: Database, _ statement: Statement, _ values: [DatabaseValue]) throws -> [DatabaseValue]? {
        bind(statement, values)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw failure(db, code) }
        return columns(handle)
    }

    /// The current row's columns.
    private static func columns(_ handle: OpaquePointer?) -> [DatabaseValue] {
        var columns: [DatabaseValue] = []
        let count = sqlite3_column_count(handle)
        columns.reserveCapacity(Int(count))
        for index in 0..<count {
            switch sqlite3_column_type(handle, index) {
            case SQLITE_INTEGER: columns.append(sqlite3_column_int64(handle, index).databaseValue)
            case SQLITE_FLOAT: columns.append(sqlite3_column_double(handle, index).databaseValue)
            case SQLITE_TEXT:
                if let text = sqlite3_column_text(handle, index) {
                    columns.append(String(cString: text).databaseValue)
                } else {
                    columns.append(.null)
                }
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(handle, index))
                if let bytes = sqlite3_column_blob(handle, index), length > 0 {
                    columns.append(Data(bytes: bytes, count: length).databaseValue)
                } else {
                    columns.append(Data().databaseValue)
                }
            default: columns.append(.null)
            }
        }
        return columns
    }
}
