import Testing

@testable import TallyCore

/// Applying events a few behind the parser changes nothing: the same report, rejections in line
/// order, and every event still reads its own fields although later lines are parsed first.
@Suite struct EventPipelineTests {
    static let rules = """
        goal "form" { on = "FORM", where = function(e) count("form " .. e.form); return true end, points = 5 }
        goal "video" { on = "VIDEO", where = { percent = 100 } }
        experiment "checkout" { variants = { "a", "b" }, assign = "events", goals = { conversion_rate { on = "FORM" } } }
        """

    /// Lines with every kind of rejection between valid events, fields that differ per line.
    static let lines: [String] = [
        event("FORM", "g1", 1, #""form":"first""#),
        event("VIDEO", "g2", 2, #""percent":100"#),
        "not json",
        event("FORM", "g2", 3, #""form":"second""#),
        event("EXPOSURE", "g1", 4, #""experiment":"other","variant":"a""#),  // unknown experiment
        event("EXPOSURE", "g2", 5, #""experiment":"checkout","variant":"b""#),
        #"{"type":"FORM","guest":"g3"}"#,  // no ts
        event("FORM", "g2", 6, #""form":"third""#),
        event("FORM", "g1", 7, #""form":"fourth""#),
    ]

    /// The report and rejections of `lines` through a pipeline, in one or several inputs.
    static func throughPipeline(_ inputs: [[String]]) throws -> (Report, [String]) {
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", rules)]))
        let pipeline = EventPipeline(engine: engine)
        var parser = EventParser()
        var rejections: [String] = []
        var number = 0
        for input in inputs {
            for text in input {
                number += 1
                var line = text
                line.withUTF8 { bytes in
                    pipeline.feed(.text(UnsafeRawBufferPointer(bytes), number: number), parser: &parser) {
                        rejections.append("\($0.line): \($0.reason)")
                    }
                }
            }
            pipeline.flush { rejections.append("\($0.line): \($0.reason)") }
        }
        return (engine.finish(), rejections)
    }

    @Test func givesTheSameReportAndRejectionsInLineOrder() throws {
        let (engine, direct) = try EngineHarness(rules: Self.rules).engine(Self.lines)
        let expected = engine.finish()
        let (report, rejections) = try Self.throughPipeline([Self.lines])
        #expect(rejections == direct.map { "\($0.line): \($0.reason)" })
        #expect(rejections.map { $0.prefix(2) } == ["3:", "5:", "7:"])
        #expect(ReportJSON.render(report) == ReportJSON.render(expected))
        // Each FORM event read its own form, though the line after it was parsed first.
        #expect(report.counters.map(\.name) == ["form first", "form fourth", "form second", "form third"])
        #expect(report.goals.map(\.reached) == [4, 1])
        #expect(report.events.accepted == 6 && report.events.rejected == 3)
    }

    @Test func anInputsLastEventIsAppliedWhenItIsFlushed() throws {
        let (whole, _) = try Self.throughPipeline([Self.lines])
        let (split, _) = try Self.throughPipeline([Array(Self.lines[..<4]), Array(Self.lines[4...])])
        #expect(ReportJSON.render(split) == ReportJSON.render(whole))

        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", Self.rules)]))
        let pipeline = EventPipeline(engine: engine)
        var parser = EventParser()
        var line = Self.lines[0]
        line.withUTF8 { pipeline.feed(.text(UnsafeRawBufferPointer($0), number: 1), parser: &parser) { _ in } }
        #expect(engine.report().events.accepted == 0)  // parsed, waiting for later lines
        pipeline.flush { _ in }
        #expect(engine.report().events.accepted == 1)
    }

    @Test func theParserReusesItsTapesWhileEventsWait() throws {
        // With as many events held back as the pipeline holds, the parser takes its tapes in
        // turn instead of making a new one per line, and no held event loses its fields.
        var parser = EventParser()
        let held = EventPipeline.depth
        var events = Array(repeating: Event.placeholder, count: held + 1)
        var tapes: Set<ObjectIdentifier> = []
        for number in 0..<50 {
            var line = event("FORM", "g\(number)", Int64(number), #""form":"f\#(number)""#)
            let slot = number % (held + 1)
            let rejection = line.withUTF8 { parser.parse(UnsafeRawBufferPointer($0), line: number + 1, into: &events[slot]) }
            #expect(rejection == nil)
            tapes.insert(ObjectIdentifier(try #require(events[slot].fields.tapeObject).tape))
            for back in 0...min(number, held) {
                #expect(events[(number - back) % (held + 1)].fields["form"] == .string("f\(number - back)"))
            }
        }
        #expect(tapes.count == EventParser.tapeCount)
    }

    @Test func eventsAreAppliedAsManyLinesBehindAsThePipelineHolds() throws {
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", Self.rules)]))
        let pipeline = EventPipeline(engine: engine)
        var parser = EventParser()
        for number in 1...(EventPipeline.depth + 2) {
            var line = event("FORM", "g\(number)", Int64(number), #""form":"f""#)
            line.withUTF8 { pipeline.feed(.text(UnsafeRawBufferPointer($0), number: number), parser: &parser) { _ in } }
            #expect(engine.report().events.accepted == max(0, number - EventPipeline.depth))
        }
        pipeline.flush { _ in }
        #expect(engine.report().events.accepted == EventPipeline.depth + 2)
    }

    @Test func batchesOfLinesCountAndReportLikeSingleLines() throws {
        // A `POST /events` body: blank lines and a CRLF among the events, split in two batches.
        let body = Self.lines.joined(separator: "\n")
        let split = body.index(body.startIndex, offsetBy: body.utf8.count / 2)
        let cut = body[..<split].lastIndex(of: "\n")!
        let first = String(body[...cut]).replacingOccurrences(of: "\n", with: "\r\n\n  \n")
        let second = String(body[body.index(after: cut)...])
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", Self.rules)]))
        var parser = EventParser()
        var rejections: [String] = []  // reasons: line numbers differ, blank lines were added
        var counts: [Engine.BatchCounts] = []
        var nextLine = 1
        for batch in [first, second] {
            var text = batch
            let batchCounts = text.withUTF8 { bytes in
                engine.ingest(lines: UnsafeRawBufferPointer(bytes), firstLine: nextLine, parser: &parser) {
                    rejections.append($0.reason)
                }
            }
            counts.append(batchCounts)
            nextLine += batchCounts.lines
        }
        let (reference, direct) = try EngineHarness(rules: Self.rules).engine(Self.lines)
        #expect(counts.map(\.accepted).reduce(0, +) == 6)
        #expect(counts.map(\.rejected).reduce(0, +) == 3)
        #expect(counts.allSatisfy { $0.accepted + $0.rejected > 0 })
        #expect(rejections == direct.map(\.reason))
        #expect(ReportJSON.render(engine.finish()) == ReportJSON.render(reference.finish()))
    }
}


/// The guest number the look-ahead finds is handed to the engine with the event; a restored
/// snapshot renumbers guests, and a number found before it is not used.
@Suite struct GuestHintTests {
    static let rules = #"goal "view" { on = "VIEW", points = 1 }"#

    static func view(_ guest: String, _ ts: Int64) -> Event {
        Event(type: "VIEW", guest: guest, timestamp: ts)
    }

    @Test func theNumberFoundAheadIsTheGuests() throws {
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", Self.rules)]))
        for (guest, ts) in [("a", 1), ("b", 2)] { engine.ingest(Self.view(guest, Int64(ts))) }
        var event = Self.view("b", 3)
        let hint = engine.prefetchGuestState(of: &event)
        #expect(hint.number == 1)
        #expect(engine.ingest(inPlace: &event, hint: hint) == nil)
        #expect(engine.guests.map(\.id) == ["a", "b"])
        #expect(engine.guests.map(\.points) == [1, 2])
        var newcomer = Self.view("c", 4)
        #expect(engine.prefetchGuestState(of: &newcomer).number == -1)
        #expect(engine.ingest(inPlace: &newcomer, hint: engine.prefetchGuestState(of: &newcomer)) == nil)
        #expect(engine.guests.map(\.id) == ["a", "b", "c"])
    }

    @Test func aNumberFoundBeforeARestoreIsNotUsed() throws {
        let rules = try RuleLoader().load(sources: [("rules/main.lua", Self.rules)])
        let saved = Engine(rules: rules)
        saved.ingest(Self.view("b", 1))  // in the snapshot, b is guest 0
        let snapshot = saved.snapshot()

        let engine = Engine(rules: rules)
        for (guest, ts) in [("a", 1), ("b", 2)] { engine.ingest(Self.view(guest, Int64(ts))) }
        var event = Self.view("b", 3)
        let hint = engine.prefetchGuestState(of: &event)  // b is guest 1 here
        #expect(hint.number == 1)
        #expect(engine.restore(snapshot) == [])
        #expect(engine.ingest(inPlace: &event, hint: hint) == nil)
        #expect(engine.guests.map(\.id) == ["b"])
        #expect(engine.guests.map(\.points) == [2])
    }
}
