import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tally watch` end to end: hot reload while events flow, following a growing file, status
/// changes, scheduled reports, and exit codes (SPEC §2, §4, §5; docs/watch.md).
@Suite struct WatchCommandTests {
    /// `T0 + minutes` as an event time.
    static func at(_ minutes: Int) -> Int { 1_800_000_000_000 + minutes * 60_000 }

    static func line(_ type: String, _ guest: String, _ minutes: Int, _ extra: String = "") -> String {
        "{\"type\":\"\(type)\",\"guest\":\"\(guest)\",\"ts\":\(at(minutes))\(extra.isEmpty ? "" : "," + extra)}\n"
    }

    static func view(_ guest: String, _ minutes: Int, _ page: String) -> String {
        line("VIEW", guest, minutes, "\"page\":\"\(page)\"")
    }

    static func form(_ guest: String, _ minutes: Int, _ form: String) -> String {
        line("FORM", guest, minutes, "\"form\":\"\(form)\"")
    }

    static func confirm(_ guest: String, _ minutes: Int, _ revenue: Int) -> String {
        line("CONFIRM", guest, minutes, "\"revenue\":\(revenue)")
    }

    static func exposure(_ guest: String, _ minutes: Int, _ variant: String) -> String {
        line("EXPOSURE", guest, minutes, "\"experiment\":\"checkout\",\"variant\":\"\(variant)\"")
    }

    /// Rules that never change during the hot-reload test: a goal whose `where` counts every
    /// event, and an experiment.
    static let stableRules = """
        goal "seen" {
          where = function(e, guest)
            count("events_seen")
            count("revenue_seen", e.revenue or 0)
            return e.type == "VIEW" and e.page == "/pricing"
          end,
          points = 2,
        }
        experiment "checkout" {
          variants = { "control", "one_page" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" }, revenue { per = "session" } },
        }
        """

    /// Overwrites the start of `path` with `text` in one write, without truncating first (an
    /// in-place edit that never leaves the file empty), then cuts it to `text`'s length.
    static func editInPlace(_ path: String, _ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data(text.utf8))
        handle.truncateFile(atOffset: UInt64(text.utf8.count))
        handle.closeFile()
    }

    /// Saves `text` as an editor does: a temporary file renamed over `path`.
    static func renameOver(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
        #expect(rename(path + ".tmp", path) == 0)
    }

    /// A JSON value as text with sorted keys, to compare parts of two reports.
    static func canonical(_ value: JSONReport) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value.root, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func hotReloadWhileEventsFlowLosesNothingAndAppliesEachChangeFromItsPoint() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rules = dir.path("rules")
        let views = try dir.write("rules/a_views.lua", "-- views\ngoal \"view\" { on = \"VIEW\", points = 1 }\n")
        let forms = try dir.write("rules/b_forms.lua", "goal \"signup\" { on = \"FORM\", where = { form = \"signup\" }, points = 10 }\n")
        let orders = try dir.write("rules/c_orders.lua", """
            goal "bought" { on = "CONFIRM", points = 50 }
            outcome "order" { group = "Sales", on = "CONFIRM", value = function(e) return e.revenue end, once = false }
            """)
        try dir.write("rules/stable/d_stable.lua", Self.stableRules)

        let tally = try LiveTallyProcess(["watch", "--rules", rules, "--format", "json"])
        tally.waitForLine(startingWith: "tally: watching \(rules) (4 goals, 1 outcome, 1 experiment), reading standard input")
        var written = ""
        func send(_ lines: String...) {
            let text = lines.joined()
            written += text
            tally.write(text)
        }

        // Event times never go back: `watch` closes a session once the stream's time passes it
        // (SPEC §2), so only in time order are its sessions those of `run`.
        // Phase 1 — view 1, signup 10, bought 50 and the order outcome: 7 events and a bad line.
        send(Self.view("g1", 0, "/home"), Self.view("g1", 1, "/pricing"), Self.exposure("g1", 2, "control"),
             Self.form("g1", 3, "signup"), Self.view("g2", 3, "/home"), Self.exposure("g2", 4, "one_page"),
             Self.confirm("g2", 5, 100), "this is not json\n")
        tally.waitForLine(startingWith: "stdin:8: ")

        // An edit in place: views are worth 3.
        try Self.editInPlace(views, "-- views\ngoal \"view\" { on = \"VIEW\", points = 3 }\n")
        tally.waitForLine { $0 == "tally: reloaded rules (4 goals, 1 outcome, 1 experiment)" }
        // Phase 2 — view 3: 4 events (g1 comes back after 47 minutes: a new session).
        send(Self.view("g3", 10, "/pricing"), Self.form("g3", 11, "signup"), Self.view("g1", 50, "/home"),
             Self.confirm("g1", 51, 40))

        // A save by rename: signups are worth 20.
        try Self.renameOver(forms, "goal \"signup\" { on = \"FORM\", where = { form = \"signup\" }, points = 20 }\n")
        tally.waitForLine { $0 == "tally: reloaded rules (4 goals, 1 outcome, 1 experiment)" }
        // Phase 3 — signup 20: 4 events.
        send(Self.form("g2", 52, "signup"), Self.confirm("g2", 53, 60), Self.view("g4", 53, "/pricing"),
             Self.form("g4", 54, "newsletter"))

        // A deleted file: "bought" and "order" stop counting and keep their history.
        #expect(unlink(orders) == 0)
        tally.waitForLine { $0 == "tally: reloaded rules (3 goals, 0 outcomes, 1 experiment)" }
        // Phase 4: 2 events.
        send(Self.confirm("g4", 55, 70), Self.view("g1", 56, "/pricing"))

        // A syntax error on line 3: the previous rules keep running.
        let handle = try #require(FileHandle(forWritingAtPath: views))
        handle.seekToEndOfFile()
        handle.write(Data("goal \"broken\" { on = = \"VIEW\" }\n".utf8))
        handle.closeFile()
        tally.waitForLine { $0 == "tally: reload failed, keeping the previous rules: \(views):3: unexpected symbol near '='" }
        // Phase 5 — still view 3, signup 20: 3 events (g3 back after 109 minutes).
        send(Self.view("g5", 60, "/home"), Self.form("g5", 61, "signup"), Self.view("g3", 120, "/home"))

        // The fix: views are worth 4.
        try Self.renameOver(views, "-- views\ngoal \"view\" { on = \"VIEW\", points = 4 }\n")
        tally.waitForLine { $0 == "tally: reloaded rules (3 goals, 0 outcomes, 1 experiment)" }
        // Phase 6 — view 4: 3 events (g5 back after an hour).
        send(Self.view("g5", 121, "/pricing"), Self.confirm("g2", 125, 30), Self.view("g6", 130, "/home"))
        tally.closeInput()

        let result = tally.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONReport(result.stdout)
        #expect(report["events"]["accepted"].int == 23, "7 + 4 + 4 + 2 + 3 + 3 events written, each counted once")
        #expect(report["events"]["rejected"].int == 1)
        // Views: 3 at 1 point, 2 + 1 + 1 + 2 at 3 points, 2 at 4 points.
        #expect(report["goals"][id: "view"]["reached"].int == 11)
        #expect(report["goals"][id: "view"]["points"].double == 29)  // 3 + 18 + 8
        #expect(report["goals"][id: "view"]["guests"].int == 6)
        // Signups: g1 and g3 at 10, g2 and g5 at 20; g4's newsletter form is not a signup.
        #expect(report["goals"][id: "signup"]["reached"].int == 4)
        #expect(report["goals"][id: "signup"]["points"].double == 60)
        // Orders before the deletion: g2 (100), g1 (40), g2 (60); g4's and g2's later ones do not count.
        #expect(report["goals"][id: "bought"]["reached"].int == 3)
        #expect(report["goals"][id: "bought"]["points"].double == 150)
        #expect(report["goals"][id: "bought"]["guests"].int == 2)
        #expect(report["outcomes"][id: "order"]["reached"].int == 3)
        #expect(report["outcomes"][id: "order"]["value"].double == 200)
        #expect(report["outcome_groups"][0]["value"].double == 200)
        // Current rules first, in definition order, then the removed goal.
        #expect((0..<4).map { report["goals"][$0]["id"].string } == ["view", "signup", "seen", "bought"])
        #expect(report["guests"]["points"].double == 249)  // views 29, signups 60, orders 150, seen 10

        // What no rule change touched is what one `tally run` over the same events says.
        let run = try TallyProcess.run(["run", "--rules", rules, "--format", "json"], stdin: written)
        #expect(run.status == 0)
        let reference = try JSONReport(run.stdout)
        #expect(reference["events"]["accepted"].int == 23)
        for key in ["events", "counters", "experiments"] {
            #expect(try Self.canonical(report[key]) == Self.canonical(reference[key]), "\(key)")
        }
        #expect(report["guests"]["count"].int == 6)
        #expect(report["guests"]["count"].int == reference["guests"]["count"].int)
        #expect(report["sessions"]["count"].int == 11)  // g1 2, g2 3, g3 2, g4 1, g5 2, g6 1
        #expect(report["sessions"]["count"].int == reference["sessions"]["count"].int)
        #expect(report["counters"]["events_seen"].double == 23)
        #expect(report["counters"]["revenue_seen"].double == 300)
        #expect(try Self.canonical(report["goals"][id: "seen"]) == Self.canonical(reference["goals"][id: "seen"]))
        #expect(report["goals"][id: "seen"]["reached"].int == 5)
        #expect(report["experiments"][0]["status"].string == "collecting")
        #expect(report["experiments"][0]["exposed"]["control"].int == 1)

        // Each change was reported once, in order, and nothing else failed.
        let reloads = result.stderrLines.filter { $0.hasPrefix("tally: reload") }
        #expect(reloads.filter { $0.hasPrefix("tally: reload failed") }.count == 1)
        #expect(reloads.count >= 5)
        #expect(result.stderrLines.filter { $0.hasPrefix("stdin:") } == ["stdin:8: " + String(
            run.stderrLines.first { $0.hasPrefix("stdin:8: ") }?.dropFirst("stdin:8: ".count) ?? "")])
    }

    @Test func aFileIsFollowedAsItGrowsAndSIGINTPrintsTheFinalReport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rules = dir.path("rules")
        try dir.write("rules/main.lua", "goal \"view\" { on = \"VIEW\", points = 1 }\n" + Self.stableRules)
        let events = try dir.write("events.jsonl", Self.view("g1", 0, "/home") + Self.exposure("g1", 1, "one_page")
            + Self.view("g2", 2, "/pricing"))

        let tally = try LiveTallyProcess(["watch", "--rules", rules, "--events", events, "--format", "json"])
        tally.waitForLine(startingWith: "tally: watching \(rules) (2 goals, 0 outcomes, 1 experiment), following \"\(events)\"")
        let appender = try #require(FileHandle(forWritingAtPath: events))
        appender.seekToEndOfFile()
        appender.write(Data((Self.confirm("g1", 3, 25) + Self.view("g3", 40, "/home") + "{\"type\":\"VIEW\"}\n").utf8))
        // The bad line 6 is reported while Tally runs: it follows the file.
        tally.waitForLine(startingWith: "\(events):6: ")
        // Two more lines, the last one without its newline, then Ctrl-C.
        appender.write(Data((Self.view("g1", 41, "/pricing") + Self.confirm("g3", 42, 10).dropLast()).utf8))
        appender.closeFile()
        tally.interrupt()

        let result = tally.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONReport(result.stdout)
        #expect(report["events"]["accepted"].int == 7)
        #expect(report["events"]["rejected"].int == 1)
        #expect(report["goals"][id: "view"]["reached"].int == 4)
        // Without rule changes, the report is the one `tally run` prints for the file.
        let run = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json"])
        #expect(result.stdout == run.stdout)
    }

    @Test func aConcludedExperimentIsAnnouncedWithItsPostTestAction() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rules = dir.path("rules")
        try dir.write("rules/x.lua", """
            experiment "checkout" {
              variants = { "control", "one_page" },
              goals = { conversion_rate { id = "orders", on = "CONFIRM" } },
              sample = { base_rate = 0.5, mde = 0.5 },   -- 59 units per variant
              on_conclusive = "promote_winner",
            }
            """)
        let tally = try LiveTallyProcess(["watch", "--rules", rules, "--format", "json"])
        tally.waitForLine(startingWith: "tally: watching")
        // 200 guests alternating between the arms: 1 in 5 convert with the control, 4 in 5 with one_page.
        for batch in 0..<4 {
            var text = ""
            for guest in batch * 50..<(batch + 1) * 50 {
                let variant = guest % 2 == 0 ? "control" : "one_page"
                text += Self.exposure("g\(guest)", guest * 2, variant)
                let converts = variant == "control" ? guest % 10 == 0 : guest % 10 != 1
                if converts { text += Self.confirm("g\(guest)", guest * 2 + 1, 10) }
            }
            tally.write(text)
        }
        tally.waitForLine { $0 == "tally: experiment checkout: winner one_page (promote_winner)" }
        tally.closeInput()
        let result = tally.finish()
        #expect(result.status == 0)
        #expect(result.stderrLines.filter { $0.hasPrefix("tally: experiment") }.count == 1, "announced once")
        let report = try JSONReport(result.stdout)
        #expect(report["experiments"][0]["status"].string == "winner")
        #expect(report["experiments"][0]["action"].string == "promote_winner")
    }

    @Test func reportEveryPrintsJSONLinesAndEndsWithTheFinalReport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rules = dir.path("rules")
        try dir.write("rules/main.lua", "goal \"view\" { on = \"VIEW\", points = 1 }\n")
        let events = try dir.write("events.jsonl", Self.view("g1", 0, "/home") + Self.view("g2", 1, "/home"))
        let tally = try LiveTallyProcess(
            ["watch", "--rules", rules, "--events", events, "--format", "json", "--report-every", "0.05"])
        tally.waitForLine(startingWith: "tally: watching")
        // Wait (polling the output, up to 10 s) for a scheduled report that has both events.
        let deadline = Date().addingTimeInterval(10)
        while !tally.stdout.contains("\"accepted\":2"), Date() < deadline { usleep(20_000) }
        let appender = try #require(FileHandle(forWritingAtPath: events))
        appender.seekToEndOfFile()
        appender.write(Data(Self.view("g3", 2, "/home").utf8))
        appender.closeFile()
        tally.interrupt()
        let result = tally.finish()
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2, "\(result.stdout)")
        for line in lines { #expect((try? JSONReport(line)) != nil, "each report is one line of JSON: \(line)") }
        #expect(try JSONReport(lines.first { $0.contains("\"accepted\":2") } ?? "null")["guests"]["count"].int == 2)
        #expect(try JSONReport(try #require(lines.last))["events"]["accepted"].int == 3)
    }

    @Test func aStreamThatHasEndedGivesTheReportOfRun() throws {
        let (dir, rules, events) = try RunCommandTests.setUp()
        defer { dir.remove() }
        let text = try String(contentsOfFile: events, encoding: .utf8)
        for format in ["table", "json"] {
            let watch = try TallyProcess.run(["watch", "--rules", rules, "--format", format], stdin: text)
            let run = try TallyProcess.run(["run", "--rules", rules, "--format", format], stdin: text)
            #expect(watch.status == 0)
            #expect(watch.stdout == run.stdout, "\(format)")
            #expect(watch.stderrLines.filter { $0.hasPrefix("stdin:") } == run.stderrLines, "rejects as in run")
        }
    }

    @Test func exitCodesAsRun() throws {
        let (dir, rules, events) = try RunCommandTests.setUp()
        defer { dir.remove() }
        try dir.write("broken/main.lua", "goal \"x\" {\n  on = = 1 }\n")
        let cases: [([String], Int32, String)] = [
            (["watch", "--rules", rules, "--format", "xml"], 64, "tally: --format must be table or json, got \"xml\""),
            (["watch", "--rules", rules, "--report-every", "0"], 64,
             "tally: --report-every must be a positive number of seconds, got 0.0"),
            (["watch", "--rules", rules, "--session-timeout", "soon"], 64,
             "tally: --session-timeout must be a positive duration like 30m, 90s or 1h, got \"soon\""),
            (["watch", "--rules", rules, "--allowed-lateness", "soon"], 64,
             "tally: --allowed-lateness must be a duration like 5m, 90s or 0s, got \"soon\""),
            (["serve", "--rules", rules, "--allowed-lateness", "later"], 64,
             "tally: --allowed-lateness must be a duration like 5m, 90s or 0s, got \"later\""),
            (["watch", "--rules", rules, "--events", events, "--rejects", events], 64,
             "tally: --rejects \"\(events)\" is also the events file; it would be overwritten"),
            (["watch", "--rules", dir.path("broken")], 65,
             "tally: \(dir.path("broken"))/main.lua:2: unexpected symbol near '='"),
            (["watch", "--rules", dir.path("nope")], 65,
             "tally: rules directory \"\(dir.path("nope"))\" does not exist or is not a directory"),
            (["watch", "--rules", rules, "--events", dir.path("missing.jsonl")], 66,
             "tally: cannot read events file \"\(dir.path("missing.jsonl"))\": No such file or directory"),
        ]
        for (arguments, status, message) in cases {
            let result = try TallyProcess.run(arguments, stdin: "")
            #expect(result.status == status, "\(arguments)")
            #expect(result.stderrLines.last == message, "\(arguments)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func rejectsCanGoToAFile() throws {
        let (dir, rules, events) = try RunCommandTests.setUp()
        defer { dir.remove() }
        let text = try String(contentsOfFile: events, encoding: .utf8)
        let result = try TallyProcess.run(
            ["watch", "--rules", rules, "--format", "json", "--rejects", dir.path("rejects.txt")], stdin: text)
        #expect(result.status == 0)
        #expect(!result.stderr.contains("stdin:"))
        let run = try TallyProcess.run(["run", "--rules", rules], stdin: text)
        #expect(dir.read("rejects.txt") == run.stderr)
    }
}
