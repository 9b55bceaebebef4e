import Foundation
import Testing

/// `tally test` end to end: the example's specs, a failing spec, load errors and usage errors.
@Suite struct TestCommandTests {
    /// The repository root (examples/ lives there).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let rules = """
        goal "signup" { on = "FORM", where = { form = "newsletter" }, points = 10, count = "guest" }
        """

    @Test func theExampleSpecsPass() throws {
        let result = try TallyProcess.run(["test", "--rules", "examples/rules"], in: Self.root)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("ok   a newsletter signup is worth 10 points, once per guest"))
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
        let passed = lines.filter { $0.hasPrefix("ok   ") }.count
        #expect(passed >= 15)
        #expect(lines.last == "\(passed) passed, 0 failed")
    }

    @Test func aWrongExpectationFailsWithItsFileAndLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/goals.lua", Self.rules)
        try dir.write("specs/signup_spec.lua", """
            spec "signing up twice counts once" {
              events = {
                { type = "FORM", guest = "g1", ts = 0, form = "newsletter" },
                { type = "FORM", guest = "g1", ts = 1000, form = "newsletter" },
              },
              expect = { goals = { signup = 1 }, points = { g1 = 10 } },
            }

            spec "a wrong expectation" {
              events = { { type = "FORM", guest = "g1", ts = 0, form = "newsletter" } },
              expect = { goals = { signup = 2 }, points = { g1 = 10 } },
            }
            """)
        // The specs/ directory next to the rules is the default.
        let result = try TallyProcess.run(["test", "--rules", "rules"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == """
            ok   signing up twice counts once
            FAIL specs/signup_spec.lua:9 "a wrong expectation" — goals.signup: expected 2, got 1

            1 passed, 1 failed

            """)

        let filtered = try TallyProcess.run(["test", "--rules", "rules", "specs/signup_spec.lua", "--filter", "twice"],
                                            in: dir.url)
        #expect(filtered.status == 0)
        #expect(filtered.stdout == "ok   signing up twice counts once\n\n1 passed, 0 failed\n")
    }

    @Test func loadErrorsExit65WithFileAndLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/goals.lua", Self.rules)
        try dir.write("bad_key.lua", "spec \"ok\" { expect = {} }\n\nspec \"typo\" {\n  expect = { goal = { signup = 1 } },\n}\n")
        try dir.write("bad_id.lua", "spec \"x\" { expect = { goals = { sigup = 1 } } }\n")
        try dir.write("bad_rules/goals.lua", "goal \"x\" { pionts = 3 }\n")

        let badKey = try TallyProcess.run(["test", "--rules", "rules", "bad_key.lua"], in: dir.url)
        #expect(badKey.status == 65)
        #expect(badKey.stdout.isEmpty)
        #expect(badKey.stderrLines == [
            "tally: bad_key.lua:3: spec \"typo\": expect: unknown key 'goal' (known: accepted, rejected, out_of_order, "
                + "guests, sessions, points, goals, outcomes, outcome_groups, counters, rule_errors, experiments, profiles)",
        ])

        let badID = try TallyProcess.run(["test", "--rules", "rules", "bad_id.lua"], in: dir.url)
        #expect(badID.status == 65)
        #expect(badID.stderrLines == [
            "tally: bad_id.lua:1: spec \"x\": expect.goals.sigup: no goal \"sigup\" in the rules (declared: signup)",
        ])

        let badRules = try TallyProcess.run(["test", "--rules", "bad_rules", "bad_id.lua"], in: dir.url)
        #expect(badRules.status == 65)
        #expect(badRules.stderrLines == ["tally: bad_rules/goals.lua:1: goal 'x': unknown field 'pionts' (did you mean 'points'?)"])

        let missing = try TallyProcess.run(["test", "--rules", "rules", "nowhere.lua"], in: dir.url)
        #expect(missing.status == 66)
        #expect(missing.stderrLines == ["tally: cannot read spec file \"nowhere.lua\": no such file"])
    }

    @Test func noSpecsDirectoryIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("project/rules/goals.lua", Self.rules)
        let result = try TallyProcess.run(["test", "--rules", "project/rules"], in: dir.url)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == [
            "tally: no spec files given and no specs directory at project/specs (next to the rules directory); "
                + "name spec files, as in tally test --rules project/rules my_spec.lua",
        ])
    }
}
