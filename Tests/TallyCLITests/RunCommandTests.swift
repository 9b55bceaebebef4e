import Foundation
import Testing

/// `tally run` end to end: exit codes, messages, rejects, outputs and input sources (SPEC §5).
@Suite struct RunCommandTests {
    /// A small rule set: one goal, one outcome, one experiment.
    static let rules = """
        settings { session_timeout = "30m" }
        goal "signup" { on = "FORM", where = { form = "signup" }, points = 10 }
        outcome "bought" { group = "Sales", on = "CONFIRM", value = function(e) return e.revenue or 0 end, once = false }
        experiment "checkout" {
          variants = { "control", "one_page" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" } },
        }
        """

    /// Events with three bad lines: 3 (not JSON), 5 (no guest), 7 (EXPOSURE to an unknown variant).
    static let events = """
        {"type":"VIEW","guest":"g1","ts":1700000001000,"page":"/home"}
        {"type":"FORM","guest":"g1","ts":1700000002000,"form":"signup"}
        this is not json
        {"type":"EXPOSURE","guest":"g1","ts":1700000003000,"experiment":"checkout","variant":"one_page"}
        {"type":"VIEW","ts":1700000003500}
        {"type":"CONFIRM","guest":"g1","ts":1700000004000,"revenue":120.5}
        {"type":"EXPOSURE","guest":"g2","ts":1700000004500,"experiment":"checkout","variant":"nope"}
        {"type":"EXPOSURE","guest":"g2","ts":1700000005000,"experiment":"checkout","variant":"control"}

        {"type":"view","guest":"g2","ts":1700000006000,"page":"/home"}

        """

    /// A directory with `rules/main.lua` and `events.jsonl`; the caller removes it.
    static func setUp() throws -> (dir: TemporaryDirectory, rules: String, events: String) {
        let dir = try TemporaryDirectory()
        try dir.write("rules/main.lua", rules)
        let events = try dir.write("events.jsonl", events)
        return (dir, dir.path("rules"), events)
    }

    // MARK: Usage errors (64)

    @Test func usageErrorsExit64WithOneLineNamingTheFlag() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let cases: [([String], String)] = [
            (["run", "--rules", rules, "--events", events, "--format", "xml"],
             "tally: --format must be table or json, got \"xml\""),
            (["run", "--rules", rules, "--events", events, "--session-timeout", "soon"],
             "tally: --session-timeout must be a positive duration like 30m, 90s or 1h, got \"soon\""),
            (["run", "--rules", rules, "--events", events, "--session-timeout", "0s"],
             "tally: --session-timeout must be a positive duration like 30m, 90s or 1h, got \"0s\""),
            (["run", "--rules", rules, "--events", events, "--output", events],
             "tally: --output \"\(events)\" is also an events file; it would be overwritten"),
            (["run", "--rules", rules, "--events", events, "--rejects", events],
             "tally: --rejects \"\(events)\" is also an events file; it would be overwritten"),
            (["run", "--rules", rules, "--events", events, "--output", dir.path("x"), "--rejects", dir.path("x")],
             "tally: --output and --rejects must be different files"),
        ]
        for (arguments, message) in cases {
            let result = try TallyProcess.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderrLines == [message], "\(arguments)")
            #expect(result.stdout.isEmpty)
        }
        // The events file was not touched.
        #expect(dir.read("events.jsonl") == Self.events)
    }

    @Test func argumentParserErrorsAlsoExit64() throws {
        let (dir, rules, _) = try Self.setUp()
        defer { dir.remove() }
        for arguments in [["run"], ["run", "--rules", rules, "--bogus"], ["run", "--rules"], ["check"]] {
            let result = try TallyProcess.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix("Error: "), "\(arguments): \(result.stderr)")
        }
    }

    // MARK: Rules that fail to load (65)

    @Test(arguments: [
        // (files, the message after "tally: "), each a separate rules directory.
        ([("a.lua", "goal \"x\" {\n  on = ,\n}")], "rules/a.lua:2: unexpected symbol near ','"),
        ([("a.lua", "\n\ngoal \"x\" { pionts = 3 }")], "rules/a.lua:3: goal 'x': unknown field 'pionts' (did you mean 'points'?)"),
        ([("a.lua", "goal \"dup\" { }"), ("sub/b.lua", "\noutcome \"dup\" { on = \"VIEW\" }")],
         "rules/sub/b.lua:2: duplicate id 'dup': already declared as a goal at rules/a.lua:1"),
        ([("goals.lua", "goal \"real\" { }"),
          ("x.lua", "experiment \"e\" {\n variants = { \"a\", \"b\" },\n goals = { goal_rate { goal = \"missing\" } },\n}")],
         "rules/x.lua:3: experiment 'e': goal_rate refers to unknown goal 'missing'"),
        ([("a.lua", "os.exit(1)")], "rules/a.lua:1: undefined global 'os'"),
    ])
    func rulesThatFailToLoadExit65(files: [(String, String)], message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (name, text) in files { try dir.write("rules/" + name, text) }
        try dir.write("events.jsonl", #"{"type":"VIEW","guest":"g","ts":1700000000001}"# + "\n")
        // Relative paths, run in the directory: messages name rules/....
        for command in [["run", "--rules", "rules", "--events", "events.jsonl"], ["check", "--rules", "rules"]] {
            let result = try TallyProcess.run(command, in: dir.url)
            #expect(result.status == 65, "\(command)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderrLines == ["tally: " + message], "\(command)")
        }
    }

    @Test func longRulePathsAreNamedInFull() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rules = dir.path("a-rules-directory-with-a-rather-long-name/and-a-subdirectory")
        try dir.write("a-rules-directory-with-a-rather-long-name/and-a-subdirectory/goals.lua", "goal \"x\" {\n  on = ,\n}")
        let result = try TallyProcess.run(["check", "--rules", rules])
        #expect(result.status == 65)
        #expect(result.stderrLines == ["tally: \(rules)/goals.lua:2: unexpected symbol near ','"])
    }

    @Test func missingRulesDirectoryExits65() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try TallyProcess.run(["run", "--rules", dir.path("nope")], stdin: "")
        #expect(result.status == 65)
        #expect(result.stderrLines == ["tally: rules directory \"\(dir.path("nope"))\" does not exist or is not a directory"])
    }

    // MARK: Unreadable input (66)

    @Test func missingEventsFileExits66() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let missing = dir.path("missing.jsonl")
        for files in [[missing], [events, missing]] {
            let result = try TallyProcess.run(["run", "--rules", rules] + files.flatMap { ["--events", $0] })
            #expect(result.status == 66)
            #expect(result.stdout.isEmpty)
            #expect(result.stderrLines == ["tally: cannot read events file \"\(missing)\": No such file or directory"])
        }
    }

    @Test func directoryAsEventsFileExits66() throws {
        let (dir, rules, _) = try Self.setUp()
        defer { dir.remove() }
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", dir.path("rules")])
        #expect(result.status == 66)
        #expect(result.stderrLines == ["tally: cannot read events file \"\(dir.path("rules"))\": Is a directory"])
        #expect(result.stdout.isEmpty)
    }

    @Test func unwritableOutputExits73BeforeReading() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let output = dir.path("no/such/dir/report.json")
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--output", output])
        #expect(result.status == 73)
        #expect(result.stderrLines == ["tally: cannot write output file \"\(output)\": No such file or directory"])
    }

    // MARK: Rejected lines

    @Test func rejectedLinesGoToStderrWithLineNumbersAndAreCounted() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderrLines.count == 3)
        #expect(result.stderrLines.map { $0.prefix(while: { $0 != " " }) } == [
            "\(events):3:", "\(events):5:", "\(events):7:",
        ].map { Substring($0) })
        #expect(result.stderrLines[1] == "\(events):5: missing required field \"guest\"")
        #expect(result.stderrLines[2] == "\(events):7: EXPOSURE to unknown variant \"nope\" of experiment \"checkout\"")
        let report = try JSONReport(result.stdout)
        #expect(report["events"]["accepted"].int == 6)
        #expect(report["events"]["rejected"].int == 3)
        #expect(report["guests"]["count"].int == 2)
        #expect(report["experiments"][0]["exposed"]["one_page"].int == 1)
        #expect(report["experiments"][0]["exposed"]["control"].int == 1)
    }

    @Test func rejectsFromStandardInputAreNamedStdin() throws {
        let (dir, rules, _) = try Self.setUp()
        defer { dir.remove() }
        let result = try TallyProcess.run(["run", "--rules", rules, "--format", "json"], stdin: Self.events)
        #expect(result.status == 0)
        #expect(result.stderrLines.map { String($0.prefix(8)) } == ["stdin:3:", "stdin:5:", "stdin:7:"])
    }

    @Test func rejectsFileTakesTheMessagesInsteadOfStderr() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let plain = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json"])
        let result = try TallyProcess.run(
            ["run", "--rules", rules, "--events", events, "--format", "json", "--rejects", dir.path("rejects.txt")])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(dir.read("rejects.txt") == plain.stderr)
        #expect(result.stdout == plain.stdout)
        #expect(try JSONReport(result.stdout)["events"]["rejected"].int == 3)
    }

    @Test func noRejectsGivesAnEmptyRejectsFile() throws {
        let (dir, rules, _) = try Self.setUp()
        defer { dir.remove() }
        let events = try dir.write("clean.jsonl", #"{"type":"VIEW","guest":"g","ts":1700000000001}"# + "\n")
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--rejects", dir.path("r.txt")])
        #expect(result.status == 0)
        #expect(dir.read("r.txt") == "")
    }

    // MARK: Outputs and input sources

    @Test func outputFileHoldsTheReport() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        for format in ["json", "table"] {
            let plain = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", format])
            let result = try TallyProcess.run(
                ["run", "--rules", rules, "--events", events, "--format", format, "--output", dir.path("report.\(format)")])
            #expect(result.status == 0)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr == plain.stderr)
            #expect(dir.read("report.\(format)") == plain.stdout)
            #expect(plain.stdout.hasSuffix("\n"))
        }
        // Nothing left behind but the inputs and the two reports.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        #expect(names == ["events.jsonl", "report.json", "report.table", "rules"])
    }

    @Test func outputFileIsReplaced() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let output = try dir.write("report.json", String(repeating: "old report\n", count: 10_000))
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json", "--output", output])
        #expect(result.status == 0)
        #expect(try JSONReport(dir.read("report.json") ?? "")["events"]["accepted"].int == 6)
    }

    @Test func oneFileSeveralFilesAndStdinGiveTheSameReport() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let lines = Self.events.split(separator: "\n", omittingEmptySubsequences: false)
        let first = try dir.write("part1.jsonl", lines[0..<4].joined(separator: "\n") + "\n")
        let second = try dir.write("part2.jsonl", lines[4..<7].joined(separator: "\n"))  // no final newline
        let third = try dir.write("part3.jsonl", "\n" + lines[7...].joined(separator: "\n"))
        let one = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json"])
        let several = try TallyProcess.run(
            ["run", "--rules", rules, "--events", first, "--events", second, "--events", third, "--format", "json"])
        let stdin = try TallyProcess.run(["run", "--rules", rules, "--format", "json"], stdin: Self.events)
        let dash = try TallyProcess.run(["run", "--rules", rules, "--events", "-", "--format", "json"], stdin: Self.events)
        #expect(one.status == 0 && several.status == 0 && stdin.status == 0 && dash.status == 0)
        #expect(several.stdout == one.stdout)
        #expect(stdin.stdout == one.stdout)
        #expect(dash.stdout == one.stdout)
        #expect(several.stderrLines.map { String($0.split(separator: ":")[0]) } == [first, second, second])
        #expect(try JSONReport(one.stdout)["events"]["rejected"].int == 3)
    }

    @Test func emptyInputGivesAnEmptyReport() throws {
        let (dir, rules, _) = try Self.setUp()
        defer { dir.remove() }
        let result = try TallyProcess.run(["run", "--rules", rules, "--format", "json"], stdin: "")
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let report = try JSONReport(result.stdout)
        #expect(report["events"]["accepted"].int == 0)
        #expect(report["experiments"][0]["status"].string == "collecting")
        #expect(report["experiments"][0]["srm_p_value"].isNull)
    }

    @Test func tableIsTheDefaultFormat() throws {
        let (dir, rules, events) = try Self.setUp()
        defer { dir.remove() }
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", events])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Tally report")
        #expect(lines.contains("  Events accepted      6"))
        #expect(lines.contains("  Events rejected      3"))
        #expect(lines.contains { $0.hasPrefix("    bought") && $0.hasSuffix("$120.50") })
        #expect(lines.contains("  Status    collecting · leading one_page"))
        #expect(lines.contains("  Progress  units 1 / 21,110 per variant (0.0%)"))
    }
}
