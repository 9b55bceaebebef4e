import CSQLite

/// A thin wrapper over one SQLite connection (the system library), for the state store.
/// Not thread-safe: one connection per thread, like the engine it serves.
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    /// The path, for messages.
    let path: String

    /// Opens (or, with `create`, creates) the database at `path`.
    /// - Throws: ``StateStoreError`` with SQLite's message.
    init(path: String, create: Bool) throws(StateStoreError) {
        self.path = path
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, flags, nil)
        handle = db
        guard status == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(db)
            handle = nil
            throw StateStoreError(path: path, problem: "cannot open the state file: \(message)")
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 2000)
    }

    deinit {
        if let handle { sqlite3_close_v2(handle) }
    }

    /// Closes the connection (also done on deinit).
    func close() {
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws(StateStoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_free(message)
            throw failure(text, status: status)
        }
    }

    /// Prepares a statement.
    func prepare(_ sql: String) throws(StateStoreError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw lastError(status) }
        return SQLiteStatement(statement, connection: self)
    }

    /// The rowid of the last row inserted through this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The integer value of a one-row, one-column query (e.g. `PRAGMA user_version`).
    func integer(_ sql: String) throws(StateStoreError) -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// Runs `body` in an immediate transaction, committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws(StateStoreError) -> T) throws(StateStoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The connection's last error as a ``StateStoreError``.
    func lastError(_ status: Int32) -> StateStoreError {
        failure(handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status)),
                status: status)
    }

    private func failure(_ message: String, status: Int32) -> StateStoreError {
        let primary = status & 0xFF
        if primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB {
            return StateStoreError(path: path, problem: "the state file is corrupt (\(message)); it was left as it is")
        }
        if primary == SQLITE_FULL { return StateStoreError(path: path, problem: "the disk is full (\(message))") }
        return StateStoreError(path: path, problem: "SQLite: \(message)")
    }
}

/// A prepared statement. Bind with 1-based indices, read columns with 0-based ones.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds values in order (Int, Int64, Double, String, [UInt8], nil).
    @discardableResult
    func bind(_ values: SQLiteValue...) -> SQLiteStatement {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, index)
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .real(let number): sqlite3_bind_double(statement, index, number)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, csqlite_transient())
            case .blob(let bytes):
                bytes.withUnsafeBytes { raw in
                    // A zero-length blob must still be a blob, not NULL: give SQLite a valid pointer.
                    _ = sqlite3_bind_blob64(statement, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                            sqlite3_uint64(raw.count), csqlite_transient())
                }
            }
        }
        return self
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    func step() throws(StateStoreError) -> Bool {
        let status = sqlite3_step(statement)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(statement)
            return false
        default:
            let error = connection.lastError(status)
            sqlite3_reset(statement)
            throw error
        }
    }

    /// Runs the statement to completion (for INSERT, UPDATE, DELETE).
    func run() throws(StateStoreError) {
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: pointer)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }
    static func optionalText(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }
}
