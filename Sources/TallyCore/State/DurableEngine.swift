import CompactBinary
import Foundation

/// An ``Engine`` whose state lives in a ``StateStore`` (`--state FILE`, docs/state.md).
///
/// Opening restores the latest snapshot and replays the journal after it. Every batch of
/// events is applied to the engine and then journaled in one durable transaction (the raw
/// lines, or for an events file the byte range and the file's new position), so a crash loses
/// at most the batch in flight, which was never acknowledged and whose input position did not
/// move. A checkpoint writes a new snapshot and empties the journal: every
/// ``checkpointEvents`` events or ``checkpointMilliseconds``, after a reload, and when the
/// caller closes cleanly.
///
/// Not thread-safe, like the engine: use it from one thread (or actor) at a time.
public final class DurableEngine {
    public let engine: Engine
    public let store: StateStore
    /// The content hash of the engine's current rules.
    public private(set) var rulesHash: String
    /// What opening found worth telling: restored counts, rules that changed, what could not carry.
    public private(set) var notes: [String] = []
    /// Events (accepted or rejected) after which a checkpoint is due.
    public var checkpointEvents = 1_000_000
    /// Time after which a checkpoint is due, in milliseconds.
    public var checkpointMilliseconds: Int64 = 300_000
    /// Journal entries replayed when opening.
    public private(set) var replayedEntries = 0
    /// Set once a write failed after the engine had moved ahead: memory and file disagree, so
    /// nothing more is accepted (restart to recover from the file).
    public private(set) var failure: StateStoreError?

    private var eventsSinceCheckpoint = 0
    /// True once this process has journaled anything after its last checkpoint (or has not
    /// checkpointed yet).
    private var journaledSinceCheckpoint = true
    /// The size of the latest snapshot, reserved for the next one.
    private var snapshotBytes = 1 << 20
    private var lastCheckpoint: Int64
    private let clock: @Sendable () -> Int64
    private var parser = EventParser()
    /// Head fingerprints of files being read (canonical path → digest once 4 KiB are consumed).
    private static let fingerprintBytes = 4096

    /// Restores `store`'s snapshot into `engine` and replays the journal.
    /// - Throws: ``StateStoreError`` when the snapshot cannot be decoded or the journal cannot
    ///   be replayed (an events file it refers to is gone); the file is left as it is.
    public init(engine: Engine, store: StateStore, rulesHash: String,
                clock: @escaping @Sendable () -> Int64 = StateStore.wallClock) throws {
        self.engine = engine
        self.store = store
        self.rulesHash = rulesHash
        self.clock = clock
        lastCheckpoint = clock()
        var after: Int64 = 0
        var snapshotIsCurrent = false
        if let stored = try store.loadSnapshot() {
            after = stored.journalSequence
            snapshotBytes = max(snapshotBytes, stored.data.count + stored.data.count / 8)
            snapshotIsCurrent = stored.rulesHash == rulesHash && stored.encoding == Self.snapshotEncoding
            let snapshot: EngineSnapshot
            do {
                snapshot = try Self.decode(stored.data, encoding: stored.encoding)
            } catch {
                throw StateStoreError(path: store.path, problem: "its snapshot cannot be read (\(error)); it was left as it is")
            }
            guard snapshot.version == EngineSnapshot.currentVersion else {
                throw StateStoreError(path: store.path, problem:
                    "its snapshot has format \(snapshot.version), this Tally reads \(EngineSnapshot.currentVersion); it was left as it is")
            }
            notes += engine.restore(snapshot)
            if stored.rulesHash != rulesHash {
                notes.append("the rules changed since the state was saved (\(stored.rulesHash) → \(rulesHash)); "
                    + "goals, outcomes and experiments were matched by id")
            }
        }
        try store.forEachJournalEntry(after: after) { _, entry, advanced in
            try replay(entry)
            if advanced { engine.advance() }
            replayedEntries += 1
        }
        journaledSinceCheckpoint = !snapshotIsCurrent || replayedEntries > 0
        if replayedEntries > 0 {
            notes.append("replayed \(replayedEntries) journal entr\(replayedEntries == 1 ? "y" : "ies") written after the last checkpoint")
        }
    }

    // MARK: Batches

    /// Applies a batch of JSON Lines (`POST /events`, standard input) and journals it before
    /// returning; `advance` runs ``Engine/advance()`` afterwards (long-running modes).
    /// - Throws: ``StateStoreError`` when the journal cannot be written; the engine then holds
    ///   events the file does not (``failure`` is set and later batches are refused).
    @discardableResult
    public func apply(lines: [UInt8], input: String, firstLine: Int, advance: Bool = false,
                      onReject: (EventRejection) -> Void,
                      onAdvance: ([Report.ExperimentSummary]) -> Void = { _ in }) throws(StateStoreError) -> Engine.BatchCounts {
        if let failure { throw failure }
        let counts = lines.withUnsafeBytes {
            engine.ingest(lines: $0, firstLine: firstLine, parser: &parser, onReject: onReject)
        }
        let changes = advance ? engine.advance() : []
        try journal(.lines(input: input, firstLine: firstLine, lines: lines), advanced: advance, position: nil)
        if !changes.isEmpty { onAdvance(changes) }
        try counted(counts)
        return counts
    }

    /// What reading an events file did.
    public struct FileProgress: Sendable, Equatable {
        /// Lines an earlier run had already consumed (skipped now).
        public var skippedLines = 0
        /// What this run applied.
        public var counts = Engine.BatchCounts()
    }

    /// Reads the events file at `path` from where this state last stopped reading it, applying
    /// and journaling it in batches of about `batchBytes`. A file whose consumed part changed
    /// (a different file under the same path) is refused. `advance` runs ``Engine/advance()``
    /// after each batch (and journals that it did).
    /// - Throws: `EventIntake.ReadError` when the file cannot be read, ``StateStoreError`` when it
    ///   changed or the journal cannot be written.
    public func ingest(file path: String, batchBytes: Int = 1 << 20, advance: Bool = false,
                       onReject: (EventRejection) -> Void) throws -> FileProgress {
        let cursor = try follow(file: path, batchBytes: batchBytes)
        var progress = FileProgress()
        progress.skippedLines = cursor.skippedLines
        while try readAvailable(cursor, advance: advance, onReject: onReject) > 0 {}
        try finish(cursor, advance: advance, onReject: onReject)
        progress.counts = cursor.counts
        return progress
    }

    /// An events file being read by this state: its consumed position (journaled with each
    /// batch) and the intake holding the bytes read after the last complete line.
    public final class FileCursor {
        public let path: String
        let canonical: String
        let fd: Int32
        let device: UInt64
        let inode: UInt64
        var sizeSeen: Int64
        /// Where the intake started reading (its offsets count from here).
        let startOffset: Int64
        var line: Int
        let intake: EventIntake
        /// Lines an earlier run had already consumed (skipped now).
        public let skippedLines: Int
        /// What this cursor applied.
        public internal(set) var counts = Engine.BatchCounts()
        /// The file's descriptor (owned by the cursor).
        public var fileDescriptor: Int32 { fd }

        init(path: String, canonical: String, fd: Int32, device: UInt64, inode: UInt64, size: Int64,
             offset: Int64, line: Int, batchBytes: Int) {
            self.path = path
            self.canonical = canonical
            self.fd = fd
            self.device = device
            self.inode = inode
            sizeSeen = size
            startOffset = offset
            // A byte order mark is skipped only at the start of the file.
            intake = EventIntake(batchesOf: fd, name: path, batchBytes: batchBytes, stripsBOM: offset == 0)
            self.line = line
            skippedLines = line
        }

        deinit { close(fd) }
    }

    /// Opens the events file at `path` positioned where this state last stopped reading it (see
    /// ``ingest(file:batchBytes:advance:onReject:)``); read it with ``readAvailable(_:advance:onReject:onAdvance:)``,
    /// at most `batchBytes` per read (and so per journaled batch).
    public func follow(file path: String, batchBytes: Int = 1 << 20) throws -> FileCursor {
        if let failure { throw failure }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EventIntake.ReadError(name: path, code: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw EventIntake.ReadError(name: path, code: code)
        }
        let canonical = Self.canonicalPath(path)
        var offset: Int64 = 0
        var line = 0
        do {
            if let previous = try store.position(ofInput: canonical) {
                let head = try Self.fingerprint(fd, consumed: previous.byteOffset, name: path)
                guard Int64(info.st_size) >= previous.byteOffset, head == previous.fingerprint else {
                    throw StateStoreError(path: store.path, problem:
                        "events file \"\(path)\" is not the file it read before (it had consumed \(previous.line) lines, "
                        + "\(previous.byteOffset) bytes, of a file with other content); give new events in another file")
                }
                offset = previous.byteOffset
                line = previous.line
            }
            guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw EventIntake.ReadError(name: path, code: errno) }
        } catch {
            close(fd)
            throw error
        }
        return FileCursor(path: path, canonical: canonical, fd: fd, device: UInt64(info.st_dev),
                          inode: UInt64(info.st_ino), size: Int64(info.st_size), offset: offset, line: line,
                          batchBytes: batchBytes)
    }

    /// Reads what `cursor`'s file has now (up to its `batchBytes`), applies and journals its
    /// complete lines with the new position. Returns the bytes read (0 at the file's current end).
    /// `onAdvance` receives the experiments whose status changed when `advance` is set.
    public func readAvailable(_ cursor: FileCursor, advance: Bool = false,
                              onReject: (EventRejection) -> Void,
                              onAdvance: ([Report.ExperimentSummary]) -> Void = { _ in }) throws -> Int {
        if let failure { throw failure }
        return try cursor.intake.readBatch { lines, offset in
            try apply(lines, at: offset, of: cursor, advance: advance, onReject: onReject, onAdvance: onAdvance)
        }
    }

    /// Applies a last line without `\n` (at the end of the input).
    public func finish(_ cursor: FileCursor, advance: Bool = false, onReject: (EventRejection) -> Void,
                       onAdvance: ([Report.ExperimentSummary]) -> Void = { _ in }) throws {
        try cursor.intake.finishBatch { lines, offset in
            try apply(lines, at: offset, of: cursor, advance: advance, onReject: onReject, onAdvance: onAdvance)
        }
    }

    /// Applies and journals whole lines of `cursor`'s file, `offset` bytes after where its intake
    /// started reading, with the position after them.
    private func apply(_ lines: UnsafeRawBufferPointer, at offset: Int, of cursor: FileCursor, advance: Bool,
                       onReject: (EventRejection) -> Void, onAdvance: ([Report.ExperimentSummary]) -> Void) throws {
        let start = cursor.startOffset + Int64(offset)
        let counts = engine.ingest(lines: lines, firstLine: cursor.line + 1, parser: &parser, onReject: onReject)
        let changes = advance ? engine.advance() : []
        let end = start + Int64(lines.count)
        let endLine = cursor.line + counts.lines
        let fingerprint = try Self.fingerprint(cursor.fd, consumed: end, name: cursor.path)
        cursor.sizeSeen = max(cursor.sizeSeen, end)
        let position = InputPosition(path: cursor.canonical, device: cursor.device, inode: cursor.inode,
                                     sizeSeen: cursor.sizeSeen, byteOffset: end, line: endLine,
                                     fingerprint: fingerprint)
        try journal(.range(input: cursor.canonical, firstLine: cursor.line + 1, startOffset: start,
                           endOffset: end, endLine: endLine),
                    advanced: advance, position: position)
        cursor.line = endLine
        cursor.counts.lines += counts.lines
        cursor.counts.accepted += counts.accepted
        cursor.counts.rejected += counts.rejected
        if !changes.isEmpty { onAdvance(changes) }
        try counted(counts)
    }

    /// Reads standard input (or any descriptor) to its end in batches, journaling each as raw
    /// lines: a pipe cannot be read again, so its position means nothing to a later run.
    public func ingest(stream fd: Int32, name: String, batchBytes: Int = 1 << 20,
                       onReject: (EventRejection) -> Void) throws -> Engine.BatchCounts {
        var total = Engine.BatchCounts()
        let intake = EventIntake(batchesOf: fd, name: name, batchBytes: batchBytes, stripsBOM: true)
        try intake.readAllBatches { lines, _ in
            let counts = try apply(lines: Array(lines), input: name, firstLine: total.lines + 1, onReject: onReject)
            total.lines += counts.lines
            total.accepted += counts.accepted
            total.rejected += counts.rejected
        }
        return total
    }

    // MARK: Reloads and checkpoints

    /// Records that the engine's rules were reloaded (their new content hash) and checkpoints,
    /// so that the journal after a snapshot always belongs to one rule set.
    public func reloaded(rulesHash: String) throws(StateStoreError) {
        if let failure { throw failure }
        self.rulesHash = rulesHash
        try journal(.reload(rulesHash: rulesHash), advanced: false, position: nil)
        try checkpoint()
    }

    /// Writes a snapshot of the engine that includes the whole journal, and empties the journal.
    public func checkpoint() throws(StateStoreError) {
        if let failure { throw failure }
        let data: [UInt8]
        do {
            data = try Self.encode(engine.snapshot(), capacityHint: snapshotBytes)
        } catch {
            throw StateStoreError(path: store.path, problem: "cannot encode the engine's state: \(error)")
        }
        do {
            try store.checkpoint(snapshot: data, encoding: Self.snapshotEncoding, rulesHash: rulesHash)
        } catch {
            // The journal still holds everything: nothing is lost, memory and file agree.
            throw error
        }
        eventsSinceCheckpoint = 0
        journaledSinceCheckpoint = false
        snapshotBytes = data.count + data.count / 8
        lastCheckpoint = clock()
    }

    /// Checkpoints unless this process has checkpointed and journaled nothing since: for a
    /// caller that changed the engine only through this object (`tally run`), whose last batch
    /// may just have been checkpointed.
    public func checkpointUnlessCurrent() throws(StateStoreError) {
        guard journaledSinceCheckpoint else { return }
        try checkpoint()
    }

    /// Checkpoints when ``checkpointEvents`` events or ``checkpointMilliseconds`` have passed.
    public func checkpointIfDue() throws(StateStoreError) {
        guard eventsSinceCheckpoint > 0 else { return }
        if eventsSinceCheckpoint >= checkpointEvents || clock() - lastCheckpoint >= checkpointMilliseconds {
            try checkpoint()
        }
    }

    // MARK: Internals

    /// How snapshots are written: the compact binary form (`CompactBinaryEncoder`), many times
    /// faster than a binary property list for an engine of 100,000 guests, in a fraction of the
    /// memory and space. Files written by earlier versions hold `bplist` (binary property list)
    /// or `json` snapshots, which are still read.
    static let snapshotEncoding = "tcb1"

    /// `capacityHint`: bytes to reserve (the previous snapshot's size, with room to grow).
    static func encode(_ snapshot: EngineSnapshot, capacityHint: Int = 1 << 20) throws -> [UInt8] {
        try CompactBinaryEncoder(capacityHint: capacityHint).encode(snapshot)
    }

    /// Decodes a snapshot written as `tcb1`, `bplist` or `json`.
    static func decode(_ bytes: [UInt8], encoding: String) throws -> EngineSnapshot {
        switch encoding {
        case "tcb1": return try CompactBinaryDecoder().decode(EngineSnapshot.self, from: bytes)
        case "json": return try JSONDecoder().decode(EngineSnapshot.self, from: Data(bytes))
        case "bplist": return try PropertyListDecoder().decode(EngineSnapshot.self, from: Data(bytes))
        default: throw StateStoreError(path: "", problem: "unknown snapshot encoding \"\(encoding)\"")
        }
    }

    private func journal(_ entry: JournalEntry, advanced: Bool, position: InputPosition?) throws(StateStoreError) {
        journaledSinceCheckpoint = true
        do {
            try store.append(entry, advanced: advanced, position: position)
        } catch {
            failure = error
            throw error
        }
    }

    private func counted(_ counts: Engine.BatchCounts) throws(StateStoreError) {
        eventsSinceCheckpoint += counts.accepted + counts.rejected
        try checkpointIfDue()
    }

    private func replay(_ entry: JournalEntry) throws {
        switch entry {
        case .lines(_, let firstLine, let lines):
            lines.withUnsafeBytes { _ = engine.ingest(lines: $0, firstLine: firstLine, parser: &parser, onReject: { _ in }) }
        case .range(let input, let firstLine, let start, let end, _):
            let fd = open(input, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw StateStoreError(path: store.path, problem:
                    "cannot replay its journal: events file \"\(input)\" cannot be opened (\(String(cString: strerror(errno)))); it was left as it is")
            }
            defer { close(fd) }
            var bytes = [UInt8](repeating: 0, count: Int(end - start))
            var done = 0
            while done < bytes.count {
                let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start) + off_t(done)) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw StateStoreError(path: store.path, problem:
                        "cannot replay its journal: events file \"\(input)\" is shorter than when it was read; it was left as it is")
                }
                done += count
            }
            bytes.withUnsafeBytes { _ = engine.ingest(lines: $0, firstLine: firstLine, parser: &parser, onReject: { _ in }) }
        case .reload:
            break  // the engine runs the current rules; a checkpoint normally follows a reload at once
        }
    }

    /// The absolute path with symbolic links resolved (the key of the inputs table).
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// FNV-1a of the first min(4 KiB, consumed) bytes of the file.
    static func fingerprint(_ fd: Int32, consumed: Int64, name: String) throws -> String {
        let count = Int(min(Int64(fingerprintBytes), max(0, consumed)))
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(done)) }
            if read < 0 && errno == EINTR { continue }
            if read <= 0 { break }
            done += read
        }
        var hash = FNV1a()
        hash.add(bytes[..<done])
        return "\(done):\(hash.hex)"
    }
}
