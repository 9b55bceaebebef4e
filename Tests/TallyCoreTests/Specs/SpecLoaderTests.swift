import XCTest
@testable import TallyCore

final class SpecLoaderTests: XCTestCase {
    private func loadError(_ source: String, name: String = "specs/a_spec.lua") -> String? {
        do {
            _ = try SpecLoader().load(source: source, name: name)
            return nil
        } catch {
            return error.description
        }
    }

    func testLoadErrorsNameFileAndLine() {
        let cases: [(source: String, expected: String)] = [
            ("spec \"x\" {\n  events = ,\n}", "specs/a_spec.lua:2: unexpected symbol near ','"),
            ("\n\nspec \"x\" {\n  expect = { goal = 1 },\n}",
             "specs/a_spec.lua:3: spec \"x\": expect: unknown key 'goal' (known: accepted, rejected, out_of_order, "
                + "guests, sessions, points, goals, outcomes, outcome_groups, counters, rule_errors, experiments, profiles)"),
            ("spec \"x\" { expect = {}, evnts = {} }",
             "specs/a_spec.lua:1: spec \"x\": unknown key 'evnts' (known: events, expect, session_timeout)"),
            ("spec \"x\" { events = {} }",
             "specs/a_spec.lua:1: spec \"x\": needs an expect table, e.g. expect = { goals = { my_goal = 1 } }"),
            ("spec \"x\" { expect = { goals = { signup = \"one\" } } }",
             "specs/a_spec.lua:1: spec \"x\": expect.goals.signup must be a number or { reached, guests, points }, got \"one\""),
            ("spec \"x\" { expect = { goals = { signup = { reachd = 1 } } } }",
             "specs/a_spec.lua:1: spec \"x\": expect.goals.signup: unknown key 'reachd' (known: reached, guests, points)"),
            ("spec \"x\" { expect = { experiments = { e = { units = { g = { a = \"1\" } } } } } }",
             "specs/a_spec.lua:1: spec \"x\": expect.experiments.e.units.g.a must be a number, got \"1\""),
            ("spec \"x\" { expect = { experiments = { e = {} } } }",
             "specs/a_spec.lua:1: spec \"x\": expect.experiments.e is empty: say what to expect, or leave it out"),
            ("spec \"x\" { expect = { profiles = { g1 = { outcomes = { mql = 1 } } } } }",
             "specs/a_spec.lua:1: spec \"x\": expect.profiles.g1.outcomes.mql must be true or false, got 1"),
            ("spec \"x\" { expect = {}, events = { { type = \"VIEW\", guest = \"g\", ts = 0/0 } } }",
             "specs/a_spec.lua:1: spec \"x\": events[1].ts is NaN, which JSON cannot carry"),
            ("spec \"x\" { expect = {}, events = { { type = \"VIEW\", guest = \"g\", ts = 0, f = tostring } } }",
             "specs/a_spec.lua:1: spec \"x\": events[1].f is a function, which JSON cannot carry"),
            ("spec \"x\" { expect = {}, events = { { type = \"VIEW\", utm = { 1, a = 2 } } } }",
             "specs/a_spec.lua:1: spec \"x\": events[1].utm must be a list { a, b } or have string keys only { k = v }"),
            ("spec \"x\" { expect = {}, events = { 3 } }",
             "specs/a_spec.lua:1: spec \"x\": events[1] must be a table of event fields { type = ..., guest = ..., "
                + "ts = ... } or one JSON line, got 3"),
            ("spec \"x\" { expect = {}, session_timeout = \"soon\" }",
             "specs/a_spec.lua:1: spec \"x\": session_timeout must be a duration like \"30m\", \"90s\" or \"1h\", got \"soon\""),
            ("spec \"x\" { expect = {} }\nspec \"x\" { expect = {} }",
             "specs/a_spec.lua:2: spec \"x\": the name is already used at line 1"),
            ("spec(\"\") { expect = {} }",
             "specs/a_spec.lua:1: spec: the name must be a non-empty string, as in spec \"what it checks\" { ... }"),
            ("\nspec \"x\"", "specs/a_spec.lua:2: spec \"x\": missing its table, as in spec \"name\" { events = ..., expect = ... }"),
            ("spec \"x\" \"y\"", "specs/a_spec.lua:1: spec \"x\": expects a table { events = ..., expect = ... }, got a string"),
            ("error('custom failure')", "specs/a_spec.lua:1: custom failure"),
            ("os.exit(1)", "specs/a_spec.lua:1: undefined global 'os'"),
        ]
        for (source, expected) in cases {
            XCTAssertEqual(loadError(source), expected, source)
        }
    }

    func testLongFileNamesKeepTheirFullPathInErrors() {
        let name = "a/very/long/path/to/some/project/with/many/directories/specs/checkout_spec.lua"
        XCTAssertEqual(loadError("spec \"x\" {\n expect = { nope = 1 } }", name: name),
                       "\(name):1: spec \"x\": expect: unknown key 'nope' (known: accepted, rejected, out_of_order, "
                        + "guests, sessions, points, goals, outcomes, outcome_groups, counters, rule_errors, experiments, profiles)")
        XCTAssertEqual(loadError("\n\nspec \"x\" { expect = {} } = 3", name: name), "\(name):3: syntax error near '='")
        let specs = try? SpecLoader().load(source: "\nspec \"x\" { expect = {} }", name: name)
        XCTAssertEqual(specs?.first?.position, SourcePosition(file: name, line: 2))
    }

    func testEventsBecomeJSONLinesAndExpectationsAreOrdered() throws {
        let specs = try SpecLoader().load(source: """
            -- a helper, as spec files may have
            local function view(guest, ts) return { type = "VIEW", guest = guest, ts = ts, page = "/" } end

            spec "first" {
              events = {
                view("g1", minutes(31)),
                { type = "FORM", guest = "g1", ts = "2026-11-20T10:00:00Z", form = "news\\"letter",
                  utm = { medium = "cpc", tags = { "a", 2, true } }, empty = {}, revenue = 12.5, seats = 3.0 },
                '{"type": "VIEW"}',
              },
              expect = {
                points = { g2 = 3, g1 = 10 }, goals = { signup = 1, b = { points = 2.5 } }, sessions = 1,
                experiments = { e = { winner = false, exposed = { a = 1 }, means = { g = { a = false } } } },
              },
            }
            spec "second" {
              session_timeout = "20m",
              events = [[
            {"type": "VIEW", "guest": "g1", "ts": 1700000000000}
            ]],
              expect = { rejected = 1, rule_errors = { signup = 2 } },
            }
            """, name: "s.lua")
        XCTAssertEqual(specs.map(\.name), ["first", "second"])
        XCTAssertEqual(specs.map(\.position), [SourcePosition(file: "s.lua", line: 4), SourcePosition(file: "s.lua", line: 16)])
        XCTAssertEqual(specs[0].events, [
            .line(#"{"type":"VIEW","guest":"g1","ts":1767227460000,"page":"/"}"#, label: "events[1]"),
            .line(#"{"type":"FORM","guest":"g1","ts":"2026-11-20T10:00:00Z","empty":{},"form":"news\"letter","#
                  + #""revenue":12.5,"seats":3,"utm":{"medium":"cpc","tags":["a",2,true]}}"#, label: "events[2]"),
            .line(#"{"type": "VIEW"}"#, label: "events[3]"),
        ])
        XCTAssertNil(specs[0].sessionTimeout)
        XCTAssertEqual(specs[0].expectations, [
            .init(path: "rejected", subject: .rejected, expected: .number(0), isImplicit: true),
            .init(path: "sessions", subject: .sessionCount, expected: .number(1)),
            .init(path: "points.g1", subject: .guest(id: "g1", .points), expected: .number(10)),
            .init(path: "points.g2", subject: .guest(id: "g2", .points), expected: .number(3)),
            .init(path: "goals.b.points", subject: .goal(id: "b", .points), expected: .number(2.5)),
            .init(path: "goals.signup", subject: .goal(id: "signup", .reached), expected: .number(1)),
            .init(path: "rule_errors", subject: .ruleErrors(rule: nil), expected: .number(0), isImplicit: true),
            .init(path: "experiments.e.winner", subject: .experiment(id: "e", .winner), expected: .null),
            .init(path: "experiments.e.exposed.a", subject: .experiment(id: "e", .exposed(variant: "a")), expected: .number(1)),
            .init(path: "experiments.e.means.g.a", subject: .variant(experiment: "e", goal: "g", variant: "a", .means),
                  expected: .null),
        ])
        XCTAssertEqual(specs[1].events, [.text("{\"type\": \"VIEW\", \"guest\": \"g1\", \"ts\": 1700000000000}\n")])
        XCTAssertEqual(specs[1].sessionTimeout, 20 * 60 * 1000)
        XCTAssertEqual(specs[1].expectations, [
            .init(path: "rejected", subject: .rejected, expected: .number(1)),
            .init(path: "rule_errors.signup", subject: .ruleErrors(rule: "signup"), expected: .number(2)),
        ])
    }

    func testKeysThatAreNotPlainNamesAreQuotedInPaths() throws {
        let specs = try SpecLoader().load(
            source: #"spec "x" { expect = { outcome_groups = { ["Lead lifecycle"] = 270 }, counters = { ["a.b"] = 1 } } }"#,
            name: "s.lua")
        XCTAssertEqual(specs[0].expectations.map(\.path), ["rejected", "outcome_groups[\"Lead lifecycle\"]", "counters[\"a.b\"]", "rule_errors"])
    }

    func testSpecFilesRunInTheSandbox() {
        // The same allow-list as rule files: no io, os, load or require.
        for source in ["io.write('x')", "load('return 1')", "require('x')", "string.dump(print)"] {
            XCTAssertNotNil(loadError(source), source)
        }
        XCTAssertNil(loadError("local t = {}\nfor i = 1, 10 do t[#t + 1] = string.format('%d', i) end"))
    }

    func testAMissingFileIsUnreadable() {
        XCTAssertThrowsError(try SpecLoader().load(file: "/nonexistent/spec.lua", name: "spec.lua")) { error in
            XCTAssertEqual(error as? SpecError,
                           SpecError(kind: .unreadable, message: "cannot read spec file \"spec.lua\": no such file"))
        }
    }
}
