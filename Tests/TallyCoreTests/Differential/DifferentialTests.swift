import Foundation
import XCTest
@testable import TallyCore

/// The fast engine against the plain one (``Engine/isPlain``) on random rules and events: for
/// every seed the whole JSON report must be the same, for one run, for the stream split in two
/// runs with the state saved in between, with a reload in the middle, and in batches with the
/// long-running modes' advance after each.
///
/// CI runs the first 300 seeds; `scripts/fuzz-rules N [FIRST]` runs more (the environment
/// variables `TALLY_FUZZ_SEEDS` and `TALLY_FUZZ_FIRST_SEED`) and prints the first differing
/// seed with a minimised rule file.
final class DifferentialTests: XCTestCase {
    func testTheFastEngineGivesThePlainEnginesReports() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["TALLY_FUZZ_SEEDS"].flatMap(UInt64.init) ?? 300
        let first = environment["TALLY_FUZZ_FIRST_SEED"].flatMap(UInt64.init) ?? 1
        let progress = environment["TALLY_FUZZ_SEEDS"] != nil
        var coverage = Coverage()
        for seed in first..<first + count {
            let fuzzCase = RuleFuzzCase(seed: seed)
            let cut = DifferentialRunner.cut(for: seed, in: fuzzCase)
            if let difference = try DifferentialRunner.firstDifference(in: fuzzCase, cut: cut) {
                let (small, smallCut) = DifferentialRunner.minimise(fuzzCase, cut: cut)
                let smallDifference = (try? DifferentialRunner.firstDifference(in: small, cut: smallCut)) ?? nil
                XCTFail("""
                    seed \(seed): \(difference)

                    minimised (\(small.events.count) events, cut before event \(smallCut + 1)): \
                    \(smallDifference.map { "\($0)" } ?? "")
                    --- rules/fuzz.lua
                    \(small.ruleSource)
                    --- events.jsonl
                    \(small.events.joined(separator: "\n"))
                    """)
                return
            }
            coverage.add(try DifferentialRunner.report(of: fuzzCase, mode: .oneRun, cut: cut, plain: true))
            if progress && (seed - first + 1) % 100 == 0 { print("fuzz-rules: \(seed - first + 1) seeds, no difference") }
        }
        if count >= 50 { coverage.assertBroad() }
    }

    /// The seeds exercise what the engine does, not only its empty paths.
    private struct Coverage {
        var goalsReached = 0
        var outcomesReached = 0
        var exposures = 0
        var ruleErrors = 0
        var counters = 0
        var rejected = 0
        var outOfOrder = 0
        var significantOrDecided = 0

        mutating func add(_ json: String) {
            guard let report = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return }
            goalsReached += (report["goals"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["reached"] as? Int ?? 0) }
            outcomesReached += (report["outcomes"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["reached"] as? Int ?? 0) }
            ruleErrors += (report["rule_errors"] as? [[String: Any]] ?? []).count
            counters += (report["counters"] as? [String: Any] ?? [:]).count
            let events = report["events"] as? [String: Int] ?? [:]
            rejected += events["rejected"] ?? 0
            outOfOrder += events["out_of_order"] ?? 0
            for experiment in report["experiments"] as? [[String: Any]] ?? [] {
                exposures += (experiment["exposed"] as? [String: Int] ?? [:]).values.reduce(0, +)
                if (experiment["status"] as? String) != "collecting" { significantOrDecided += 1 }
            }
        }

        func assertBroad() {
            XCTAssertGreaterThan(goalsReached, 1000)
            XCTAssertGreaterThan(outcomesReached, 100)
            XCTAssertGreaterThan(exposures, 100)
            XCTAssertGreaterThan(ruleErrors, 5)
            XCTAssertGreaterThan(counters, 10)
            XCTAssertGreaterThan(rejected, 10)
            XCTAssertGreaterThan(outOfOrder, 100)
            XCTAssertGreaterThan(significantOrDecided, 0)
        }
    }

    func testTheSameSeedGivesTheSameCase() {
        let first = RuleFuzzCase(seed: 42)
        let second = RuleFuzzCase(seed: 42)
        XCTAssertEqual(first.ruleSource, second.ruleSource)
        XCTAssertEqual(first.events, second.events)
        // Neighbouring seeds are unrelated, not the same sequence shifted by a draw.
        for other in [RuleFuzzCase(seed: 43), RuleFuzzCase(seed: 41)] {
            XCTAssertNotEqual(first.events, other.events)
            XCTAssertFalse(other.events.contains(first.events[0]) && other.events.contains(first.events[1]))
        }
    }

    func testLuaAndJSONLiteralsKeepTheBytes() {
        XCTAssertEqual(FuzzText.lua("caf\u{E9}\"\\"), "\"caf\\195\\169\\\"\\\\\"")
        XCTAssertEqual(FuzzText.json("e\u{301}", escaped: true), "\"e\\u0301\"")
        XCTAssertEqual(FuzzText.json("e\u{301}"), "\"e\u{301}\"")
    }

    /// Plain and fast agree on a small case with known figures (the comparison is not vacuous).
    func testBothEnginesCountASmallCaseRight() throws {
        let fuzzCase = Self.smallCase
        for plain in [true, false] {
            let json = try DifferentialRunner.report(of: fuzzCase, mode: .oneRun, cut: 0, plain: plain)
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let goals = try XCTUnwrap(report["goals"] as? [[String: Any]])
            XCTAssertEqual(goals.map { $0["reached"] as? Int }, [39, 1])
            XCTAssertEqual(goals.map { $0["points"] as? Double }, [39, 2])
        }
        XCTAssertNil(try DifferentialRunner.firstDifference(in: fuzzCase, cut: 20))
    }

    /// Minimising keeps what the difference needs and drops the rest.
    func testMinimisingDropsWhatTheDifferenceDoesNotNeed() {
        let (small, cut) = DifferentialRunner.minimise(Self.smallCase, cut: 20) { candidate, _ in
            candidate.declarations.contains { $0.contains("\"b\"") } && candidate.events.contains { $0.contains("FORM") }
        }
        XCTAssertEqual(small.declarations, [Self.smallCase.declarations[0], Self.smallCase.declarations[2]])
        XCTAssertEqual(small.events.count, 1)
        XCTAssertTrue(small.events[0].contains("FORM"))
        XCTAssertLessThanOrEqual(cut, 1)
    }

    private static let smallCase = RuleFuzzCase(
        declarations: ["settings { session_timeout = \"30m\" }",
                       "goal \"a\" { on = \"VIEW\", points = 1 }",
                       "goal \"b\" { on = \"FORM\", points = 2 }"],
        events: (0..<40).map {
            "{\"type\":\"\($0 == 17 ? "FORM" : "VIEW")\",\"guest\":\"g\($0 % 3)\",\"ts\":\(1_700_000_000_000 + $0 * 1000)}"
        })
}
