import XCTest
@testable import TallyCore

final class EngineSessionTests: XCTestCase {
    let timeout: Int64 = 30 * 60_000

    func testSessionBoundaryAtExactlyTheTimeoutAndOneMillisecondPast() throws {
        let harness = EngineHarness(rules: "")
        let report = try harness.report([
            event("VIEW", "a", 0),
            event("VIEW", "a", timeout),            // exactly the timeout: same session
            event("VIEW", "a", 2 * timeout + 1),    // one millisecond past: new session
            event("VIEW", "b", 0),
        ])
        XCTAssertEqual(report.sessions.count, 3)
    }

    func testSettingsAndOverrideChangeTheTimeout() throws {
        let rules = "settings { session_timeout = \"20m\" }"
        let lines = [event("VIEW", "a", 0), event("VIEW", "a", 25 * 60_000)]
        XCTAssertEqual(try EngineHarness(rules: rules).report(lines).sessions.count, 2)
        XCTAssertEqual(try EngineHarness(rules: rules, sessionTimeout: 60 * 60_000).report(lines).sessions.count, 1)
    }

    func testExplicitSessionIDsReplaceInactivity() throws {
        let report = try EngineHarness(rules: "").report([
            event("VIEW", "a", 0, "\"session\":\"s1\""),
            event("VIEW", "a", 1, "\"session\":\"s2\""),          // differs: new session
            event("VIEW", "a", 2 * timeout, "\"session\":\"s2\""), // same id: continues despite the gap
            event("VIEW", "a", 2 * timeout + 5),                   // no id, within timeout: continues
        ])
        XCTAssertEqual(report.sessions.count, 2)
    }

    func testOutOfOrderEventsAreClampedAndJoinTheCurrentSession() throws {
        let harness = EngineHarness(rules: """
            goal "v" { on = "VIEW", points = function(e, guest) return guest.session.events end }
            """)
        let report = try harness.report([
            event("VIEW", "a", 10 * timeout),
            event("VIEW", "a", 0),   // earlier than the previous: clamped, same session
        ])
        XCTAssertEqual(report.events.outOfOrder, 1)
        XCTAssertEqual(report.sessions.count, 1)
        XCTAssertEqual(report.goals[0].points, 3)
    }

    func testRejectedLinesChangeNothing() throws {
        let harness = EngineHarness(rules: """
            goal "v" { on = "VIEW", points = 1 }
            experiment "x" { variants = { "a", "b" }, goals = { conversion_rate { on = "VIEW" } } }
            """)
        let (engine, rejections) = try harness.engine([
            event("VIEW", "a", 0),
            "not json",
            "{\"type\":\"VIEW\",\"ts\":1700000000005}",
            event("EXPOSURE", "new", 1, "\"experiment\":\"nope\",\"variant\":\"a\""),
            event("EXPOSURE", "new", 1, "\"experiment\":\"x\",\"variant\":\"c\""),
        ])
        let report = engine.finish()
        XCTAssertEqual(rejections.map(\.line), [2, 3, 4, 5])
        XCTAssertEqual(rejections[2].reason, "EXPOSURE to unknown experiment \"nope\"")
        XCTAssertEqual(rejections[3].reason, "EXPOSURE to unknown variant \"c\" of experiment \"x\"")
        XCTAssertEqual(report.events.accepted, 1)
        XCTAssertEqual(report.events.rejected, 4)
        XCTAssertEqual(report.guests.count, 1)
        XCTAssertEqual(report.sessions.count, 1)
        XCTAssertEqual(report.experiments[0].exposed.map(\.guests), [0, 0])
    }

    /// User text in the unknown-EXPOSURE rejections is quoted and escaped, so the reason stays
    /// one line.
    func testUnknownExposureQuotesUserText() throws {
        let harness = EngineHarness(rules: """
            experiment "x" { variants = { "a", "b" }, goals = { conversion_rate { on = "VIEW" } } }
            """)
        let cases: [(extra: String, reason: String)] = [
            (#""experiment":"say \"hi\"","variant":"a""#, #"EXPOSURE to unknown experiment "say \"hi\"""#),
            (#""experiment":"two\nlines","variant":"a""#, #"EXPOSURE to unknown experiment "two\nlines""#),
            (#""experiment":"x","variant":"back\\slash\t""#,
             #"EXPOSURE to unknown variant "back\\slash\t" of experiment "x""#),
        ]
        let (_, rejections) = try harness.engine(cases.map { event("EXPOSURE", "g", 0, $0.extra) })
        XCTAssertEqual(rejections.map(\.reason), cases.map(\.reason))
        XCTAssertTrue(rejections.allSatisfy { !$0.reason.contains("\n") })
    }
}
