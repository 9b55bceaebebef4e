import XCTest
@testable import TallyCore

final class RuleLoaderTests: XCTestCase {
    private func loadError(_ files: [(String, String)]) -> RuleError? {
        do {
            _ = try RuleLoader().load(sources: files)
            return nil
        } catch {
            return error
        }
    }

    func testLoadErrorsNameFileAndLine() {
        let cases: [(files: [(String, String)], expected: String)] = [
            ([("r/a.lua", "goal \"x\" {\n  on = ,\n}")], "r/a.lua:2: unexpected symbol near ','"),
            ([("r/a.lua", "\n\ngoal \"x\" { pionts = 3 }")], "r/a.lua:3: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
            ([("r/a.lua", "goal \"x\" { points = \"many\" }")],
             "r/a.lua:1: goal 'x': field 'points' must be a number or a function, got \"many\""),
            ([("r/a.lua", "goal \"x\" { count = \"twice\" }")],
             "r/a.lua:1: goal 'x': field 'count' must be one of \"every\", \"session\", \"guest\", got \"twice\""),
            ([("r/a.lua", "goal \"x\" { on = 3 }")],
             "r/a.lua:1: goal 'x': field 'on' must be a string, a list of strings, prefix \"...\" or regex \"...\", got 3"),
            ([("r/a.lua", "goal(\"\") { }")], "r/a.lua:1: goal: the id must be a non-empty string, as in goal \"my_id\" { ... }"),
            ([("r/a.lua", "goal \"x\" { }"), ("r/b.lua", "\noutcome \"x\" { on = \"VIEW\" }")],
             "r/b.lua:2: duplicate id 'x': already declared as a goal at r/a.lua:1"),
            ([("r/a.lua", "outcome \"o\" { value = 3 }")], "r/a.lua:1: outcome 'o': needs a trigger (on, page, where or when)"),
            ([("r/a.lua", "experiment \"e\" {\n variants = { \"a\", \"b\" },\n goals = { goal_rate { goal = \"missing\" } },\n}")],
             "r/a.lua:3: experiment 'e': goal_rate refers to unknown goal 'missing'"),
            ([("r/a.lua", "experiment \"e\" { variants = { \"a\" }, goals = { conversion_rate {} } }")],
             "r/a.lua:1: experiment 'e': field 'variants' must be a list of at least two variants: \"id\" or { id = \"id\", weight = n }, got a table"),
            ([("r/a.lua", "experiment \"e\" { variants = { \"a\", \"b\" }, control = \"c\", goals = { conversion_rate {} } }")],
             "r/a.lua:1: experiment 'e': control 'c' is not one of its variants"),
            ([("r/a.lua", "experiment \"e\" { variants = { \"a\", \"b\" }, goals = { bounce_rate { per = \"guest\" } } }")],
             "r/a.lua:1: bounce_rate: unknown field 'per' (known fields: direction, id, name, page)"),
            ([("r/a.lua", "experiment \"e\" { variants = { \"a\", \"b\" }, goals = { goal_rate { } } }")],
             "r/a.lua:1: goal_rate: field 'goal' (a goal id) is required"),
            ([("r/a.lua", "experiment \"e\" { variants = { \"a\", \"b\" }, goals = { custom { per = \"session\" } } }")],
             "r/a.lua:1: custom: field 'value' (a function) is required"),
            ([("r/a.lua", "experiment \"e\" { variants = { \"a\", \"b\" }, goals = { page_view { per = \"order\" } } }")],
             "r/a.lua:1: page_view: field 'per' must be one of \"session\", \"guest\", got \"order\""),
            ([("r/a.lua", "goal \"x\" { page = regex \"(\" }")], "r/a.lua:1: field 'page': invalid regex \"(\": Unmatched ( or \\("),
            ([("r/a.lua", "settings { session_timeout = \"soon\" }")],
             "r/a.lua:1: settings: session_timeout \"soon\" is not a duration like \"30m\", \"90s\" or \"1h\""),
            ([("r/a.lua", "settings { }"), ("r/b.lua", "settings { }")], "r/b.lua:1: settings: declared more than once"),
            ([("r/a.lua", "error('custom failure')")], "r/a.lua:1: custom failure"),
            ([("r/a.lua", "while true do end")], "r/a.lua:1: instruction budget exceeded (1000000 instructions)"),
        ]
        for (files, expected) in cases {
            XCTAssertEqual(loadError(files)?.description, expected, "\(files)")
        }
    }

    func testDefaultsAndCompiledDeclarations() throws {
        let rules = try RuleLoader().load(sources: [("r/a.lua", """
            settings { session_timeout = "20m", currency = "EUR" }
            goal "g" { on = "form" }
            outcome "o" { on = "CONFIRM" }
            experiment "e" {
              variants = { { id = "a", weight = 60 }, { id = "b", weight = 40 } },
              goals = { conversion_rate { }, revenue { }, revenue { per = "order" }, exit_rate { page = "/x" } },
            }
            """)])
        XCTAssertEqual(rules.settings.sessionTimeout, 20 * 60_000)
        XCTAssertEqual(rules.goals[0].name, "g")
        XCTAssertEqual(rules.goals[0].count, .every)
        XCTAssertEqual(rules.outcomes[0].currency, "EUR")
        XCTAssertTrue(rules.outcomes[0].once)
        let experiment = rules.experiments[0]
        XCTAssertEqual(experiment.variants.map(\.weight), [60, 40])
        XCTAssertEqual(experiment.control, 0)
        XCTAssertEqual(experiment.metrics.map(\.id), ["conversion_rate", "revenue", "revenue_2", "exit_rate"])
        XCTAssertEqual(experiment.metrics.map(\.unit), [.guest, .session, .order, .session])
        XCTAssertEqual(experiment.metrics.map(\.direction), [.increase, .increase, .increase, .decrease])
        XCTAssertEqual(experiment.sample, SampleSettings())
        XCTAssertEqual(experiment.method, .fixed)
        XCTAssertEqual(experiment.onConclusive, .promoteWinner)
        XCTAssertEqual(experiment.onInconclusive, .keepRunning)
        XCTAssertEqual(experiment.position, SourcePosition(file: "r/a.lua", line: 4))
    }

    func testRuleFilesLoadInPathOrderIncludingSubdirectories() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("b"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "goal \"second\" { }".write(to: directory.appendingPathComponent("b/x.lua"), atomically: true, encoding: .utf8)
        try "goal \"first\" { }".write(to: directory.appendingPathComponent("a.lua"), atomically: true, encoding: .utf8)
        try "goal \"ignored\" { }".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let rules = try RuleLoader().load(directory: directory.path)
        XCTAssertEqual(rules.goals.map(\.id), ["first", "second"])
        XCTAssertThrowsError(try RuleLoader().load(directory: directory.path + "/missing")) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }
}
