import XCTest
@testable import TallyCore

final class EngineOutcomeTests: XCTestCase {
    func testOutcomesGroupsValuesAndOnce() throws {
        let harness = EngineHarness(rules: """
            settings { currency = "EUR" }
            goal "form" { on = "FORM", points = 30 }
            outcome "mql" {
              name = "Marketing qualified lead", group = "Lead lifecycle",
              when = function(guest, e) return guest.points >= 50 end,
              value = 250,
            }
            outcome "purchase" {
              group = "Purchased", on = "CONFIRM", once = false, currency = "USD",
              value = function(e) return e.revenue end,
            }
            outcome "first_purchase" { group = "Purchased", on = "CONFIRM", value = 1 }
            """)
        let report = try harness.report([
            event("FORM", "a", 0),
            event("FORM", "a", 1),        // 60 points: mql
            event("FORM", "a", 2),        // already reached: once
            event("CONFIRM", "a", 3, "\"revenue\":100"),
            event("CONFIRM", "a", 4, "\"revenue\":50.5"),
            event("CONFIRM", "b", 5, "\"revenue\":10"),
        ])
        XCTAssertEqual(report.outcomes.map(\.id), ["mql", "purchase", "first_purchase"])
        XCTAssertEqual(report.outcomes.map(\.name), ["Marketing qualified lead", "purchase", "first_purchase"])
        XCTAssertEqual(report.outcomes.map(\.reached), [1, 3, 2])
        XCTAssertEqual(report.outcomes.map(\.guests), [1, 2, 2])
        XCTAssertEqual(report.outcomes.map(\.value), [250, 160.5, 2])
        XCTAssertEqual(report.outcomes.map(\.currency), ["EUR", "USD", "EUR"])
        XCTAssertEqual(report.outcomeGroups.map(\.group), ["Lead lifecycle", "Purchased"])
        XCTAssertEqual(report.outcomeGroups.map(\.guests), [1, 2])
        XCTAssertEqual(report.outcomeGroups.map(\.value), [250, 162.5])
    }

    func testWhenRunsAfterTheEventsGoalsAndSeesOutcomes() throws {
        let harness = EngineHarness(rules: """
            goal "demo" { on = "VIDEO", points = 5 }
            outcome "engaged" { when = function(guest) return guest.goals.demo >= 2 end }
            outcome "loyal" { when = function(guest) return guest.outcomes.engaged and guest.sessions >= 1 end, value = 3 }
            """)
        let report = try harness.report([event("VIDEO", "a", 0), event("VIDEO", "a", 1), event("VIEW", "a", 2)])
        XCTAssertEqual(report.outcomes.map(\.reached), [1, 1])
        XCTAssertEqual(report.outcomes.map(\.value), [0, 3])
    }

    func testWhenSeesPointsGainedEarlierInTheSameEvent() throws {
        // The first goal's `where` reads the guest before any points are added; the outcome's
        // `when` must still see the second goal's points.
        let harness = EngineHarness(rules: """
            goal "look" { on = "FORM", where = function(e, guest) return guest.points == 0 end, points = 0 }
            goal "form" { on = "FORM", points = 40 }
            outcome "qualified" { when = function(guest) return guest.points >= 40 end, value = 1 }
            """)
        let report = try harness.report([event("FORM", "a", 0)])
        XCTAssertEqual(report.goals.map(\.reached), [1, 1])
        XCTAssertEqual(report.outcomes.map(\.reached), [1])
    }
}
