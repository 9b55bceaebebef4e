import Foundation
import Testing

@testable import TallyCore

/// Late events in the long-running modes: a session stays open for `allowed_lateness` past the
/// timeout, so an event that late joins its session as in `run`; a later one starts a new
/// session and is counted in `events.late`.
@Suite struct AllowedLatenessTests {
    static let minute: Int64 = 60_000

    /// Ingests `lines` one by one; `longRunning` closes idle sessions after each event as
    /// `serve` and `watch` do. Returns the finished report.
    static func report(_ lines: [String], rules: String = #"goal "v" { on = "VIEW", points = 1 }"#,
                       longRunning: Bool, allowedLateness: Int64? = nil) throws -> Report {
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", rules)]),
                            allowedLateness: allowedLateness)
        var parser = EventParser()
        for (offset, line) in lines.enumerated() {
            var text = line
            let event = try text.withUTF8 { parser.parse(UnsafeRawBufferPointer($0), line: offset + 1) }.get()
            #expect(engine.ingest(event) == nil)
            if longRunning { engine.advance() }
        }
        return engine.finish()
    }

    /// A stream (30-minute timeout) where guest "a" has a 20-minute gap inside one session, and
    /// its event after the gap arrives only after guest "b" has moved the stream's time to
    /// `delay` minutes past a's session timeout.
    static func stream(delay: Int64) -> [String] {
        [
            event("VIEW", "a", 0),
            event("VIEW", "b", (30 + delay) * minute),  // the stream's time jumps ahead
            event("VIEW", "a", 20 * minute),            // in a's session, had it stayed open
        ]
    }

    /// (minutes the stream's time is past a's session timeout when a's event arrives, allowed
    /// lateness, sessions in the long-running mode, late events).
    static let cases: [(Int64, Int64?, Int, Int)] = [
        (0, nil, 2, 0),          // not late at all
        (4, nil, 2, 0),          // within the default 5 minutes
        (5, nil, 2, 0),          // exactly the default: still open
        (6, nil, 3, 1),          // beyond it: a new session, counted late
        (6, 10 * minute, 2, 0),  // a longer lateness keeps it
        (1, 0, 3, 1),            // lateness 0: the session closes at the timeout
    ]

    @Test(arguments: cases)
    func lateEventJoinsItsSessionWithinTheLateness(delay: Int64, lateness: Int64?, sessions: Int, late: Int) throws {
        let lines = Self.stream(delay: delay)
        let run = try Self.report(lines, longRunning: false, allowedLateness: lateness)
        let longRunning = try Self.report(lines, longRunning: true, allowedLateness: lateness)
        #expect(run.sessions.count == 2)
        #expect(run.events.late == 0)
        #expect(longRunning.sessions.count == sessions)
        #expect(longRunning.events.late == late)
        #expect(longRunning.sessions.count == run.sessions.count + longRunning.events.late)
    }

    @Test func settingsAndOverride() throws {
        let rules = try RuleLoader().load(sources: [("rules/main.lua", #"settings { allowed_lateness = "90s" }"#)])
        #expect(rules.settings.allowedLateness == 90_000)
        #expect(Engine(rules: rules).allowedLateness == 90_000)
        #expect(Engine(rules: rules, allowedLateness: 0).allowedLateness == 0)
        let defaults = try RuleLoader().load(sources: [("rules/main.lua", "")])
        #expect(defaults.settings.allowedLateness == 5 * Self.minute)
    }

    @Test(arguments: ["soon", "-5m", "1e30s"])
    func badLatenessIsARuleError(_ text: String) {
        #expect(throws: RuleError.self) {
            try RuleLoader().load(sources: [("rules/main.lua", "settings { allowed_lateness = \"\(text)\" }")])
        }
    }

    /// A seeded stream of many guests in which 5% of events arrive up to 4 minutes after later
    /// events of other guests: with the default lateness the long-running mode counts the
    /// sessions of `run`; with none it counts more, one per late event.
    @Test func aStreamWithLateEventsCountsTheSessionsOfRun() throws {
        var random = SeededRandom(seed: 18)
        var timed: [(arrival: Int64, ts: Int64, line: String)] = []
        for guest in 0..<200 {
            var ts = Int64(random.next() % 600) * Self.minute
            for _ in 0..<(5 + Int(random.next() % 20)) {
                ts += Int64(random.next() % 50) * Self.minute + Int64(random.next() % 60_000)
                let delay = random.next() % 20 == 0 ? Int64(random.next() % 240_000) : 0
                timed.append((ts + delay, ts, event("VIEW", "g\(guest)", ts)))
            }
        }
        let lines = timed.sorted { ($0.arrival, $0.ts) < ($1.arrival, $1.ts) }.map(\.line)
        let run = try Self.report(lines, longRunning: false)
        let served = try Self.report(lines, longRunning: true)
        let strict = try Self.report(lines, longRunning: true, allowedLateness: 0)
        #expect(served.sessions.count == run.sessions.count)
        #expect(served.events.late == 0)
        #expect(strict.events.late > 0)
        #expect(strict.sessions.count == run.sessions.count + strict.events.late)
    }
}

/// States saved before `late` existed read as having no late events.
@Suite struct EventCountsDecodingTests {
    @Test func countsWithoutLateReadAsZero() throws {
        let old = try JSONDecoder().decode(
            Report.EventCounts.self, from: Data(#"{"accepted":5,"rejected":2,"outOfOrder":1}"#.utf8))
        #expect(old.accepted == 5 && old.rejected == 2 && old.outOfOrder == 1 && old.late == 0)
        var counts = Report.EventCounts()
        counts.late = 3
        let again = try JSONDecoder().decode(Report.EventCounts.self, from: JSONEncoder().encode(counts))
        #expect(again == counts)
    }
}
