import Foundation
import XCTest
@testable import TallyCore

final class EngineSnapshotTests: XCTestCase {
    private let source = """
        goal "view" { on = "VIEW", points = 1 }
        goal "form" { on = "FORM", points = 10, count = "guest",
                      where = function(e, guest) guest.data.forms = (guest.data.forms or 0) + 1; count("forms"); return true end }
        outcome "lead" { group = "Leads", when = function(guest) return guest.points >= 12 end, value = 100 }
        goal "broken" { on = "LOOP", where = function(e) return e.x.y end }
        experiment "x" {
          variants = { "a", "b" },
          goals = { conversion_rate { on = "FORM" }, revenue { per = "session" }, bounce_rate { page = "/p" } },
        }
        experiment "h" {
          variants = { "c", "d" }, assign = "hash", eligible = { page = "/p" },
          goals = { engagement_value { } },
        }
        """

    private func lines() -> [String] {
        var lines: [String] = []
        for index in 0..<60 {
            let guest = "g\(index % 7)"
            let ts = Int64(index) * 7 * 60_000
            switch index % 6 {
            case 0: lines.append(event("EXPOSURE", guest, ts, "\"experiment\":\"x\",\"variant\":\"\(index % 12 == 0 ? "a" : "b")\""))
            case 1: lines.append(event("VIEW", guest, ts, "\"page\":\"/p\""))
            case 2: lines.append(event("FORM", guest, ts))
            case 3: lines.append(event("CONFIRM", guest, ts, "\"revenue\":\(index).5"))
            case 4: lines.append(event("LOOP", guest, ts))
            default: lines.append(event("VIEW", guest, ts, "\"page\":\"/q\""))
            }
        }
        return lines
    }

    private func feed(_ engine: Engine, _ lines: ArraySlice<String>) {
        var parser = EventParser()
        for (offset, line) in lines.enumerated() {
            var text = line
            if case .success(let event) = text.withUTF8({ parser.parse(UnsafeRawBufferPointer($0), line: offset + 1) }) {
                engine.ingest(event)
            }
        }
    }

    func testTwoHalvesWithARestartGiveTheSameReportAsOnePass() throws {
        let all = lines()
        let single = Engine(rules: try RuleLoader().load(sources: [("r.lua", source)]))
        feed(single, all[...])
        let expected = single.finish()

        for cut in [1, 17, 30, 59] {
            let first = Engine(rules: try RuleLoader().load(sources: [("r.lua", source)]))
            feed(first, all[..<cut])
            let data = try JSONEncoder().encode(first.snapshot())
            let snapshot = try JSONDecoder().decode(EngineSnapshot.self, from: data)
            XCTAssertEqual(snapshot.acceptedEvents, cut)

            let second = Engine(rules: try RuleLoader().load(sources: [("r.lua", source)]))
            XCTAssertEqual(second.restore(snapshot), [])
            feed(second, all[cut...])
            XCTAssertEqual(second.finish(), expected, "cut at \(cut)")
            XCTAssertEqual(second.profile(ofGuest: "g2"), single.profile(ofGuest: "g2"))
        }
    }

    func testRestoreMatchesDefinitionsByID() throws {
        let first = Engine(rules: try RuleLoader().load(sources: [("r.lua", source)]))
        feed(first, lines()[..<30])
        let snapshot = first.snapshot()
        let changed = Engine(rules: try RuleLoader().load(sources: [("r.lua", """
            goal "view" { on = "VIEW", points = 1 }
            experiment "x" { variants = { "a", "z" }, goals = { conversion_rate { on = "FORM" } } }
            """)]))
        let notes = changed.restore(snapshot)
        XCTAssertEqual(notes, [
            "experiment 'x': its variants changed, so its figures start over",
            "experiment 'h': not in the current rules; its saved figures are dropped",
        ])
        let report = changed.report()
        XCTAssertEqual(report.goals.map(\.id), ["view", "form", "broken"], "removed goals keep their history")
        XCTAssertEqual(report.goals[0].reached, first.report().goals[0].reached)
        XCTAssertEqual(report.events.accepted, 30)
    }
}
