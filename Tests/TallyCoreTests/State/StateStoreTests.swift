import Foundation
import Testing
@testable import TallyCore

/// `StateStore`: creating and reopening, refusing what is not a Tally state file (without
/// touching it), locking, the journal and checkpoints.
@Suite struct StateStoreTests {
    /// A scratch directory removed by `remove()`.
    final class Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-state-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    @Test func createsTheSchemaAndReopens() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        do {
            let store = try StateStore(path: path, clock: { 1_000 })
            #expect(store.isNew)
            #expect(try store.meta("created_at") == "1000")
            #expect(try store.loadSnapshot() == nil)
            #expect(store.lastSequence == 0)
        }
        // The header carries Tally's application id and the schema version (big-endian).
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(100))
        #expect(Array(header[68..<72]) == [0x54, 0x4C, 0x4C, 0x59])
        #expect(Array(header[60..<64]) == [0, 0, 0, 1])
        let reopened = try StateStore(path: path)
        #expect(!reopened.isNew)
        #expect(try reopened.meta("created_at") == "1000")
    }

    /// A kill while the schema was being created (before the switch to WAL) leaves a hot
    /// journal beside a half-written file whose header may be all zeros: the next open rolls it
    /// back and creates the schema, instead of refusing the file as foreign.
    @Test func recoversAFileWhoseCreationWasInterrupted() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let live = scratch.path("live.db")
        let crashed = scratch.path("crashed.db")
        let connection = try SQLiteConnection(path: live, create: true)
        try connection.execute("PRAGMA cache_size = 1; BEGIN; PRAGMA application_id = \(StateStore.applicationID)")
        for table in 0..<40 {
            try connection.execute("CREATE TABLE t\(table) (x TEXT); INSERT INTO t\(table) VALUES ('\(String(repeating: "y", count: 3000))')")
        }
        // The files as a SIGKILL would leave them now: pages spilled, journal hot, no commit.
        try FileManager.default.copyItem(atPath: live, toPath: crashed)
        try FileManager.default.copyItem(atPath: live + "-journal", toPath: crashed + "-journal")
        connection.close()
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: crashed)).prefix(16))
        #expect(header == [UInt8](repeating: 0, count: 16), "page 1 not yet written: the header is zeros")

        let store = try StateStore(path: crashed, clock: { 5 })
        #expect(store.isNew)
        #expect(try store.meta("created_at") == "5")
    }

    @Test func refusesRandomBytesWithoutChangingThem() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("random.db")
        var generator = SeededRandom(seed: 7)
        let bytes = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: StateStoreError.self) { try StateStore(path: path) }
        do {
            _ = try StateStore(path: path)
        } catch {
            #expect(error.description == "state file \"\(path)\": not a Tally state file (not an SQLite database); it was left as it is")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func refusesACorruptTallyFileWithoutChangingIt() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        do {
            let store = try StateStore(path: path)
            try store.append(.lines(input: "x", firstLine: 1, lines: Array("{}".utf8)))
        }
        // Keep the header, scramble every page after it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var generator = SeededRandom(seed: 11)
        for index in 100..<bytes.count { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        try bytes.write(to: URL(fileURLWithPath: path))
        try? FileManager.default.removeItem(atPath: path + "-wal")
        #expect(throws: StateStoreError.self) { try StateStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func refusesAForeignSQLiteFileAndANewerSchema() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let foreign = scratch.path("foreign.db")
        do {
            let connection = try SQLiteConnection(path: foreign, create: true)
            try connection.execute("PRAGMA application_id = 1234; CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: foreign))
        do {
            _ = try StateStore(path: foreign)
            Issue.record("a foreign file opened")
        } catch {
            #expect(error.problem == "not a Tally state file (an SQLite database with application id 0x000004D2); it was left as it is")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == before)

        let plain = scratch.path("plain.db")
        do {
            let connection = try SQLiteConnection(path: plain, create: true)
            try connection.execute("CREATE TABLE t (a)")
        }
        #expect(throws: StateStoreError.self) { try StateStore(path: plain) }

        let newer = scratch.path("newer.db")
        do { _ = try StateStore(path: newer) }
        do {
            let connection = try SQLiteConnection(path: newer, create: true)
            try connection.execute("PRAGMA user_version = 99")
        }
        do {
            _ = try StateStore(path: newer)
            Issue.record("a newer schema opened")
        } catch {
            #expect(error.problem.hasPrefix("written by a newer Tally (schema 99; this one knows up to 1)"))
        }
    }

    @Test func aSecondOpenIsRefusedWhileTheFirstHoldsTheLock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let first = try StateStore(path: path)
        do {
            _ = try StateStore(path: path)
            Issue.record("opened twice")
        } catch {
            #expect(error.problem == "in use by another Tally process")
        }
        _ = first.path
    }

    @Test func journalEntriesSurviveAndACheckpointTruncatesThem() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let position = InputPosition(path: "/events.jsonl", device: 1, inode: 2, sizeSeen: 300, byteOffset: 120,
                                     line: 4, fingerprint: "120:abc")
        do {
            let store = try StateStore(path: path)
            #expect(try store.append(.lines(input: "http", firstLine: 1, lines: Array("a\nb".utf8)), advanced: true) == 1)
            #expect(try store.append(.range(input: "/events.jsonl", firstLine: 1, startOffset: 0, endOffset: 120, endLine: 4),
                                     position: position) == 2)
            #expect(try store.append(.reload(rulesHash: "r2")) == 3)
        }
        do {
            let store = try StateStore(path: path)
            var seen: [(Int64, JournalEntry, Bool)] = []
            try store.forEachJournalEntry(after: 0) { seen.append(($0, $1, $2)) }
            #expect(seen.map(\.0) == [1, 2, 3])
            #expect(seen.map(\.1) == [
                .lines(input: "http", firstLine: 1, lines: Array("a\nb".utf8)),
                .range(input: "/events.jsonl", firstLine: 1, startOffset: 0, endOffset: 120, endLine: 4),
                .reload(rulesHash: "r2"),
            ])
            #expect(seen.map(\.2) == [true, false, false])
            #expect(try store.position(ofInput: "/events.jsonl") == position)
            #expect(try store.position(ofInput: "/other") == nil)

            try store.checkpoint(snapshot: [1, 2, 3], encoding: "json", rulesHash: "r2")
            #expect(try store.journalCount() == 0)
            #expect(try store.loadSnapshot()?.journalSequence == 3)
            #expect(try store.meta("rules_hash") == "r2")
            // Sequences keep growing after a truncation, so "after the snapshot" stays right.
            #expect(try store.append(.lines(input: "http", firstLine: 1, lines: [])) == 4)
        }
        let store = try StateStore(path: path)
        #expect(store.lastSequence == 4)
        #expect(try store.loadSnapshot()?.data == [1, 2, 3])
        var after: [Int64] = []
        try store.forEachJournalEntry(after: 3) { sequence, _, _ in after.append(sequence) }
        #expect(after == [4])
    }
}

