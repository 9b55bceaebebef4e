import Testing
@testable import TallyCore

/// Strict globals in rule files (SPEC §3): reading a global that does not exist is a load error
/// at load time and a rule error at run time, never nil.
@Suite struct StrictGlobalsTests {
    private func loadError(_ files: [(String, String)]) -> String? {
        do {
            _ = try RuleLoader().load(sources: files)
            return nil
        } catch {
            return error.description
        }
    }

    static let loadErrors: [(files: [(String, String)], expected: String)] = [
        ([("r/a.lua", "goal \"a\" { on = FORM }")], "r/a.lua:1: undefined global 'FORM'"),
        ([("r/a.lua", "goal \"a\" {\n  name = \"A\",\n  on = FORM,\n}")], "r/a.lua:3: undefined global 'FORM'"),
        ([("r/a.lua", "local x = 1\nlocal y = x + undefined_thing")], "r/a.lua:2: undefined global 'undefined_thing'"),
        ([("r/a.lua", "gaol \"x\" { on = \"VIEW\" }")], "r/a.lua:1: undefined global 'gaol'"),
        ([("r/a.lua", "goal \"a\" { on = \"VIEW\", where = { page = _G.PAGE } }")], "r/a.lua:1: undefined global 'PAGE'"),
        ([("r/a.lua", "x = 1\nx = nil\ngoal \"a\" { points = x }")], "r/a.lua:3: undefined global 'x'"),
        // Another file's globals are not this file's.
        ([("r/a.lua", "bonus = 5"), ("r/b.lua", "goal \"a\" {\n  points = bonus,\n}")],
         "r/b.lua:2: undefined global 'bonus'"),
        // Sandboxed-away names are undefined too.
        ([("r/a.lua", "local f = io.open")], "r/a.lua:1: undefined global 'io'"),
    ]

    @Test(arguments: loadErrors.indices)
    func readingAnUndefinedGlobalFailsTheLoad(_ index: Int) {
        let (files, expected) = Self.loadErrors[index]
        #expect(loadError(files) == expected, "\(files)")
    }

    @Test func theDSLTheLibrariesAndAFilesOwnGlobalsAreReadable() throws {
        let rules = try RuleLoader().load(sources: [("r/a.lua", """
            BONUS = 5                                   -- a global this file defines
            local checks = {
              string.find("abc", "b") == 2, math.floor(2.5) == 2, tostring(1) == "1", type({}) == "table",
              utf8.char(72) == "H", table.concat({ "a", "b" }) == "ab", select("#", 1, 2) == 2,
              _VERSION ~= nil, _G == _ENV, BONUS == 5, _G.BONUS == 5,
              type(count) == "function", type(log) == "function", type(prefix) == "function",
              type(regex) == "function", type(not_equal) == "function", type(conversion_rate) == "function",
              type(goal_rate) == "function", type(settings) == "function", type(pairs) == "function",
            }
            for index, ok in ipairs(checks) do assert(ok, "check " .. index) end
            goal "g" { on = "VIEW", points = BONUS, where = function(e) return e.page == "/" .. string.lower("X") end }
            """)])
        #expect(rules.goals.count == 1)
    }

    /// At run time: the failing rule fails for that event only, counted with its file and line.
    @Test func readingAnUndefinedGlobalInARuleIsARuleError() throws {
        let report = try EngineHarness(rules: """
            RATE = 2                                  -- defined: readable in the functions below
            goal "typo" {
              on = "VIEW",
              where = function(e)
                return e.page == PAGE
              end,
            }
            goal "fine" { on = "VIEW", points = function(e) return RATE * math.floor(1.5) end }
            outcome "later" { when = function(guest) return guest.goals.typo == 0 and guest.points >= 4 end }
            """).report([event("VIEW", "g1", 1000), event("VIEW", "g1", 2000, "\"page\":\"/x\"")])
        #expect(report.events.accepted == 2)
        #expect(report.ruleErrors == [
            Report.RuleErrorSummary(rule: "typo", file: "rules/main.lua", line: 5,
                                    message: "undefined global 'PAGE'", count: 2),
        ])
        #expect(report.goals.first { $0.id == "fine" }?.points == 4)
        #expect(report.outcomes.first { $0.id == "later" }?.reached == 1)
    }
}
