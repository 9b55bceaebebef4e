import Foundation
import Testing

/// What `tally run` computes, end to end on real files (SPEC §1–§4, checked through the JSON report).
@Suite struct EngineBehaviourTests {
    /// One JSON line: `type`, `guest`, `ts` (milliseconds after 2023-11-14T22:13:20Z, so that
    /// small offsets are valid times) and extra members given as raw JSON text.
    static func event(_ type: String, _ guest: String, _ ts: Int64, _ extra: String = "") -> String {
        #"{"type":"\#(type)","guest":"\#(guest)","ts":\#(1_700_000_000_000 + ts)"# + (extra.isEmpty ? "" : "," + extra) + "}"
    }

    /// Runs `rules` (as rules/r.lua) over `events` and returns the parsed JSON report and the result.
    static func run(
        rules: String, events: [String], arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (JSONReport, TallyProcess.Result) {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/r.lua", rules)
        try dir.write("events.jsonl", events.joined(separator: "\n") + "\n")
        // Relative paths, run in the directory: rule files are named rules/r.lua.
        let result = try TallyProcess.run(
            ["run", "--rules", "rules", "--events", "events.jsonl", "--format", "json"] + arguments, in: dir.url)
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return (try JSONReport(result.stdout), result)
    }

    static let minute: Int64 = 60_000

    // MARK: Goals

    @Test func goalsWithPointsAndCountLimits() throws {
        let rules = """
            goal "every" { on = "VIEW", points = 1 }
            goal "per_session" { on = "VIEW", page = "/pricing", points = 5, count = "session" }
            goal "per_guest" { on = "FORM", points = 20, count = "guest" }
            goal "dynamic" { on = "confirm", points = function(e) return e.revenue / 10 end }
            """
        let m = Self.minute
        let (report, result) = try Self.run(rules: rules, events: [
            Self.event("VIEW", "g1", 0, #""page":"/pricing""#),
            Self.event("VIEW", "g1", 1 * m, #""page":"/pricing""#),
            Self.event("FORM", "g1", 2 * m),
            Self.event("form", "g1", 3 * m),
            Self.event("VIEW", "g1", 120 * m, #""page":"/pricing""#),  // a new session
            Self.event("CONFIRM", "g1", 121 * m, #""revenue":100"#),
            Self.event("VIEW", "g2", 0, #""page":"/home""#),
        ])
        #expect(result.stderr.isEmpty)
        let goals = report["goals"]
        #expect(goals.count == 4)
        for (id, reached, guests, points) in [
            ("every", 4, 2, 4.0), ("per_session", 2, 1, 10.0), ("per_guest", 1, 1, 20.0), ("dynamic", 1, 1, 10.0),
        ] {
            #expect(goals[id: id]["reached"].int == reached, "\(id)")
            #expect(goals[id: id]["guests"].int == guests, "\(id)")
            #expect(goals[id: id]["points"].double == points, "\(id)")
            #expect(goals[id: id]["name"].string == id)
        }
        #expect(report["guests"]["count"].int == 2)
        #expect(report["guests"]["points"].double == 44)
        #expect(report["sessions"]["count"].int == 3)
        #expect(report["sessions"]["points_per_session"].double == 44.0 / 3.0)
    }

    @Test func goalAtItsLimitIsSkippedBeforeMatching() throws {
        // The where function counts its calls: it must not run once the goal is at its limit.
        let rules = """
            goal "once" { on = "VIEW", where = function(e) count("where_calls") return true end, count = "guest" }
            """
        let (report, _) = try Self.run(rules: rules, events: (0..<5).map { Self.event("VIEW", "g", Int64($0)) })
        #expect(report["goals"][0]["reached"].int == 1)
        #expect(report["counters"]["where_calls"].double == 1)
    }

    // MARK: Outcomes

    @Test func outcomesWithGroupsValuesAndRepeats() throws {
        let rules = """
            settings { currency = "EUR" }
            goal "form" { on = "FORM", points = 30 }
            outcome "engaged" { group = "Leads", when = function(guest) return guest.points >= 50 end, value = 100 }
            outcome "order" { group = "Sales", on = "CONFIRM", value = function(e) return e.revenue end, once = false }
            outcome "first_order" { name = "First order", group = "Sales", on = "CONFIRM", value = 5, currency = "USD" }
            outcome "loner" { on = "NEVER" }
            """
        let (report, _) = try Self.run(rules: rules, events: [
            // The second FORM's goal brings g1 to 60 points; `when` runs after the event's goals.
            Self.event("FORM", "g1", 1),
            Self.event("FORM", "g1", 2),
            Self.event("CONFIRM", "g2", 1, #""revenue":10"#),
            Self.event("CONFIRM", "g2", 2, #""revenue":20.5"#),
            Self.event("CONFIRM", "g3", 1, #""revenue":7"#),
        ])
        let outcomes = report["outcomes"]
        #expect(outcomes.count == 4)
        let expected: [(String, String, String?, Int, Int, Double, String)] = [
            ("engaged", "engaged", "Leads", 1, 1, 100, "EUR"),
            ("order", "order", "Sales", 3, 2, 37.5, "EUR"),
            ("first_order", "First order", "Sales", 2, 2, 10, "USD"),
            ("loner", "loner", nil, 0, 0, 0, "EUR"),
        ]
        for (index, (id, name, group, reached, guests, value, currency)) in expected.enumerated() {
            let outcome = outcomes[index]
            #expect(outcome["id"].string == id)
            #expect(outcome["name"].string == name)
            #expect(outcome["group"].string == group && (group != nil || outcome["group"].isNull), "\(id)")
            #expect(outcome["reached"].int == reached, "\(id)")
            #expect(outcome["guests"].int == guests, "\(id)")
            #expect(outcome["value"].double == value, "\(id)")
            #expect(outcome["currency"].string == currency, "\(id)")
        }
        let groups = report["outcome_groups"]
        #expect(groups.count == 2)
        #expect(groups[0]["group"].string == "Leads" && groups[0]["guests"].int == 1 && groups[0]["value"].double == 100)
        #expect(groups[1]["group"].string == "Sales" && groups[1]["guests"].int == 2 && groups[1]["value"].double == 47.5)
    }

    // MARK: Sessions

    @Test func sessionAtExactlyTheTimeoutContinuesAndOneMillisecondMoreStartsANewOne() throws {
        let rules = #"settings { session_timeout = "30m" }"# + "\n" + #"goal "visit" { on = "VIEW", count = "session" }"#
        let t0: Int64 = 1_790_000_000_000
        let timeout = 30 * Self.minute
        let events = [
            Self.event("VIEW", "g", t0),
            Self.event("VIEW", "g", t0 + timeout),               // exactly the timeout: same session
            Self.event("VIEW", "g", t0 + timeout + timeout + 1),  // 1 ms past it: a new session
            Self.event("VIEW", "h", t0),
            Self.event("VIEW", "h", t0 + timeout + 1),            // 1 ms past: a new session
        ]
        let (report, _) = try Self.run(rules: rules, events: events)
        #expect(report["sessions"]["count"].int == 4)
        #expect(report["goals"][0]["reached"].int == 4)

        // --session-timeout overrides the rules' setting.
        let (longer, _) = try Self.run(rules: rules, events: events, arguments: ["--session-timeout", "1h"])
        #expect(longer["sessions"]["count"].int == 2)
        let (shorter, _) = try Self.run(rules: rules, events: events, arguments: ["--session-timeout", "29m"])
        #expect(shorter["sessions"]["count"].int == 5)
    }

    @Test func rfc3339TimesAndExplicitSessions() throws {
        let rules = #"goal "visit" { on = "VIEW", count = "session" }"#
        let (report, _) = try Self.run(rules: rules, events: [
            #"{"type":"VIEW","guest":"g","ts":"2026-11-20T10:00:00Z"}"#,
            #"{"type":"VIEW","guest":"g","ts":"2026-11-20T11:30:00.000+01:00"}"#,  // 10:30Z: exactly 30m
            #"{"type":"VIEW","guest":"g","ts":"2026-11-20T11:00:00.001Z"}"#,       // 30m + 1ms later
            #"{"type":"VIEW","guest":"e","ts":1700000000001,"session":"s1"}"#,
            #"{"type":"VIEW","guest":"e","ts":1700000000002,"session":"s1"}"#,
            #"{"type":"VIEW","guest":"e","ts":1700000000003,"session":"s2"}"#,                  // explicit: new session
        ])
        #expect(report["sessions"]["count"].int == 4)
    }

    @Test func outOfOrderEventsTakeThePreviousTimeAndJoinTheSession() throws {
        let rules = #"goal "visit" { on = "VIEW", count = "session" }"#
        let timeout = 30 * Self.minute
        let (report, _) = try Self.run(rules: rules, events: [
            Self.event("VIEW", "g", 10 * timeout),
            Self.event("VIEW", "g", 1),                          // out of order: clamped to 10·timeout
            Self.event("VIEW", "g", 11 * timeout),               // exactly the timeout after the clamped time
            Self.event("VIEW", "g", 12 * timeout + 1),           // 1 ms past: new session
        ])
        #expect(report["events"]["out_of_order"].int == 1)
        #expect(report["events"]["accepted"].int == 4)
        #expect(report["sessions"]["count"].int == 2)
    }

    // MARK: Rule errors and counters

    @Test func ruleErrorsAreCountedAndTheEventStillCounts() throws {
        let rules = """
            goal "bad" {
              on = "VIEW",
              where = function(e)
                return e.missing.field == 1
              end,
            }
            goal "good" { on = "VIEW", points = 1, where = function(e) count("views") count("weight", 2.5) return true end }
            """
        let (report, result) = try Self.run(rules: rules, events: (0..<3).map { Self.event("VIEW", "g", Int64($0)) })
        let file = "rules/r.lua"
        #expect(report["events"]["accepted"].int == 3)
        #expect(report["goals"][id: "good"]["reached"].int == 3)
        #expect(report["goals"][id: "bad"]["reached"].int == 0)
        let errors = report["rule_errors"]
        #expect(errors.count == 1)
        #expect(errors[0]["rule"].string == "bad")
        #expect(errors[0]["file"].string == file)
        #expect(errors[0]["line"].int == 4)
        #expect(errors[0]["count"].int == 3)
        #expect(errors[0]["message"].string?.contains("attempt to index a nil value") == true)
        #expect(report["counters"]["views"].double == 3)
        #expect(report["counters"]["weight"].double == 7.5)
        // One line on stderr for the first failure; the report counts all of them.
        #expect(result.stderrLines.count == 1)
        #expect(result.stderrLines.first?.hasPrefix("tally: rule \"bad\" failed at \(file):4: ") == true)
    }

    // MARK: Experiments

    static let experimentRules = """
        experiment "exp" {
          variants = { "control", "b" },
          goals = {
            conversion_rate { id = "orders", on = "CONFIRM" },
            revenue { id = "rev", on = "CONFIRM", per = "guest" },
            page_view { id = "pv", page = "/x" },
          },
        }
        """

    @Test func onlyEventsAfterTheExposureCount() throws {
        let exposure = { (guest: String, variant: String, ts: Int64) in
            Self.event("EXPOSURE", guest, ts, #""experiment":"exp","variant":"\#(variant)""#)
        }
        let (report, result) = try Self.run(rules: Self.experimentRules, events: [
            Self.event("CONFIRM", "g1", 1, #""revenue":50"#),  // before its exposure: ignored
            Self.event("VIEW", "g1", 2, #""page":"/x""#),      // before its exposure: ignored
            exposure("g1", "control", 3),
            Self.event("VIEW", "g1", 4, #""page":"/y""#),
            exposure("g2", "control", 1),
            Self.event("CONFIRM", "g2", 2, #""revenue":30"#),
            Self.event("VIEW", "g2", 3, #""page":"/x""#),
            exposure("g3", "b", 1),
            Self.event("CONFIRM", "g3", 2, #""revenue":40"#),
            exposure("g3", "control", 3),                      // another variant: a multiple exposure
            exposure("g3", "b", 4),                            // its own variant again: nothing
            exposure("g4", "b", 1),                            // nothing follows: counts as 0
            exposure("g5", "c", 1),                            // unknown variant: rejected
        ])
        #expect(result.stderrLines.count == 1)
        #expect(report["events"]["rejected"].int == 1)
        let experiment = report["experiments"][0]
        #expect(experiment["id"].string == "exp")
        #expect(experiment["name"].string == "exp")
        #expect(experiment["exposed"]["control"].int == 2)
        #expect(experiment["exposed"]["b"].int == 2)
        #expect(experiment["multiple_exposures"].int == 1)
        #expect(experiment["srm_p_value"].double == 1)
        #expect(experiment["srm"].bool == false)
        #expect(experiment["status"].string == "collecting")
        #expect(experiment["winner"].isNull)
        #expect(experiment["action"].isNull)
        #expect(experiment["leading"].string == "control")  // a tie goes to the first declared

        let orders = experiment["goals"][id: "orders"]
        #expect(orders["primary"].bool == true)
        #expect(orders["metric"].string == "conversion_rate")
        #expect(orders["per"].string == "guest")
        #expect(orders["direction"].string == "increase")
        #expect(orders["required_units"].int == 21110)
        for (index, (id, units, total)) in [("control", 2, 1.0), ("b", 2, 1.0)].enumerated() {
            let variant = orders["variants"][index]
            #expect(variant["id"].string == id)
            #expect(variant["control"].bool == (index == 0))
            #expect(variant["units"].int == units, "\(id)")
            #expect(variant["guests"].int == units, "\(id)")
            #expect(variant["total"].double == total, "\(id)")
            #expect(variant["mean"].double == 0.5, "\(id)")
        }
        #expect(orders["variants"][0]["uplift"].isNull)
        #expect(orders["variants"][0]["significant"].isNull)

        let revenue = experiment["goals"][id: "rev"]
        #expect(revenue["primary"].bool == false)
        #expect(revenue["variants"][0]["total"].double == 30)  // g1's 50 came before its exposure
        #expect(revenue["variants"][1]["total"].double == 40)
        #expect(revenue["variants"][0]["units"].int == 2)
        #expect(revenue["variants"][1]["units"].int == 2)

        // page_view per session: each exposure session is a unit, even with nothing after it.
        let pageView = experiment["goals"][id: "pv"]
        #expect(pageView["per"].string == "session")
        #expect(pageView["variants"][0]["units"].int == 2)
        #expect(pageView["variants"][0]["total"].double == 1)  // g2 only: g1's /x came first
        #expect(pageView["variants"][1]["units"].int == 2)
        #expect(pageView["variants"][1]["total"].double == 0)
    }

    /// 100 exposed guests per arm; the control converts `controlRate`, "b" converts `treatmentRate`.
    static func conversionEvents(controlRate: Int, treatmentRate: Int) -> [String] {
        (0..<200).flatMap { index -> [String] in
            let guest = "g\(index)"
            let variant = index % 2 == 0 ? "control" : "b"
            let rate = index % 2 == 0 ? controlRate : treatmentRate
            var lines = [event("EXPOSURE", guest, 1000, #""experiment":"exp","variant":"\#(variant)""#)]
            if (index / 2) % 100 < rate { lines.append(event("CONFIRM", guest, 2000)) }
            return lines
        }
    }

    static let smallSampleRules = """
        experiment "exp" {
          variants = { "control", "b" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" } },
          sample = { base_rate = 0.5, mde = 0.5 },
        }
        """

    @Test func clearDifferenceWithEnoughUnitsHasAWinner() throws {
        let (report, _) = try Self.run(rules: Self.smallSampleRules,
                                          events: Self.conversionEvents(controlRate: 20, treatmentRate: 80))
        let experiment = report["experiments"][0]
        let goal = experiment["goals"][0]
        let required = try #require(goal["required_units"].int)
        #expect(required > 0 && required <= 100)
        #expect(goal["variants"][1]["units"].int == 100)
        #expect(goal["variants"][0]["mean"].double == 0.2)
        #expect(goal["variants"][1]["mean"].double == 0.8)
        #expect(goal["variants"][1]["uplift"].double.map { abs($0 - 3) < 1e-12 } == true)
        #expect(goal["variants"][1]["significant"].bool == true)
        #expect(experiment["status"].string == "winner")
        #expect(experiment["winner"].string == "b")
        #expect(experiment["leading"].string == "b")
        #expect(experiment["action"].string == "promote_winner")
    }

    @Test func noDifferenceWithEnoughUnitsIsInconclusive() throws {
        let (report, _) = try Self.run(rules: Self.smallSampleRules,
                                          events: Self.conversionEvents(controlRate: 50, treatmentRate: 50))
        let experiment = report["experiments"][0]
        #expect(experiment["status"].string == "inconclusive")
        #expect(experiment["winner"].isNull)
        #expect(experiment["action"].string == "keep_running")
        #expect(experiment["goals"][0]["variants"][1]["significant"].bool == false)
        #expect(experiment["goals"][0]["variants"][1]["uplift"].double == 0)
    }
}
