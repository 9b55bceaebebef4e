import Foundation
import Testing

/// `tally check` end to end: the listing of loaded rules (errors are in RunCommandTests).
@Suite struct CheckCommandTests {
    static let rules = """
        settings { session_timeout = "20m", currency = "EUR" }
        goal "signup" { name = "Sign up", on = "FORM", points = 10, count = "guest" }
        goal "visit" { on = "VIEW", points = function(e) return 1 end, count = "session" }
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
        func expectLine(_ pattern: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            // Every fragment in order on one line, separated by white space only.
            let found = lines.contains { line in
                line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                    == pattern.joined(separator: " ")
            }
            #expect(found, "no line \(pattern) in:\n\(result.stdout)", sourceLocation: sourceLocation)
        }
        expectLine(["session_timeout", "20m"])
        expectLine(["currency", "EUR"])
        expectLine(["Goal", "Points", "Count", "Declared", "at"])
        expectLine(["Sign", "up", "(signup)", "10", "guest", "\(file):2"])
        expectLine(["visit", "function", "session", "\(file):3"])
        expectLine(["Marketing", "qualified", "lead", "(mql)", "Leads", "250", "EUR", "yes", "\(file):4"])
        expectLine(["order", "—", "function", "USD", "no", "\(file):6"])
        expectLine(["Experiment", "One-page", "checkout", "(checkout)", "(\(file):7)"])
        expectLine(["Variants", "a", "(control,", "weight", "60)", "·", "b", "(weight", "40)"])
        expectLine(["Assignment", "events", "(EXPOSURE", "events", "decide)"])
        expectLine(["Method", "fixed"])
        expectLine(["Sample", "21,110", "units", "per", "variant", "(base", "rate", "2%,", "mde", "20%,", "confidence",
                    "95%,", "power", "80%)"])
        expectLine(["Post-test", "on_conclusive", "promote_winner", "·", "on_inconclusive", "keep_running"])
        expectLine(["orders", "(primary)", "conversion_rate", "per", "guest", "increase", "\(file):12"])
        expectLine(["rev", "revenue", "per", "order", "increase", "\(file):13"])
        expectLine(["bounce_rate", "bounce_rate", "per", "session", "decrease", "\(file):14"])
        expectLine(["Experiment", "copy", "(\(file):17)"])
        expectLine(["Variants", "control", "(control,", "weight", "1)", "·", "v1", "(weight", "1)", "·", "v2", "(weight", "1)"])
        expectLine(["Assignment", "hash", "(GrowthBook", "v2),", "traffic", "50%"])
        expectLine(["Method", "sequential", "(sequential_n", "5,000)"])
        expectLine(["goal_rate", "(primary)", "goal_rate", "per", "guest", "increase", "\(file):20"])
        #expect(lines.last == "OK: 2 goals, 2 outcomes, 2 experiments")
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
