import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tally run --state FILE` end to end: two halves give the one-pass report, a rerun of the
/// same command changes nothing, a state file that is not Tally's is refused untouched, and a
/// run killed with SIGKILL at a random moment, then run again, ends with exact figures.
@Suite(.serialized) struct RunStateTests {
    static let rules = """
        settings { session_timeout = "30m" }
        goal "view" { on = "VIEW", points = 1, count = "session" }
        goal "signup" { on = "FORM", where = { form = "signup" }, points = 10, count = "guest" }
        goal "scored" { on = "VIEW", where = function(e, guest) count("views"); return (e.score or 0) > 7 end, points = 3 }
        outcome "bought" { group = "Sales", on = "CONFIRM", value = function(e) return e.revenue or 0 end, once = false }
        outcome "engaged" { group = "Sales", when = function(guest) return guest.points >= 15 end, value = 5 }
        experiment "checkout" {
          variants = { "control", "one_page" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" }, revenue { per = "session" },
                    bounce_rate { page = "/checkout" } },
        }
        """

    /// `count` seeded events for `guests` guests (with a bad line now and then).
    static func events(count: Int, guests: Int, seed: UInt64) -> [String] {
        var random = StateTestRandom(seed: seed)
        var lines: [String] = []
        let pages = ["/home", "/pricing", "/checkout", "/docs"]
        for index in 0..<count {
            let guest = "g\(random.next() % UInt64(guests))"
            let ts = 1_700_000_000_000 + Int64(index) * 9_000 + Int64(random.next() % 5_000)
            let kind = random.next() % 20
            switch kind {
            case 0: lines.append("{\"type\":\"EXPOSURE\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"experiment\":\"checkout\",\"variant\":\"\(random.next() % 2 == 0 ? "control" : "one_page")\"}")
            case 1: lines.append("{\"type\":\"FORM\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"form\":\"signup\"}")
            case 2: lines.append("{\"type\":\"CONFIRM\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"revenue\":\(10 + random.next() % 90)}")
            case 3: lines.append("not json \(index)")
            default:
                lines.append("{\"type\":\"VIEW\",\"guest\":\"\(guest)\",\"ts\":\(ts),\"page\":\"\(pages[Int(random.next() % 4)])\",\"score\":\(random.next() % 10)}")
            }
        }
        return lines
    }

    static func text(_ lines: some Sequence<String>) -> String { lines.joined(separator: "\n") + "\n" }

    @Test func twoHalvesWithARestartGiveTheOnePassReport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let lines = Self.events(count: 2_000, guests: 150, seed: 1)
        let all = try dir.write("all.jsonl", Self.text(lines))
        let first = try dir.write("first.jsonl", Self.text(lines[..<900]))
        let second = try dir.write("second.jsonl", Self.text(lines[900...]))
        let onePass = try TallyProcess.run(["run", "--rules", rules, "--events", all, "--format", "json"])
        #expect(onePass.status == 0)

        // Two files, two runs.
        let state = dir.path("two-files.db")
        let half = try TallyProcess.run(["run", "--rules", rules, "--events", first, "--format", "json", "--state", state])
        #expect(half.status == 0, "\(half.stderr)")
        #expect(half.stdout != onePass.stdout)
        let rest = try TallyProcess.run(["run", "--rules", rules, "--events", second, "--format", "json", "--state", state])
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stdout == onePass.stdout)

        // One file that grows between the runs; then the same command again changes nothing.
        let growing = try dir.write("growing.jsonl", Self.text(lines[..<900]))
        let grown = dir.path("grown.db")
        #expect(try TallyProcess.run(["run", "--rules", rules, "--events", growing, "--state", grown]).status == 0)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: growing))
        handle.seekToEndOfFile()
        handle.write(Data(Self.text(lines[900...]).utf8))
        try handle.close()
        let continued = try TallyProcess.run(["run", "--rules", rules, "--events", growing, "--format", "json", "--state", grown])
        #expect(continued.stdout == onePass.stdout)
        #expect(continued.stderr.contains("tally: state: events file \"\(growing)\": skipped 900 lines an earlier run had read"))
        #expect(!continued.stderr.contains("\(growing):5: "), "lines of the first run are not rejected again")
        let again = try TallyProcess.run(["run", "--rules", rules, "--events", growing, "--format", "json", "--state", grown])
        #expect(again.stdout == onePass.stdout)
        #expect(again.stderr.contains("skipped 2000 lines"))

        // Standard input is new events each time.
        let piped = dir.path("piped.db")
        _ = try TallyProcess.run(["run", "--rules", rules, "--state", piped], stdin: Self.text(lines[..<900]))
        let pipedRest = try TallyProcess.run(["run", "--rules", rules, "--format", "json", "--state", piped],
                                             stdin: Self.text(lines[900...]))
        #expect(pipedRest.stdout == onePass.stdout)
    }

    @Test func aStateFileThatIsNotTallysIsRefusedAndLeftAsItIs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let events = try dir.write("events.jsonl", Self.text(Self.events(count: 20, guests: 5, seed: 2)))
        var random = StateTestRandom(seed: 3)
        let junk = Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        let state = dir.path("junk.db")
        try junk.write(to: URL(fileURLWithPath: state))
        let result = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--state", state])
        #expect(result.status == 74)
        #expect(result.stderrLines == ["tally: state file \"\(state)\": not a Tally state file (not an SQLite database); it was left as it is"])
        #expect(result.stdout == "")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == junk)
    }

    /// SIGKILL at a random moment of a `run --state` (small batches and frequent checkpoints, so
    /// kills land between, inside and around journal commits and checkpoints), then the same
    /// command again to completion: the report equals one clean pass, exactly.
    @Test func killedRunsResumeWithExactCounts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let events = try dir.write("events.jsonl", Self.text(Self.events(count: 3_000, guests: 200, seed: 4)))
        let onePass = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json"])
        let expected = try JSONReport(onePass.stdout)
        let arguments = ["run", "--rules", rules, "--events", events, "--format", "json",
                         "--state-batch-bytes", "4096", "--checkpoint-events", "700"]

        // How long a whole run takes here, to spread the kills over it.
        let timed = Date()
        _ = try TallyProcess.run(arguments + ["--state", dir.path("timing.db")])
        let runMicroseconds = max(50_000, Int(Date().timeIntervalSince(timed) * 1_000_000))

        var random = StateTestRandom(seed: 2024)
        var killedMidway = 0
        for trial in 0..<20 {
            let state = dir.path("trial-\(trial).db")
            let process = Process()
            process.executableURL = TallyProcess.binary
            process.arguments = arguments + ["--state", state]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Within the first 80% of a run's time: on a busy machine runs vary.
            usleep(useconds_t(Int(random.next() % UInt64(runMicroseconds * 4 / 5))))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killedMidway += 1 }

            let rerun = try TallyProcess.run(arguments + ["--state", state])
            #expect(rerun.status == 0, "trial \(trial): \(rerun.stderr)")
            let report = try JSONReport(rerun.stdout)
            #expect(report["events"]["accepted"].int == expected["events"]["accepted"].int, "trial \(trial)")
            #expect(report["events"]["rejected"].int == expected["events"]["rejected"].int, "trial \(trial)")
            #expect(report["guests"]["count"].int == expected["guests"]["count"].int, "trial \(trial)")
            for index in 0..<3 {
                #expect(report["goals"][index]["reached"].int == expected["goals"][index]["reached"].int, "trial \(trial)")
            }
            #expect(rerun.stdout == onePass.stdout, "trial \(trial): the whole report")
        }
        // A sanity check that the test exercises what it is about (kills are timed, and a shared
        // machine's speed varies): a quarter of them landing mid-run is plenty.
        #expect(killedMidway >= 5, "kills should land while tally runs")
    }
}

/// SplitMix64 for seeded test data.
struct StateTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
