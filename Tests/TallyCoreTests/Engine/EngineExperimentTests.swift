import XCTest
@testable import TallyCore

final class EngineExperimentTests: XCTestCase {
    let minute: Int64 = 60_000

    private func exposure(_ guest: String, _ ts: Int64, _ variant: String, experiment: String = "x") -> String {
        event("EXPOSURE", guest, ts, "\"experiment\":\"\(experiment)\",\"variant\":\"\(variant)\"")
    }

    private func goal(_ report: Report, _ id: String) -> Report.ExperimentGoalSummary {
        report.experiments[0].goals.first { $0.id == id }!
    }

    func testAttributionOnlyAfterExposureAndMultipleExposures() throws {
        let harness = EngineHarness(rules: """
            experiment "x" {
              variants = { "a", "b" },
              goals = {
                conversion_rate { id = "orders", on = "CONFIRM" },
                revenue { per = "guest" },
                revenue { id = "aov", per = "order" },
              },
            }
            """)
        let report = try harness.report([
            event("CONFIRM", "g1", 0, "\"revenue\":999"),   // before exposure: ignored
            exposure("g1", 1, "a"),
            event("CONFIRM", "g1", 2, "\"revenue\":10"),
            event("CONFIRM", "g1", 3, "\"revenue\":20"),
            exposure("g1", 4, "b"),                          // another variant: multiple exposure
            exposure("g1", 5, "a"),                          // same variant again: nothing
            exposure("g2", 0, "b"),                          // exposed, nothing after: counts as 0
            exposure("g3", 0, "b"),
            event("CONFIRM", "g3", 1, "\"revenue\":5"),
        ])
        let experiment = report.experiments[0]
        XCTAssertEqual(experiment.exposed.map(\.variant), ["a", "b"])
        XCTAssertEqual(experiment.exposed.map(\.guests), [1, 2])
        XCTAssertEqual(experiment.multipleExposures, 1)
        let orders = goal(report, "orders")
        XCTAssertEqual(orders.variants.map(\.units), [1, 2])
        XCTAssertEqual(orders.variants.map(\.total), [1, 1])
        XCTAssertEqual(orders.variants.map(\.mean), [1, 0.5])
        XCTAssertEqual(orders.variants[0].uplift, nil, "the control row has no comparison")
        XCTAssertNil(orders.variants[1].pValue, "n < 2 in the control arm is degenerate")
        XCTAssertEqual(goal(report, "revenue").variants.map(\.total), [30, 5])
        XCTAssertEqual(goal(report, "revenue").per, "guest")
        let aov = goal(report, "aov")
        XCTAssertEqual(aov.variants.map(\.units), [2, 1])
        XCTAssertEqual(aov.variants.map(\.guests), [1, 1], "guests with no orders are left out of ratios")
        XCTAssertEqual(aov.variants.map(\.mean), [15, 5])
    }

    func testSessionUnitsBounceAndExit() throws {
        let harness = EngineHarness(rules: """
            experiment "x" {
              variants = { "a", "b" },
              goals = {
                bounce_rate { page = "/checkout" },
                exit_rate { page = "/checkout" },
                conversion_rate { id = "conv_session", on = "CONFIRM", per = "session" },
                page_view { page = "/thanks" },
              },
            }
            """)
        let lines = [
            // g1, session 1: exposure, then a single checkout view: bounced, exited.
            exposure("g1", 0, "a"),
            event("VIEW", "g1", 1, "\"page\":\"/checkout\""),
            // g1, session 2: checkout, then thanks: not bounced, not exited; converted; thanks seen.
            event("VIEW", "g1", 60 * minute, "\"page\":\"/checkout\""),
            event("CONFIRM", "g1", 60 * minute + 1),
            event("VIEW", "g1", 60 * minute + 2, "\"page\":\"/thanks\""),
            // g2: a view before the exposure is ignored, even for eligibility.
            event("VIEW", "g2", 0, "\"page\":\"/checkout\""),
            exposure("g2", 1, "a"),
            event("VIEW", "g2", 2, "\"page\":\"/home\""),
            event("VIEW", "g2", 3, "\"page\":\"/checkout\""),
        ]
        let report = try harness.report(lines)
        let bounce = goal(report, "bounce_rate")
        XCTAssertEqual(bounce.per, "session")
        XCTAssertEqual(bounce.direction, "decrease")
        XCTAssertEqual(bounce.variants[0].units, 2, "g2's unit's first VIEW after the exposure is /home: not eligible")
        XCTAssertEqual(bounce.variants[0].total, 1)
        let exit = goal(report, "exit_rate")
        XCTAssertEqual(exit.variants[0].units, 3)
        XCTAssertEqual(exit.variants[0].total, 2)
        let conversion = goal(report, "conv_session")
        XCTAssertEqual(conversion.variants[0].units, 3)
        XCTAssertEqual(conversion.variants[0].total, 1)
        XCTAssertEqual(conversion.variants[0].guests, 2)
        let views = goal(report, "page_view")
        XCTAssertEqual(views.variants[0].units, 3)
        XCTAssertEqual(views.variants[0].total, 1)
    }

    func testGoalRateEngagementValueAndCustom() throws {
        let harness = EngineHarness(rules: """
            goal "signup" { on = "FORM", points = 10 }
            experiment "x" {
              variants = { "a", "b" },
              goals = {
                goal_rate { goal = "signup" },
                engagement_value { },
                custom { id = "seats", on = "CONFIRM", value = function(e) return e.seats end },
              },
            }
            """)
        let report = try harness.report([
            event("FORM", "g1", 0),               // before exposure: not counted
            exposure("g1", 1, "a"),
            event("CONFIRM", "g1", 2, "\"seats\":3"),
            event("FORM", "g2", 0),
            exposure("g2", 1, "b"),
            event("FORM", "g2", 2),
            event("CONFIRM", "g2", 3, "\"seats\":4"),
            event("CONFIRM", "g2", 4, "\"seats\":1"),
        ])
        XCTAssertEqual(goal(report, "goal_rate").variants.map(\.total), [0, 1])
        XCTAssertEqual(goal(report, "engagement_value").variants.map(\.total), [0, 10])
        XCTAssertEqual(goal(report, "seats").variants.map(\.total), [3, 5])
    }

    func testHashAssignmentMatchesGrowthBookHashing() throws {
        let harness = EngineHarness(rules: """
            experiment "pricing" {
              variants = { "control", { id = "v1", weight = 2 }, "v2" },
              assign = "hash", traffic = 0.8, eligible = { page = "/pricing" },
              goals = { conversion_rate { on = "CONFIRM" } },
            }
            """)
        let guests = (0..<300).map { "guest-\($0)" }
        var lines: [String] = []
        for (index, guest) in guests.enumerated() {
            lines.append(event("VIEW", guest, Int64(index), "\"page\":\"/home\""))
            lines.append(event("VIEW", guest, Int64(index) + 1, "\"page\":\"/pricing\""))
        }
        let report = try harness.report(lines)
        let assignment = HashAssignment(seed: "pricing", weights: [1, 2, 1], coverage: 0.8)
        var expected = [0, 0, 0]
        for guest in guests {
            if let variant = assignment.variantIndex(forGuest: guest) { expected[variant] += 1 }
        }
        XCTAssertEqual(report.experiments[0].exposed.map(\.guests), expected)
        XCTAssertLessThan(expected.reduce(0, +), 300, "traffic 0.8 leaves some guests out")
        XCTAssertNotNil(report.experiments[0].srmPValue)
    }

    func testStatusWinnerWhenSignificantAndPastRequiredUnits() throws {
        let harness = EngineHarness(rules: """
            experiment "x" {
              variants = { "a", "b" },
              goals = { conversion_rate { on = "CONFIRM" } },
              sample = { base_rate = 0.3, mde = 0.5 },
            }
            """)
        var lines: [String] = []
        // 200 guests per arm; a converts 30%, b 60%.
        for index in 0..<400 {
            let variant = index % 2 == 0 ? "a" : "b"
            let guest = "g\(index)"
            lines.append(exposure(guest, Int64(index), variant))
            let converts = variant == "a" ? (index / 2) % 10 < 3 : (index / 2) % 10 < 6
            if converts { lines.append(event("CONFIRM", guest, Int64(index) + 1)) }
        }
        let report = try harness.report(lines)
        let experiment = report.experiments[0]
        let primary = experiment.goals[0]
        XCTAssertLessThan(primary.requiredUnits, 200)
        XCTAssertEqual(primary.variants.map(\.mean), [0.3, 0.6])
        XCTAssertEqual(primary.variants[1].uplift!, 1.0, accuracy: 1e-12)
        XCTAssertEqual(primary.variants[1].significant, true)
        XCTAssertEqual(experiment.status, "winner")
        XCTAssertEqual(experiment.winner, "b")
        XCTAssertEqual(experiment.leading, "b")
        XCTAssertEqual(experiment.action, "promote_winner")
        XCTAssertEqual(experiment.srm, false)
    }

    func testStatusCollectingBelowRequiredUnits() throws {
        let harness = EngineHarness(rules: """
            experiment "x" { variants = { "a", "b" }, goals = { conversion_rate { on = "CONFIRM" } } }
            """)
        let report = try harness.report([exposure("g1", 0, "a"), exposure("g2", 0, "b"), event("CONFIRM", "g2", 1)])
        XCTAssertEqual(report.experiments[0].status, "collecting")
        XCTAssertEqual(report.experiments[0].goals[0].requiredUnits, 21110)
        XCTAssertNil(report.experiments[0].winner)
        XCTAssertNil(report.experiments[0].action)
        XCTAssertEqual(report.experiments[0].leading, "b")
    }
}
