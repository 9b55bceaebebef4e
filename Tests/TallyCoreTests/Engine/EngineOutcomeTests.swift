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
}
