import Foundation
import XCTest
@testable import TallyCore

/// The engine's experiment statistics against an independent reference: GrowthBook's gbstats.
///
/// `scripts/gen-gbstats-fixture` writes a seeded event stream (~1,500 guests, three variants),
/// computes every guest's aggregates itself from SPEC §2/§4 (not from Tally's code), hands them
/// to gbstats 0.8 (`TwoSidedTTest`, `SequentialTwoSidedTTest`, `EffectBayesianABTest` with a flat
/// prior, scipy's `chisquare`) and commits the figures in `expected.json`. These tests run the
/// real engine — rule loading, event parsing, sessions, attribution, statistics — over the same
/// files and compare: counts exactly, floating-point figures to 1e-9 relative (1e-12 absolute
/// near 0).
final class EngineGbstatsAgreementTests: XCTestCase {
    /// `Tests/TallyCoreTests/Fixtures/gbstats`, from this file's path (three levels up is the repo).
    private static let fixtures: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Engine
        .deletingLastPathComponent()  // TallyCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repo root
        .appendingPathComponent("Tests/TallyCoreTests/Fixtures/gbstats")

    private static let relativeTolerance = 1e-9
    private static let absoluteTolerance = 1e-12

    // MARK: Fixture access

    private func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Runs `rulesFile` over `events.jsonl` as `tally run` does; no line may be rejected.
    private func run(_ rulesFile: String) throws -> Report {
        let source = try String(contentsOf: Self.fixtures.appendingPathComponent(rulesFile), encoding: .utf8)
        let rules = try RuleLoader().load(sources: [(rulesFile, source)])
        let engine = Engine(rules: rules)
        var rejections: [String] = []
        try engine.ingest(files: [Self.fixtures.appendingPathComponent("events.jsonl").path]) { input, rejection in
            rejections.append("\(input):\(rejection.line): \(rejection.reason)")
        }
        XCTAssertEqual(rejections, [], "the fixture's lines are all valid")
        return engine.finish()
    }

    // MARK: Comparisons

    private func number(_ any: Any?) -> Double? {
        (any as? NSNumber)?.doubleValue
    }

    private func assertClose(_ actual: Double?, _ expected: Any?, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let expected = number(expected) else {
            XCTFail("\(what): no expected figure", file: file, line: line)
            return
        }
        guard let actual else {
            XCTFail("\(what): engine reports null, gbstats \(expected)", file: file, line: line)
            return
        }
        let tolerance = max(Self.relativeTolerance * abs(expected), Self.absoluteTolerance)
        XCTAssertLessThanOrEqual(abs(actual - expected), tolerance,
                                 "\(what): engine \(actual), gbstats \(expected)", file: file, line: line)
    }

    private func assertCount(_ actual: Int, _ expected: Any?, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual, (expected as? NSNumber)?.intValue, what, file: file, line: line)
    }

    /// One variant row: counts exactly; for a treatment every comparison figure; for the control
    /// every comparison figure null.
    private func assertRow(_ row: Report.VariantSummary, _ want: [String: Any], goal: String) {
        let what = "\(goal)/\(row.id)"
        XCTAssertEqual(row.id, want["id"] as? String, "\(what): variant order")
        XCTAssertEqual(row.control, want["control"] as? Bool, "\(what): control")
        assertCount(row.guests, want["guests"], "\(what): guests")
        assertCount(row.units, want["units"], "\(what): units")
        assertClose(row.total, want["total"], "\(what): total")
        assertClose(row.mean, want["mean"], "\(what): mean")
        if row.control {
            XCTAssertNil(row.uplift, "\(what): the control row has no comparison")
            XCTAssertNil(row.ciLow, "\(what): ci_low")
            XCTAssertNil(row.ciHigh, "\(what): ci_high")
            XCTAssertNil(row.pValue, "\(what): p_value")
            XCTAssertNil(row.confidence, "\(what): confidence")
            XCTAssertNil(row.chanceToWin, "\(what): chance_to_win")
            XCTAssertNil(row.significant, "\(what): significant")
            return
        }
        assertClose(row.uplift, want["uplift"], "\(what): uplift")
        assertClose(row.ciLow, want["ci_low"], "\(what): ci_low")
        assertClose(row.ciHigh, want["ci_high"], "\(what): ci_high")
        assertClose(row.pValue, want["p_value"], "\(what): p_value")
        assertClose(row.confidence, want["confidence"], "\(what): confidence (1 − p)")
        assertClose(row.chanceToWin, want["chance_to_win"], "\(what): chance_to_win")
        XCTAssertEqual(row.significant, want["significant"] as? Bool,
                       "\(what): significant (Holm-adjusted p \(want["holm_p_value"] ?? "?"))")
    }

    private func assertStatus(_ experiment: Report.ExperimentSummary, _ want: [String: Any], _ what: String) {
        XCTAssertEqual(experiment.status, want["status"] as? String, "\(what): status")
        XCTAssertEqual(experiment.winner, want["winner"] as? String, "\(what): winner")
        XCTAssertEqual(experiment.leading, want["leading"] as? String, "\(what): leading")
    }

    // MARK: Tests

    func testFixedMethodAgreesWithGbstats() throws {
        let want = try expected()
        let report = try run("rules.lua")
        assertCount(report.events.accepted, want["events"], "accepted events")
        XCTAssertEqual(report.events.rejected, 0)
        XCTAssertEqual(report.events.outOfOrder, 0, "the fixture is in ts order per guest")

        XCTAssertEqual(report.experiments.count, 1)
        let experiment = try XCTUnwrap(report.experiments.first)
        XCTAssertEqual(experiment.id, want["experiment"] as? String)
        let exposed = try XCTUnwrap(want["exposed"] as? [String: Any])
        XCTAssertEqual(experiment.exposed.map(\.variant), ["control", "one_page", "two_step"])
        for (variant, guests) in experiment.exposed {
            assertCount(guests, exposed[variant], "exposed[\(variant)]")
        }
        assertCount(experiment.multipleExposures, want["multiple_exposures"], "multiple_exposures")
        assertClose(experiment.srmPValue, want["srm_p_value"], "srm_p_value (scipy chisquare)")
        XCTAssertEqual(experiment.srm, false)
        assertStatus(experiment, want, "fixed")

        let goals = try XCTUnwrap(want["goals"] as? [[String: Any]])
        XCTAssertEqual(experiment.goals.map(\.id), goals.map { $0["id"] as? String ?? "" })
        for (goal, wantGoal) in zip(experiment.goals, goals) {
            XCTAssertEqual(goal.metric.rawValue, wantGoal["metric"] as? String, "\(goal.id): metric")
            XCTAssertEqual(goal.per, wantGoal["per"] as? String, "\(goal.id): per")
            XCTAssertEqual(goal.primary, wantGoal["primary"] as? Bool, "\(goal.id): primary")
            XCTAssertEqual(goal.direction, "increase", "\(goal.id): direction")
            assertCount(goal.requiredUnits, wantGoal["required_units"], "\(goal.id): required_units")
            let rows = try XCTUnwrap(wantGoal["variants"] as? [[String: Any]])
            XCTAssertEqual(goal.variants.count, rows.count, "\(goal.id): variants")
            for (row, wantRow) in zip(goal.variants, rows) {
                assertRow(row, wantRow, goal: goal.id)
            }
        }
    }

    func testSequentialMethodAgreesWithGbstats() throws {
        try checkMethod("sequential")
    }

    func testBayesianMethodAgreesWithGbstats() throws {
        try checkMethod("bayesian")
    }

    /// The primary goal under another `method` (same events): gbstats' figures for that method.
    private func checkMethod(_ method: String) throws {
        let methods = try XCTUnwrap(try expected()["methods"] as? [String: Any])
        let want = try XCTUnwrap(methods[method] as? [String: Any])
        let report = try run(try XCTUnwrap(want["rules"] as? String))
        let experiment = try XCTUnwrap(report.experiments.first)
        let primary = try XCTUnwrap(experiment.goals.first)
        XCTAssertEqual(primary.id, want["primary_goal"] as? String)
        let rows = try XCTUnwrap(want["variants"] as? [[String: Any]])
        XCTAssertEqual(primary.variants.count, rows.count)
        for (row, wantRow) in zip(primary.variants, rows) {
            assertRow(row, wantRow, goal: "\(method):\(primary.id)")
        }
        assertStatus(experiment, want, method)
    }
}
