import Foundation
import Testing

/// `tally check` end to end: the listing of loaded rules (errors are in RunCommandTests).
@Suite struct CheckCommandTests {
    static let rules = """
        settings { session_timeout = "20m", currency = "EUR" }
        goal "signup" { name = "Sign up", on = "FORM", points = 10, count = "guest", where = { form = "signup", ["utm.medium"] = not_equal("cpc"), n = 2 } }
        goal "visit" { on = "VIEW", page = prefix "/docs/", points = function(e) return 1 end, count = "session" }
        outcome "mql" { name = "Marketing qualified lead", group = "Leads",
                        when = function(guest) return guest.points >= 50 end, value = 250 }
        outcome "order" { on = "CONFIRM", value = function(e) return e.revenue end, currency = "USD", once = false }
        experiment "checkout" {
          name = "One-page checkout",
          variants = { { id = "a", weight = 60 }, { id = "b", weight = 40 } },
          control = "a",
          goals = {
            conversion_rate { id = "orders", on = "CONFIRM" },
            revenue { id = "rev", per = "order" },
            bounce_rate { page = "/checkout" },
          },
        }
        experiment "copy" {
          variants = { "control", "v1", "v2" },
          assign = "hash", traffic = 0.5, eligible = { page = "/pricing" },
          goals = { goal_rate { goal = "signup" } },
          sample = { base_rate = 0.1, mde = 0.1 },
          method = "sequential",
          on_conclusive = "complete",
        }
        goal "any" { on = { "view", "form" }, page = regex "^/a", where = function(e) return true end }
        goal "all" { }
        """

    @Test func listsSettingsGoalsOutcomesAndExperiments() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/all.lua", Self.rules)
        let result = try TallyProcess.run(["check", "--rules", dir.path("rules")])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map { String($0) }
        let file = dir.path("rules") + "/all.lua"
        func normalized(_ line: String) -> String {
            line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        /// Every fragment in order on one line, separated by white space only; then, when
        /// given, what the rule matches on the next line, indented.
        func expectLine(_ pattern: [String], matches: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
            let index = lines.firstIndex { normalized($0) == pattern.joined(separator: " ") }
            #expect(index != nil, "no line \(pattern) in:\n\(result.stdout)", sourceLocation: sourceLocation)
            guard let index, let matches else { return }
            let next = index + 1 < lines.count ? lines[index + 1] : ""
            #expect(next == "    " + matches, "after \(pattern) in:\n\(result.stdout)", sourceLocation: sourceLocation)
        }
        expectLine(["session_timeout", "20m"])
        expectLine(["currency", "EUR"])
        expectLine(["Goal", "Points", "Count", "Declared", "at"])
        expectLine(["Sign", "up", "(signup)", "10", "guest", "\(file):2"],
                   matches: "on FORM · where form = \"signup\", n = 2, utm.medium = not_equal(\"cpc\")")
        expectLine(["visit", "function", "session", "\(file):3"], matches: "on VIEW · page prefix \"/docs/\"")
        expectLine(["any", "0", "every", "\(file):25"],
                   matches: "on FORM or VIEW · page regex \"^/a\" · where function (all.lua:25)")
        expectLine(["all", "0", "every", "\(file):26"], matches: "every event")
        expectLine(["Marketing", "qualified", "lead", "(mql)", "Leads", "250", "EUR", "yes", "\(file):4"],
                   matches: "when function (all.lua:5)")
        expectLine(["order", "—", "function", "USD", "no", "\(file):6"], matches: "on CONFIRM")
        expectLine(["Experiment", "One-page", "checkout", "(checkout)", "(\(file):7)"])
        expectLine(["Variants", "a", "(control,", "weight", "60)", "·", "b", "(weight", "40)"])
        expectLine(["Assignment", "events", "(EXPOSURE", "events", "decide)"])
        expectLine(["Method", "fixed"])
        expectLine(["Sample", "21,110", "units", "per", "variant", "(base", "rate", "2%,", "mde", "20%,", "confidence",
                    "95%,", "power", "80%)"])
        expectLine(["Post-test", "on_conclusive", "promote_winner", "·", "on_inconclusive", "keep_running"])
        expectLine(["Goal", "Metric", "Direction", "Declared", "at"])
        expectLine(["orders", "(primary)", "conversion_rate", "per", "guest", "increase", "\(file):12"], matches: "on CONFIRM")
        expectLine(["rev", "revenue", "per", "order", "increase", "\(file):13"], matches: "field revenue")
        expectLine(["bounce_rate", "bounce_rate", "per", "session", "decrease", "\(file):14"], matches: "page \"/checkout\"")
        expectLine(["Experiment", "copy", "(\(file):17)"])
        expectLine(["Variants", "control", "(control,", "weight", "1)", "·", "v1", "(weight", "1)", "·", "v2", "(weight", "1)"])
        expectLine(["Assignment", "hash", "(GrowthBook", "v2),", "traffic", "50%"])
        expectLine(["Eligible", "page", "\"/pricing\""])
        expectLine(["Method", "sequential", "(sequential_n", "5,000)"])
        expectLine(["goal_rate", "(primary)", "goal_rate", "per", "guest", "increase", "\(file):20"], matches: "goal signup")
        #expect(lines.last == "OK: 4 goals, 2 outcomes, 2 experiments")
    }

    static let loadErrors: [(source: String, message: String)] = [
        ("goal \"signup\" {\n  on = FORM,\n}", "goals.lua:2: undefined global 'FORM'"),
        ("goal \"signup\" {\n  on = \"FORM\",\n  where = function(e) return e.form == FORM end,\n  pionts = 5,\n}",
         "goals.lua:4: goal 'signup': unknown field 'pionts' (did you mean 'points'?)"),
    ]

    /// Rules that do not load: exit 65 and one line naming the file and line.
    @Test(arguments: loadErrors.indices)
    func rulesThatDoNotLoadExit65(_ index: Int) throws {
        let (source, message) = Self.loadErrors[index]
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/goals.lua", source)
        let result = try TallyProcess.run(["check", "--rules", dir.path("rules")])
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == ["tally: " + dir.path("rules") + "/" + message])
    }

    @Test func emptyRulesDirectoryIsFine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("rules"), withIntermediateDirectories: true)
        let result = try TallyProcess.run(["check", "--rules", dir.path("rules")])
        #expect(result.status == 0)
        #expect(result.stdout == """
            Settings
              session_timeout   30m
              allowed_lateness  5m
              currency          USD

            OK: 0 goals, 0 outcomes, 0 experiments

            """)
    }
}
