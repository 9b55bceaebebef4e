import XCTest
@testable import TallyCore

final class SpecRunnerTests: XCTestCase {
    static let rules: [(name: String, source: String)] = [("rules/all.lua", """
        goal "signup" { on = "FORM", where = { form = "newsletter" }, points = 10, count = "guest" }
        goal "pricing" { on = "VIEW", page = "/pricing", points = 2, count = "session" }
        goal "fragile" { on = "CRASH", where = function(e) return e.missing.field end }
        outcome "mql" { group = "Leads", when = function(guest) return guest.points >= 12 end, value = 250 }
        outcome "order" { group = "Sales", on = "CONFIRM", value = function(e) count("revenue", e.revenue) return e.revenue end, once = false }
        experiment "checkout" {
          variants = { "control", "one_page" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" }, revenue { id = "aov", per = "order" } },
        }
        """)]

    private func run(_ source: String) throws -> [SpecResult] {
        let runner = try SpecRunner(ruleSources: Self.rules)
        return try SpecLoader().load(source: source, name: "specs/a_spec.lua").map { spec in
            try runner.check(spec)
            return try runner.run(spec)
        }
    }

    func testAPassingSpec() throws {
        let results = try run("""
            spec "a newsletter signup is worth 10 points, once per guest" {
              events = {
                { type = "FORM", guest = "g1", ts = 0, form = "newsletter" },
                { type = "FORM", guest = "g1", ts = 1000, form = "newsletter" },
                { type = "VIEW", guest = "g1", ts = 2000, page = "/pricing" },
                { type = "EXPOSURE", guest = "g2", ts = 0, experiment = "checkout", variant = "one_page" },
                { type = "CONFIRM", guest = "g2", ts = minutes(1), revenue = 49.5 },
                { type = "CONFIRM", guest = "g2", ts = days(2), revenue = 100 },
              },
              expect = {
                accepted = 6, guests = 2, sessions = 3, points = 12,
                goals = { signup = 1, pricing = { reached = 1, guests = 1, points = 2 } },
                points = { g1 = 12 },
                outcomes = { mql = { reached = 1, value = 250 }, order = { reached = 2, guests = 1, value = 149.5 } },
                outcome_groups = { Leads = 250, Sales = { guests = 1, value = 149.5 } },
                counters = { revenue = 149.5, never_counted = 0 },
                rejected = 0, rule_errors = 0,
                experiments = {
                  checkout = {
                    status = "collecting", winner = false, leading = "one_page",
                    exposed = { control = 0, one_page = 1 }, multiple_exposures = 0,
                    units = { orders = { control = 0, one_page = 1 }, aov = { one_page = 2 } },
                    totals = { aov = { one_page = 149.5 } },
                    means = { orders = { control = false, one_page = 1 }, aov = { one_page = 74.75 } },
                  },
                },
                profiles = {
                  g1 = { points = 12, sessions = 1, goals = { signup = 1, pricing = 1 }, outcomes = { mql = true, order = false },
                         experiments = { checkout = false } },
                  g2 = { sessions = 2, experiments = { checkout = "one_page" } },
                },
              },
            }
            """)
        XCTAssertEqual(results.map(\.failures), [[]])
        XCTAssertEqual(results.first?.lines, ["ok   a newsletter signup is worth 10 points, once per guest"])
    }

    func testAWrongExpectationFailsWithAClearMessage() throws {
        let results = try run("""
            -- line 1
            spec "a newsletter signup is worth 10 points, once per guest" {
              events = {
                { type = "FORM", guest = "g1", ts = 0, form = "newsletter" },
                { type = "FORM", guest = "g1", ts = 1000, form = "newsletter" },
              },
              expect = { goals = { signup = 2 }, points = { g1 = 10, g9 = 1 }, experiments = { checkout = { winner = "control" } } },
            }
            """)
        XCTAssertEqual(results.count, 1)
        XCTAssertFalse(results[0].passed)
        XCTAssertEqual(results[0].lines, [
            "FAIL specs/a_spec.lua:2 \"a newsletter signup is worth 10 points, once per guest\" — points.g9: expected 1, "
                + "got no guest \"g9\" in the events",
            "FAIL specs/a_spec.lua:2 \"a newsletter signup is worth 10 points, once per guest\" — goals.signup: expected 2, got 1",
            "FAIL specs/a_spec.lua:2 \"a newsletter signup is worth 10 points, once per guest\" — "
                + "experiments.checkout.winner: expected \"control\", got null",
        ])
    }

    func testRejectedEventsAndRuleErrorsFailUnlessExpected() throws {
        let source = """
            spec "unexpected" {
              events = {
                { type = "CRASH", guest = "g1", ts = 0 },
                { type = "VIEW", guest = "g1" },
                '{"type": "VIEW", "guest": "g1", "ts": 1700000000001',
                { type = "EXPOSURE", guest = "g1", ts = 1, experiment = "checkout", variant = "two_page" },
              },
              expect = { accepted = 1 },
            }
            spec "expected" {
              events = [[
            {"type": "CRASH", "guest": "g1", "ts": 1700000000000}

            {"type": "VIEW", "guest": "g1"}
            ]],
              expect = { rejected = 1, rule_errors = { fragile = 1 } },
            }
            """
        let results = try run(source)
        XCTAssertEqual(results[0].failures.map(\.description), [
            "rejected: expected 0, got 3 (events[2]: missing required field \"ts\"; events[3]: "
                + "not valid JSON: expected ',' or '}', found end of line at column 52; "
                + "events[4]: EXPOSURE to unknown variant \"two_page\" of experiment \"checkout\")",
            "rule_errors: expected 0, got 1 (rule \"fragile\" at rules/all.lua:3: attempt to index a nil value (field 'missing') ×1)",
        ])
        XCTAssertEqual(results[1].failures, [])
    }

    func testEverySpecRunsOnAFreshEngine() throws {
        let event = "{ type = \"FORM\", guest = \"g1\", ts = 0, form = \"newsletter\" }"
        let results = try run("""
            spec "one" { events = { \(event) }, expect = { goals = { signup = 1 }, counters = { revenue = 0 } } }
            spec "two" { events = { \(event) }, expect = { goals = { signup = 1 }, guests = 1 } }
            """)
        XCTAssertEqual(results.map(\.passed), [true, true])
    }

    func testSpecsNamingUnknownIdsDoNotLoad() throws {
        let runner = try SpecRunner(ruleSources: Self.rules)
        let cases: [(source: String, expected: String)] = [
            ("spec \"x\" { expect = { goals = { sigup = 1 } } }",
             "s.lua:1: spec \"x\": expect.goals.sigup: no goal \"sigup\" in the rules (declared: signup, pricing, fragile)"),
            ("spec \"x\" { expect = { profiles = { g1 = { outcomes = { sql = true } } } } }",
             "s.lua:1: spec \"x\": expect.profiles.g1.outcomes.sql: no outcome \"sql\" in the rules (declared: mql, order)"),
            ("spec \"x\" { expect = { outcome_groups = { Lead = 1 } } }",
             "s.lua:1: spec \"x\": expect.outcome_groups.Lead: no outcome group \"Lead\" in the rules (declared: Leads, Sales)"),
            ("spec \"x\" { expect = { experiments = { checkout = { exposed = { b = 1 } } } } }",
             "s.lua:1: spec \"x\": expect.experiments.checkout.exposed.b: no variant \"b\" in experiment \"checkout\" "
                + "(declared: control, one_page)"),
            ("spec \"x\" { expect = { experiments = { checkout = { units = { revenue = { control = 1 } } } } } }",
             "s.lua:1: spec \"x\": expect.experiments.checkout.units.revenue.control: no goal \"revenue\" in experiment "
                + "\"checkout\" (declared: orders, aov)"),
            ("spec \"x\" { expect = { experiments = { pricing = { status = \"winner\" } } } }",
             "s.lua:1: spec \"x\": expect.experiments.pricing.status: no experiment \"pricing\" in the rules (declared: checkout)"),
            ("spec \"x\" { expect = { rule_errors = { boom = 1 } } }",
             "s.lua:1: spec \"x\": expect.rule_errors.boom: no rule \"boom\" in the rules (declared: signup, pricing, "
                + "fragile, mql, order, checkout, checkout/orders, checkout/aov)"),
        ]
        for (source, expected) in cases {
            let spec = try SpecLoader().load(source: source, name: "s.lua")[0]
            XCTAssertThrowsError(try runner.check(spec), source) { error in
                XCTAssertEqual((error as? SpecError)?.description, expected)
            }
        }
    }

    func testNumbersMatchWithinARelativeTolerance() {
        XCTAssertTrue(SpecValue.number(0.3).matches(.number(0.1 + 0.2)))
        XCTAssertTrue(SpecValue.number(12980.25).matches(.number(12980.250000000002)))
        XCTAssertFalse(SpecValue.number(1).matches(.number(1.001)))
        XCTAssertTrue(SpecValue.boolean(false).matches(.null))
        XCTAssertFalse(SpecValue.number(0).matches(.missing("no guest")))
        XCTAssertEqual(SpecValue.number(2).description, "2")
        XCTAssertEqual(SpecValue.number(49.99).description, "49.99")
    }
}
