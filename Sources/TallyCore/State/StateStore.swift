#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tally's durable state: one SQLite file (WAL mode) holding the latest engine snapshot, a
/// journal of what was applied since, and how far each input file has been read
/// (docs/state.md).
///
/// - A file is accepted only if it is a Tally state file: SQLite's header, Tally's
///   `application_id` and a `user_version` (schema) this build knows. Anything else is refused
///   with a one-line ``StateStoreError`` before SQLite touches it, and never written.
/// - The file is locked (`flock`) while a store has it open: a second Tally is refused.
/// - Every journal append is one transaction (synchronous = FULL): once it returns, the entry
///   survives a crash of the process or the machine.
///
/// Not thread-safe: use it from the thread that owns the engine.
public final class StateStore {
    /// `PRAGMA application_id` of a Tally state file: "TLLY".
    public static let applicationID: Int32 = 0x544C_4C59
    /// The schema version this build writes (`PRAGMA user_version`).
    public static let schemaVersion: Int32 = 1

    /// The path as given.
    public let path: String
    /// True when this open created the file.
    public let isNew: Bool
    /// The highest journal sequence written (0 when none yet).
    public private(set) var lastSequence: Int64 = 0

    private let connection: SQLiteConnection
    private let lockDescriptor: Int32
    private let clock: @Sendable () -> Int64

    private lazy var insertJournal = try! connection.prepare("""
        INSERT INTO journal (kind, input, first_line, start_offset, end_offset, end_line, lines, rules_hash, at, advanced)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    private lazy var upsertInput = try! connection.prepare("""
        INSERT INTO inputs (path, device, inode, size_seen, byte_offset, line, fingerprint, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode,
            size_seen = excluded.size_seen, byte_offset = excluded.byte_offset, line = excluded.line,
            fingerprint = excluded.fingerprint, updated_at = excluded.updated_at
        """)

    /// Opens the state file at `path`, creating it (and its schema) when it does not exist or
    /// is empty.
    /// - Parameter clock: milliseconds since the epoch (tests inject one).
    /// - Throws: ``StateStoreError`` for a file that is not a Tally state file, is newer than
    ///   this build, is corrupt, is locked by another process, or cannot be opened.
    public init(path: String, clock: @escaping @Sendable () -> Int64 = StateStore.wallClock) throws(StateStoreError) {
        self.path = path
        self.clock = clock
        // Lock before SQLite opens the file: two writers would interleave their journals.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StateStoreError(path: path, problem: "cannot open the state file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw StateStoreError(path: path, problem: code == EWOULDBLOCK
                ? "in use by another Tally process" : "cannot lock the state file: \(String(cString: strerror(code)))")
        }
        lockDescriptor = fd
        do throws(StateStoreError) {
            // The header is read under the lock. Tally writes the application id and schema
            // version before it switches the file to WAL mode, so the main file's header
            // always carries them, even when a crash left a WAL behind.
            try Self.rollBackInterruptedTransaction(path: path)
            let header = try Self.readHeader(path: path)
            if let header { try Self.check(header: header, path: path) }
            connection = try SQLiteConnection(path: path, create: true)
            var empty = header == nil
            if !empty { empty = try connection.integer("PRAGMA page_count") == 0 }
            isNew = empty
            if empty { try createSchema() }
            try connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
            try verifyOpened()
            let snapshotSequence = try connection.integer("SELECT journal_sequence FROM snapshot WHERE id = 1") ?? 0
            let journalSequence = try connection.integer("SELECT max(sequence) FROM journal") ?? 0
            lastSequence = max(snapshotSequence, journalSequence)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        connection.close()
        close(lockDescriptor)
    }

    /// Milliseconds since the Unix epoch.
    public static let wallClock: @Sendable () -> Int64 = {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    // MARK: Opening

    /// A crash in the middle of a rollback-journal transaction (the schema's creation, before
    /// the file switches to WAL) leaves a hot journal beside a half-written file, whose header
    /// can be all zeros. SQLite restores the file on its first read; do that before the header
    /// is judged, so the file is recognised (or found empty) instead of refused as foreign.
    private static func rollBackInterruptedTransaction(path: String) throws(StateStoreError) {
        let journal = open(path + "-journal", O_RDONLY | O_CLOEXEC)
        guard journal >= 0 else { return }
        var magic = [UInt8](repeating: 0, count: 8)
        let count = magic.withUnsafeMutableBytes { read(journal, $0.baseAddress!, 8) }
        close(journal)
        guard count == 8, magic == [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7] else { return }
        let recovery = try SQLiteConnection(path: path, create: false)
        _ = try? recovery.integer("PRAGMA page_count")
        recovery.close()
    }

    /// The first 100 bytes of the file, or nil when it does not exist or is empty.
    private static func readHeader(path: String) throws(StateStoreError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StateStoreError(path: path, problem: "cannot open the state file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        var total = 0
        while total < 100 {
            let count = header.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, 100 - total) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StateStoreError(path: path, problem: "cannot read the state file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            total += count
        }
        if total == 0 { return nil }
        return Array(header[..<total])
    }

    /// Refuses anything but a Tally state file of a schema this build knows.
    private static func check(header: [UInt8], path: String) throws(StateStoreError) {
        let magic = Array("SQLite format 3\0".utf8)
        guard header.count == 100, Array(header[0..<16]) == magic else {
            throw StateStoreError(path: path, problem: "not a Tally state file (not an SQLite database); it was left as it is")
        }
        func bigEndian(at offset: Int) -> Int32 {
            Int32(bitPattern: header[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        let applicationID = bigEndian(at: 68)
        let userVersion = bigEndian(at: 60)
        guard applicationID == Self.applicationID else {
            throw StateStoreError(path: path, problem: String(
                format: "not a Tally state file (an SQLite database with application id 0x%08X); it was left as it is",
                UInt32(bitPattern: applicationID)))
        }
        guard userVersion <= Self.schemaVersion else {
            throw StateStoreError(path: path, problem:
                "written by a newer Tally (schema \(userVersion); this one knows up to \(Self.schemaVersion)); it was left as it is")
        }
    }

    private func createSchema() throws(StateStoreError) {
        let now = clock()
        try connection.transaction { () throws(StateStoreError) in
            try connection.execute("""
                PRAGMA application_id = \(Self.applicationID);
                PRAGMA user_version = \(Self.schemaVersion);
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS snapshot (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    journal_sequence INTEGER NOT NULL,
                    rules_hash TEXT NOT NULL,
                    taken_at INTEGER NOT NULL,
                    encoding TEXT NOT NULL,
                    data BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS journal (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL CHECK (kind IN ('lines', 'range', 'reload')),
                    input TEXT,
                    first_line INTEGER,
                    start_offset INTEGER,
                    end_offset INTEGER,
                    end_line INTEGER,
                    lines BLOB,
                    rules_hash TEXT,
                    advanced INTEGER NOT NULL DEFAULT 0,
                    at INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS inputs (
                    path TEXT PRIMARY KEY,
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size_seen INTEGER NOT NULL,
                    byte_offset INTEGER NOT NULL,
                    line INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    updated_at INTEGER NOT NULL);
                INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', '\(now)'), ('updated_at', '\(now)');
                """)
        }
    }

    /// Reads the schema back, so that a damaged file fails now rather than mid-run.
    private func verifyOpened() throws(StateStoreError) {
        guard try connection.integer("PRAGMA application_id") == Int64(Self.applicationID) else {
            throw StateStoreError(path: path, problem: "not a Tally state file; it was left as it is")
        }
        let tables = try connection.integer("""
            SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'snapshot', 'journal', 'inputs')
            """)
        guard tables == 4 else {
            throw StateStoreError(path: path, problem: "the state file is missing tables (damaged?); it was left as it is")
        }
    }

    // MARK: Meta

    /// A value of the meta table (`created_at`, `updated_at`, `rules_hash`, ...).
    public func meta(_ key: String) throws(StateStoreError) -> String? {
        let statement = try connection.prepare("SELECT value FROM meta WHERE key = ?")
        statement.bind(.text(key))
        return try statement.step() ? statement.text(0) : nil
    }

    /// Sets a value of the meta table.
    public func setMeta(_ key: String, _ value: String) throws(StateStoreError) {
        try connection.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(.text(key), .text(value)).run()
    }

    // MARK: Snapshot

    /// The latest snapshot, or nil before the first checkpoint.
    public func loadSnapshot() throws(StateStoreError) -> StoredSnapshot? {
        let statement = try connection.prepare(
            "SELECT journal_sequence, rules_hash, taken_at, encoding, data FROM snapshot WHERE id = 1")
        guard try statement.step() else { return nil }
        return StoredSnapshot(journalSequence: statement.int64(0), rulesHash: statement.text(1) ?? "",
                              takenAt: statement.int64(2), encoding: statement.text(3) ?? "", data: statement.blob(4))
    }

    /// Writes a new snapshot that includes every journal entry so far, and drops those entries
    /// (one transaction), then truncates the WAL.
    public func checkpoint(snapshot data: [UInt8], encoding: String, rulesHash: String) throws(StateStoreError) {
        let now = clock()
        let sequence = lastSequence
        try connection.transaction { () throws(StateStoreError) in
            try connection.prepare("""
                INSERT INTO snapshot (id, journal_sequence, rules_hash, taken_at, encoding, data) VALUES (1, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET journal_sequence = excluded.journal_sequence,
                    rules_hash = excluded.rules_hash, taken_at = excluded.taken_at,
                    encoding = excluded.encoding, data = excluded.data
                """).bind(.integer(sequence), .text(rulesHash), .integer(now), .text(encoding), .blob(data)).run()
            try connection.prepare("DELETE FROM journal WHERE sequence <= ?").bind(.integer(sequence)).run()
            try setMeta("rules_hash", rulesHash)
            try setMeta("updated_at", String(now))
        }
        try? connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    // MARK: Journal

    /// Appends an entry (and, when given, the input's new position) in one durable transaction.
    /// `advanced`: the engine ran `advance()` after applying it (long-running modes), so a
    /// replay must too. Returns the entry's sequence.
    @discardableResult
    public func append(_ entry: JournalEntry, advanced: Bool = false,
                       position: InputPosition? = nil) throws(StateStoreError) -> Int64 {
        let now = clock()
        return try connection.transaction { () throws(StateStoreError) -> Int64 in
            switch entry {
            case .lines(let input, let firstLine, let lines):
                insertJournal.bind(.text("lines"), .text(input), .int(firstLine), .null, .null, .null, .blob(lines), .null,
                                   .integer(now), .int(advanced ? 1 : 0))
            case .range(let input, let firstLine, let start, let end, let endLine):
                insertJournal.bind(.text("range"), .text(input), .int(firstLine), .integer(start), .integer(end),
                                   .int(endLine), .null, .null, .integer(now), .int(advanced ? 1 : 0))
            case .reload(let rulesHash):
                insertJournal.bind(.text("reload"), .null, .null, .null, .null, .null, .null, .text(rulesHash), .integer(now),
                                   .int(0))
            }
            try insertJournal.run()
            let sequence = connection.lastInsertRowID
            if let position { try write(position, at: now) }
            lastSequence = sequence
            return sequence
        }
    }

    /// Calls `body` with every journal entry after `sequence`, in order: its sequence, the
    /// entry, and whether `advance()` followed it.
    public func forEachJournalEntry(after sequence: Int64,
                                    _ body: (Int64, JournalEntry, Bool) throws -> Void) throws {
        let statement = try connection.prepare("""
            SELECT sequence, kind, input, first_line, start_offset, end_offset, end_line, lines, rules_hash, advanced
            FROM journal WHERE sequence > ? ORDER BY sequence
            """)
        statement.bind(.integer(sequence))
        while try statement.step() {
            let entry: JournalEntry
            switch statement.text(1) {
            case "lines":
                entry = .lines(input: statement.text(2) ?? "", firstLine: Int(statement.int64(3)), lines: statement.blob(7))
            case "range":
                entry = .range(input: statement.text(2) ?? "", firstLine: Int(statement.int64(3)),
                               startOffset: statement.int64(4), endOffset: statement.int64(5),
                               endLine: Int(statement.int64(6)))
            default:
                entry = .reload(rulesHash: statement.text(8) ?? "")
            }
            try body(statement.int64(0), entry, statement.int64(9) != 0)
        }
    }

    /// The number of journal entries (after the snapshot).
    public func journalCount() throws(StateStoreError) -> Int {
        Int(try connection.integer("SELECT count(*) FROM journal") ?? 0)
    }

    // MARK: Inputs

    /// How far the input file at `path` (canonical) has been consumed, or nil if never.
    public func position(ofInput path: String) throws(StateStoreError) -> InputPosition? {
        let statement = try connection.prepare(
            "SELECT device, inode, size_seen, byte_offset, line, fingerprint FROM inputs WHERE path = ?")
        statement.bind(.text(path))
        guard try statement.step() else { return nil }
        return InputPosition(path: path, device: UInt64(bitPattern: statement.int64(0)),
                             inode: UInt64(bitPattern: statement.int64(1)), sizeSeen: statement.int64(2),
                             byteOffset: statement.int64(3), line: Int(statement.int64(4)),
                             fingerprint: statement.text(5) ?? "")
    }

    /// Records an input's position outside a journal entry.
    public func setPosition(_ position: InputPosition) throws(StateStoreError) {
        let now = clock()
        try connection.transaction { () throws(StateStoreError) in try write(position, at: now) }
    }

    private func write(_ position: InputPosition, at now: Int64) throws(StateStoreError) {
        upsertInput.bind(.text(position.path), .integer(Int64(bitPattern: position.device)),
                         .integer(Int64(bitPattern: position.inode)), .integer(position.sizeSeen),
                         .integer(position.byteOffset), .int(position.line), .text(position.fingerprint), .integer(now))
        try upsertInput.run()
    }
}

/// The snapshot row: an encoded `EngineSnapshot` and the journal sequence it includes.
public struct StoredSnapshot: Sendable, Equatable {
    /// Journal entries up to this sequence are in the snapshot.
    public var journalSequence: Int64
    /// The content hash of the rules that produced it.
    public var rulesHash: String
    /// When it was taken (ms since the epoch).
    public var takenAt: Int64
    /// How `data` is encoded (`json`).
    public var encoding: String
    public var data: [UInt8]
}

/// One journal entry: what was applied to the engine after the snapshot.
public enum JournalEntry: Sendable, Equatable {
    /// Raw event lines (separated by `\n`), the first numbered `firstLine` in `input`
    /// (standard input, `POST /events`).
    case lines(input: String, firstLine: Int, lines: [UInt8])
    /// The bytes `startOffset..<endOffset` of the input file `input` (canonical path), whose
    /// first line is `firstLine`; the range ends after line `endLine`.
    case range(input: String, firstLine: Int, startOffset: Int64, endOffset: Int64, endLine: Int)
    /// The rules were reloaded; their content hash.
    case reload(rulesHash: String)
}

/// How far an input file has been consumed, and which file it was.
public struct InputPosition: Sendable, Equatable {
    /// The canonical path.
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    /// The file's size when last read.
    public var sizeSeen: Int64
    /// Bytes consumed (always at a line boundary).
    public var byteOffset: Int64
    /// Lines consumed.
    public var line: Int
    /// A digest of the consumed bytes' head and tail, to recognise the same file after a copy.
    public var fingerprint: String

    public init(path: String, device: UInt64, inode: UInt64, sizeSeen: Int64, byteOffset: Int64, line: Int,
                fingerprint: String) {
        self.path = path
        self.device = device
        self.inode = inode
        self.sizeSeen = sizeSeen
        self.byteOffset = byteOffset
        self.line = line
        self.fingerprint = fingerprint
    }
}
