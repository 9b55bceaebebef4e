import Foundation
import Testing
@testable import TallyCore

/// `DurableEngine`: a stream processed in pieces, with restarts (clean, or a crash that leaves
/// only the journal) between them, gives the same report as one pass.
@Suite struct DurableEngineTests {
    static let source = """
        goal "view" { on = "VIEW", points = 1 }
        goal "form" { on = "FORM", points = 10, count = "guest",
                      where = function(e, guest) guest.data.forms = (guest.data.forms or 0) + 1; count("forms"); return true end }
        outcome "lead" { group = "Leads", when = function(guest) return guest.points >= 12 end, value = 100 }
        experiment "x" {
          variants = { "a", "b" },
          goals = { conversion_rate { on = "FORM" }, revenue { per = "session" }, bounce_rate { page = "/p" } },
        }
        """

    /// 300 seeded events for 23 guests, with a few bad lines.
    static func lines() -> [String] {
        var random = SeededRandom(seed: 5)
        var lines: [String] = []
        for index in 0..<300 {
            let guest = "g\(Int.random(in: 0..<23, using: &random))"
            let ts = Int64(index) * 4 * 60_000
            switch Int.random(in: 0..<10, using: &random) {
            case 0: lines.append(event("EXPOSURE", guest, ts, "\"experiment\":\"x\",\"variant\":\"\(index % 2 == 0 ? "a" : "b")\""))
            case 1, 2, 3, 4: lines.append(event("VIEW", guest, ts, "\"page\":\"/p\""))
            case 5: lines.append(event("FORM", guest, ts))
            case 6: lines.append(event("CONFIRM", guest, ts, "\"revenue\":\(Int.random(in: 10...90, using: &random))"))
            case 7: lines.append("{\"type\":\"VIEW\"}")
            case 8: lines.append("")
            default: lines.append(event("VIEW", guest, ts, "\"page\":\"/q\""))
            }
        }
        return lines
    }

    /// The report of one pass over the lines read from a file, as `tally run` reads them.
    static func onePass() throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tally-onepass-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data((lines().joined(separator: "\n") + "\n").utf8).write(to: file)
        let engine = try engine()
        try engine.ingest(files: [file.path]) { _, _ in }
        return ReportJSON.render(engine.finish())
    }

    static func engine() throws -> Engine {
        Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", source)]))
    }

    @Test(arguments: [false, true])
    func batchesAcrossRestartsGiveTheOnePassReport(cleanRestarts: Bool) throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let all = Self.lines()
        let cuts = [0, 37, 120, 121, 250, all.count]
        for (start, end) in zip(cuts, cuts.dropFirst()) {
            let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
            durable.checkpointEvents = 50  // some checkpoints fall inside a piece
            let text = Array((all[start..<end].joined(separator: "\n") + "\n").utf8)
            try durable.apply(lines: text, input: "test", firstLine: start + 1) { _ in }
            if cleanRestarts { try durable.checkpoint() }
        }
        let store = try StateStore(path: path)
        let durable = try DurableEngine(engine: try Self.engine(), store: store, rulesHash: "r")
        if !cleanRestarts { #expect(durable.replayedEntries > 0) }
        #expect(ReportJSON.render(durable.engine.finish()) == (try Self.onePass()))
    }

    @Test func aFileReadInTwoRunsContinuesWhereTheFirstStopped() throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let events = scratch.path("events.jsonl")
        let all = Self.lines()
        try Data((all[..<140].joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: events))
        var rejectedLines: [Int] = []
        do {
            let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
            let progress = try durable.ingest(file: events, batchBytes: 700) { rejectedLines.append($0.line) }
            #expect(progress.skippedLines == 0)
            #expect(progress.counts.lines == 140)
            // No checkpoint: the second run replays the journal's byte ranges.
        }
        // The same file with more lines appended.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: events))
        handle.seekToEndOfFile()
        handle.write(Data((all[140...].joined(separator: "\n") + "\n").utf8))
        try handle.close()
        let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
        let progress = try durable.ingest(file: events, batchBytes: 1000) { rejectedLines.append($0.line) }
        #expect(progress.skippedLines == 140)
        #expect(progress.counts.lines == all.count - 140)
        #expect(ReportJSON.render(durable.engine.finish()) == (try Self.onePass()))
        // Every bad line was reported once, with its line number in the file.
        let expected = all.enumerated().filter { $0.element == "{\"type\":\"VIEW\"}" }.map { $0.offset + 1 }
        #expect(rejectedLines == expected)
    }

    /// A byte order mark, CRLF, blank lines and a last line without `\n`, read in batches smaller
    /// than a line, then resumed: the same lines, numbers and positions as one pass.
    @Test func aFileWithBOMAndBlankLinesResumesAtTheSameLine() throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let events = scratch.path("events.jsonl")
        let all = Self.lines()
        let cut = (30..<all.count).first { !all[$0].isEmpty }!  // the partial last line of the first run
        let first = all[..<cut].enumerated().map { $0.offset % 7 == 3 ? $0.element + "\r\n \n" : $0.element + "\n" }
            .joined()
        try Data(([0xEF, 0xBB, 0xBF] + Array(first.utf8) + Array(all[cut].utf8))).write(to: URL(fileURLWithPath: events))
        let firstLines = first.filter { $0 == "\n" || $0 == "\r\n" }.count + 1
        var rejectedLines: [Int] = []
        do {
            let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
            let progress = try durable.ingest(file: events, batchBytes: 13) { rejectedLines.append($0.line) }
            #expect(progress.counts.lines == firstLines)
            #expect(progress.counts.accepted + progress.counts.rejected == all[...cut].filter { !$0.isEmpty }.count)
        }
        // The last line was a partial one: more of the file follows it now.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: events))
        handle.seekToEndOfFile()
        handle.write(Data(("\n" + all[(cut + 1)...].joined(separator: "\n") + "\n").utf8))
        try handle.close()
        let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
        #expect(durable.replayedEntries > 0)
        let progress = try durable.ingest(file: events, batchBytes: 4096) { rejectedLines.append($0.line) }
        #expect(progress.skippedLines == firstLines)
        #expect(ReportJSON.render(durable.engine.finish()) == (try Self.onePass()))
        // The `\n` ending the partial line came in the second run: an empty line follows it there.
        var expected: [Int] = []
        var number = 0
        for (index, line) in all.enumerated() {
            number += 1
            if line == "{\"type\":\"VIEW\"}" { expected.append(number) }
            if index < cut && index % 7 == 3 { number += 1 }
            if index == cut { number += 1 }
        }
        #expect(rejectedLines == expected)
    }

    @Test func aDifferentFileUnderTheSamePathIsRefused() throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let events = scratch.path("events.jsonl")
        try Data((Self.lines()[..<20].joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: events))
        do {
            let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
            _ = try durable.ingest(file: events) { _ in }
            try durable.checkpoint()
        }
        try Data((Self.lines()[20..<60].joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: events))
        let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r")
        #expect(throws: StateStoreError.self) { _ = try durable.ingest(file: events) { _ in } }
    }

    @Test func changedRulesAreNotedAndAnUnreadableSnapshotIsRefused() throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        do {
            let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r1")
            try durable.apply(lines: Array(Self.lines()[0].utf8), input: "t", firstLine: 1) { _ in }
            try durable.checkpoint()
        }
        do {
            let durable = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r2")
            #expect(durable.notes.contains { $0.hasPrefix("the rules changed since the state was saved (r1 → r2)") })
        }
        do {
            let store = try StateStore(path: path)
            try store.checkpoint(snapshot: Array("not json".utf8), encoding: "json", rulesHash: "r2")
        }
        #expect(throws: StateStoreError.self) {
            _ = try DurableEngine(engine: try Self.engine(), store: try StateStore(path: path), rulesHash: "r2")
        }
    }

    @Test func aSnapshotOfAnEarlierVersionOpensAndIsWrittenAnewAtTheNextCheckpoint() throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let text = Array((Self.lines().joined(separator: "\n") + "\n").utf8)
        do {
            // What an earlier Tally wrote: the same snapshot as a binary property list.
            let engine = try Self.engine()
            var parser = EventParser()
            text.withUnsafeBytes { _ = engine.ingest(lines: $0, firstLine: 1, parser: &parser) { _ in } }
            let encoder = PropertyListEncoder()
            encoder.outputFormat = .binary
            let store = try StateStore(path: path)
            try store.checkpoint(snapshot: Array(try encoder.encode(engine.snapshot())), encoding: "bplist", rulesHash: "r")
        }
        let store = try StateStore(path: path)
        let durable = try DurableEngine(engine: try Self.engine(), store: store, rulesHash: "r")
        try durable.checkpointUnlessCurrent()  // not current: its form is an old one
        #expect(try store.loadSnapshot()?.encoding == "tcb1")
        #expect(ReportJSON.render(durable.engine.finish()) == (try Self.onePass()))
    }

    @Test func runSkipsACheckpointOnlyWhenTheStateIsCurrent() throws {
        let scratch = try StateStoreTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("state.db")
        let store = try StateStore(path: path)
        let durable = try DurableEngine(engine: try Self.engine(), store: store, rulesHash: "r", clock: { 1 })
        try durable.checkpointUnlessCurrent()  // a new file: written
        let first = try #require(try store.loadSnapshot())
        try durable.apply(lines: Array(Self.lines()[0].utf8), input: "t", firstLine: 1) { _ in }
        try durable.checkpointUnlessCurrent()  // a batch since: written
        let second = try #require(try store.loadSnapshot())
        #expect(second.journalSequence > first.journalSequence)
        #expect(second.data != first.data)
        try store.checkpoint(snapshot: Array("stale".utf8), encoding: "json", rulesHash: "r")
        try durable.checkpointUnlessCurrent()  // nothing since its own checkpoint: skipped
        #expect(try store.loadSnapshot()?.data == Array("stale".utf8))

        // Reopened with the same rules and nothing to replay, the file is current.
        try store.checkpoint(snapshot: second.data, encoding: "tcb1", rulesHash: "r")
        let reopened = try DurableEngine(engine: try Self.engine(), store: store, rulesHash: "r")
        try store.checkpoint(snapshot: Array("marker".utf8), encoding: "json", rulesHash: "r")
        try reopened.checkpointUnlessCurrent()
        #expect(try store.loadSnapshot()?.data == Array("marker".utf8))
        // With other rules it is not.
        try store.checkpoint(snapshot: second.data, encoding: "tcb1", rulesHash: "r")
        let otherRules = try DurableEngine(engine: try Self.engine(), store: store, rulesHash: "r2")
        try otherRules.checkpointUnlessCurrent()
        #expect(try store.loadSnapshot()?.rulesHash == "r2")
    }

    /// A snapshot in the compact binary form (and in JSON, as earlier versions wrote it).
    @Test func anEngineSnapshotRestoresToTheSameReport() throws {
        let rules = try RuleLoader().load(sources: [("r.lua", DurableEngineTests.source)])
        let engine = Engine(rules: rules)
        var parser = EventParser()
        for (offset, line) in DurableEngineTests.lines().enumerated() {
            var text = line
            if case .success(let event) = text.withUTF8({ parser.parse(UnsafeRawBufferPointer($0), line: offset + 1) }) {
                engine.ingest(event)
            }
        }
        let snapshot = engine.snapshot()
        let bytes = try DurableEngine.encode(snapshot)
        let restored = Engine(rules: try RuleLoader().load(sources: [("r.lua", DurableEngineTests.source)]))
        #expect(restored.restore(try DurableEngine.decode(bytes, encoding: DurableEngine.snapshotEncoding)) == [])
        #expect(restored.finish() == engine.finish())
        // The same snapshot as JSON, as earlier versions could write it, restores the same.
        let fromJSON = Engine(rules: try RuleLoader().load(sources: [("r.lua", DurableEngineTests.source)]))
        let json = try JSONEncoder().encode(snapshot)
        #expect(fromJSON.restore(try DurableEngine.decode(Array(json), encoding: "json")) == [])
        #expect(fromJSON.finish() == restored.finish())
    }
}
