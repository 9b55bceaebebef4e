import XCTest
@testable import TallyCore

final class EngineReloadTests: XCTestCase {
    private func rules(_ source: String) throws -> RuleSet {
        try RuleLoader().load(sources: [("rules/main.lua", source)])
    }

    private func feed(_ engine: Engine, _ lines: [String]) {
        var parser = EventParser()
        for (offset, line) in lines.enumerated() {
            var text = line
            if case .success(let event) = text.withUTF8({ parser.parse(UnsafeRawBufferPointer($0), line: offset + 1) }) {
                engine.ingest(event)
            }
        }
    }

    func testStateSurvivesAReloadAndDefinitionsMatchByID() throws {
        let engine = Engine(rules: try rules("""
            goal "view" { on = "VIEW", points = 1 }
            goal "old" { on = "FORM", points = 5, count = "guest" }
            experiment "x" { variants = { "a", "b" }, goals = { conversion_rate { id = "orders", on = "CONFIRM" } } }
            """))
        feed(engine, [
            event("VIEW", "g1", 0), event("FORM", "g1", 1),
            event("EXPOSURE", "g1", 2, "\"experiment\":\"x\",\"variant\":\"b\""), event("CONFIRM", "g1", 3),
        ])
        let notes = engine.reload(try rules("""
            goal "new" { on = "VIEW", points = 10 }
            goal "view" { name = "Any view", on = "VIEW", points = 2 }
            goal "old" { on = "FORM", points = 5, count = "guest" }
            experiment "x" {
              variants = { "a", "b" },
              goals = { conversion_rate { id = "orders", on = "CONFIRM" }, page_view { id = "views" } },
            }
            """))
        XCTAssertEqual(notes, [])
        feed(engine, [event("VIEW", "g1", 4), event("FORM", "g1", 5), event("CONFIRM", "g2", 6)])
        let report = engine.finish()
        XCTAssertEqual(report.goals.map(\.id), ["new", "view", "old"])
        XCTAssertEqual(report.goals.map(\.name), ["new", "Any view", "old"])
        XCTAssertEqual(report.goals.map(\.reached), [1, 2, 1], "guest-limited goal remembers g1 reached it before")
        XCTAssertEqual(report.goals.map(\.points), [10, 3, 5])
        XCTAssertEqual(report.guests.points, 18)
        let experiment = report.experiments[0]
        XCTAssertEqual(experiment.exposed.map(\.guests), [0, 1])
        XCTAssertEqual(experiment.goals.map(\.id), ["orders", "views"])
        XCTAssertEqual(experiment.goals[0].variants[1].total, 1, "figures from before the reload survive")
        XCTAssertEqual(experiment.goals[1].variants[1].units, 1, "a new goal counts exposed guests from now on")
        XCTAssertEqual(experiment.goals[1].variants[1].total, 1)
    }

    /// Rules an engine no longer uses (or that outlive it) are cut off from it: their
    /// functions see no guest and count nothing.
    func testOldAndOrphanedRuntimesAreDetached() throws {
        let first = try rules(#"goal "view" { on = "VIEW", where = function(e, guest) count("n"); return true end }"#)
        var engine: Engine? = Engine(rules: first)
        feed(engine!, [event("VIEW", "g1", 0)])
        XCTAssertNotNil(first.runtime?.guest)
        let second = try rules(#"goal "view" { on = "VIEW" }"#)
        engine!.reload(second)
        XCTAssertNil(first.runtime?.guest)
        XCTAssertNotNil(second.runtime?.guest)
        XCTAssertEqual(engine!.report().counters.first?.value, 1)
        engine = nil
        XCTAssertNil(second.runtime?.guest)
    }

    func testRemovedGoalsKeepHistoryAndChangedVariantsStartOver() throws {
        let engine = Engine(rules: try rules("""
            goal "gone" { on = "VIEW", points = 1 }
            outcome "o" { on = "VIEW", value = 3 }
            experiment "x" { variants = { "a", "b" }, goals = { conversion_rate { } } }
            """))
        feed(engine, [event("VIEW", "g1", 0), event("EXPOSURE", "g1", 1, "\"experiment\":\"x\",\"variant\":\"a\"")])
        let notes = engine.reload(try rules("""
            goal "kept" { on = "VIEW", points = 1 }
            experiment "x" { variants = { "a", "c" }, goals = { conversion_rate { } } }
            """))
        XCTAssertEqual(notes, ["experiment 'x': its variants changed, so its figures start over"])
        feed(engine, [event("VIEW", "g1", 2)])
        let report = engine.finish()
        XCTAssertEqual(report.goals.map(\.id), ["kept", "gone"])
        XCTAssertEqual(report.goals.map(\.reached), [1, 1])
        XCTAssertEqual(report.outcomes.map(\.id), ["o"])
        XCTAssertEqual(report.outcomes.map(\.value), [3])
        XCTAssertEqual(report.experiments[0].exposed.map(\.variant), ["a", "c"])
        XCTAssertEqual(report.experiments[0].exposed.map(\.guests), [0, 0])
    }

    func testTraceProfileAndConsole() throws {
        let engine = Engine(rules: try rules("""
            goal "form" { on = "FORM", points = 30 }
            outcome "lead" { when = function(guest) return guest.points >= 30 end, value = 100, group = "Leads" }
            goal "broken" { on = "FORM", where = function(e) return e.missing.field end }
            experiment "x" { variants = { "a", "b" }, goals = { conversion_rate { on = "FORM" } } }
            """))
        engine.tracing = true
        feed(engine, [event("EXPOSURE", "g1", 0, "\"experiment\":\"x\",\"variant\":\"b\"")])
        XCTAssertEqual(engine.lastTrace.exposures, [.init(experiment: "x", variant: "b", kind: "new")])
        XCTAssertTrue(engine.lastTrace.newSession)
        feed(engine, [event("FORM", "g1", 1, "\"plan\":\"pro\"")])
        let trace = engine.lastTrace
        XCTAssertFalse(trace.newSession)
        XCTAssertEqual(trace.sessionID, "g1#1")
        XCTAssertEqual(trace.goals, [.init(id: "form", name: "form", points: 30)])
        XCTAssertEqual(trace.guestPoints, 30)
        XCTAssertEqual(trace.outcomes, [.init(id: "lead", name: "lead", value: 100, currency: "USD")])
        XCTAssertEqual(trace.metrics, [.init(experiment: "x", goal: "conversion_rate", variant: "b")])
        XCTAssertEqual(trace.ruleErrors.map(\.rule), ["broken"])
        XCTAssertEqual(trace.ruleErrors.map(\.line), [3])

        let profile = try XCTUnwrap(engine.profile(ofGuest: "g1"))
        XCTAssertEqual(profile.points, 30)
        XCTAssertEqual(profile.goals.map(\.id), ["form"])
        XCTAssertEqual(profile.outcomes, ["lead"])
        XCTAssertEqual(profile.experiments.map(\.variant), ["b"])
        XCTAssertNil(engine.profile(ofGuest: "nobody"))

        XCTAssertEqual(try engine.evaluateLua("1 + 2").get(), ["3"])
        XCTAssertEqual(try engine.evaluateLua("guest('g1').points, guest('g1').goals.form").get(), ["30.0", "1"])
        XCTAssertEqual(try engine.evaluateLua("goals.form.points").get(), ["30"])
        XCTAssertEqual(try engine.evaluateLua("x = 41").get(), [])
        XCTAssertEqual(try engine.evaluateLua("x + 1").get(), ["42"])
        XCTAssertEqual(try engine.evaluateLua("guest('nobody')").get(), ["nil"])
        XCTAssertThrowsError(try engine.evaluateLua("goals.form.points = 1").get())
        XCTAssertThrowsError(try engine.evaluateLua("os.exit()").get())
    }

    func testAdvanceClosesIdleSessionsAndConcludes() throws {
        let engine = Engine(rules: try rules("""
            experiment "x" {
              variants = { "a", "b" },
              goals = { bounce_rate { page = "/p" } },
              sample = { base_rate = 0.5, mde = 0.9 },
            }
            """))
        feed(engine, [
            event("EXPOSURE", "g1", 0, "\"experiment\":\"x\",\"variant\":\"a\""),
            event("VIEW", "g1", 1, "\"page\":\"/p\""),
        ])
        XCTAssertEqual(engine.report().experiments[0].goals[0].variants[0].units, 0, "the session is still open")
        feed(engine, [event("VIEW", "g2", 36 * 60_000 + 2)])  // past the timeout and the 5 minutes of lateness
        engine.advance()
        XCTAssertEqual(engine.report().experiments[0].goals[0].variants[0].units, 1, "closed once the stream moved past it")
    }
}
