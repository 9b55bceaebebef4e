import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tally watch --state` and `tally repl --state` end to end (docs/state.md): two halves with a
/// restart give the one-pass report; a watch killed with SIGKILL while following a file loses
/// nothing and counts nothing twice; a REPL session's events and profiles survive into the next.
@Suite(.serialized) struct WatchReplStateTests {
    static let rules = RunStateTests.rules

    /// The report as canonical JSON text (sorted keys), to compare reports printed in two styles.
    static func canonical(_ text: String) throws -> String {
        try WatchCommandTests.canonical(JSONReport(text))
    }

    @Test func watchOnStandardInputInTwoHalvesGivesTheOnePassReport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let lines = RunStateTests.events(count: 1_500, guests: 120, seed: 11)
        let all = try dir.write("all.jsonl", RunStateTests.text(lines))
        let onePass = try TallyProcess.run(["run", "--rules", rules, "--events", all, "--format", "json"])
        #expect(onePass.status == 0)
        let state = dir.path("watch.db")
        let first = try TallyProcess.run(["watch", "--rules", rules, "--format", "json", "--state", state,
                                          "--state-batch-bytes", "4096"],
                                         stdin: RunStateTests.text(lines[..<700]))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Self.canonical(first.stdout) != Self.canonical(onePass.stdout))
        let second = try TallyProcess.run(["watch", "--rules", rules, "--format", "json", "--state", state],
                                          stdin: RunStateTests.text(lines[700...]))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.canonical(second.stdout) == Self.canonical(onePass.stdout))
        // run --state reads the same state: nothing more on standard input, the same report.
        let after = try TallyProcess.run(["run", "--rules", rules, "--format", "json", "--state", state], stdin: "")
        #expect(after.stdout == onePass.stdout)
    }

    /// `watch --state --events FILE` killed with SIGKILL once reports show it has been reading,
    /// then `run --state` over the same file: it continues from the recorded position and the
    /// report equals one clean pass, exactly.
    @Test func watchKilledWhileFollowingAFileResumesWithExactCounts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let events = try dir.write("events.jsonl", RunStateTests.text(RunStateTests.events(count: 3_000, guests: 200, seed: 12)))
        let onePass = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json"])
        var random = StateTestRandom(seed: 13)
        for trial in 0..<5 {
            let state = dir.path("killed-\(trial).db")
            let watch = try LiveTallyProcess(["watch", "--rules", rules, "--events", events, "--state", state,
                                              "--format", "json", "--report-every", "0.02",
                                              "--state-batch-bytes", "2048", "--checkpoint-events", "700"])
            watch.waitForLine(startingWith: "tally: watching")
            // A scheduled report shows events were read; then a little more time, then SIGKILL.
            let deadline = Date().addingTimeInterval(10)
            while !watch.stdout.contains("\"accepted\"") && Date() < deadline { usleep(2_000) }
            usleep(useconds_t(random.next() % 30_000))
            watch.killNow()
            let killed = watch.finish()
            #expect(killed.status != 0)
            let rerun = try TallyProcess.run(["run", "--rules", rules, "--events", events, "--format", "json",
                                              "--state", state])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout == onePass.stdout, "trial \(trial)")
        }
    }

    @Test func watchFollowingAFileContinuesWhereItStoppedAfterSIGINT() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let lines = RunStateTests.events(count: 600, guests: 50, seed: 14)
        let all = try dir.write("all.jsonl", RunStateTests.text(lines))
        let onePass = try TallyProcess.run(["run", "--rules", rules, "--events", all, "--format", "json"])
        let growing = try dir.write("growing.jsonl", RunStateTests.text(lines[..<250]))
        let state = dir.path("follow.db")
        let watch = try LiveTallyProcess(["watch", "--rules", rules, "--events", growing, "--state", state,
                                          "--format", "json", "--report-every", "0.02"])
        watch.waitForLine(startingWith: "tally: watching")
        let deadline = Date().addingTimeInterval(10)
        while !watch.stdout.contains("\"accepted\":\(lines[..<250].filter { !$0.hasPrefix("not") }.count)")
            && Date() < deadline { usleep(5_000) }
        watch.interrupt()
        #expect(watch.finish().status == 0)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: growing))
        handle.seekToEndOfFile()
        handle.write(Data(RunStateTests.text(lines[250...]).utf8))
        try handle.close()
        let again = try LiveTallyProcess(["watch", "--rules", rules, "--events", growing, "--state", state,
                                          "--format", "json"])
        again.waitForLine(startingWith: "tally: state: events file \"\(growing)\": skipped 250 lines")
        again.waitForLine(startingWith: "tally: watching")
        usleep(300_000)
        again.interrupt()
        let result = again.finish()
        #expect(result.status == 0)
        #expect(try Self.canonical(result.stdout) == Self.canonical(onePass.stdout))
    }

    @Test func replSessionsKeepEventsAndProfilesInTheStateFile() throws {
        let (dir, _) = try ReplCommandTests.fixture()
        defer { dir.remove() }
        let rules = dir.path("rules")
        let state = dir.path("repl.db")
        let loaded = try dir.write("more.jsonl", WatchCommandTests.view("g2", 3, "/home") + WatchCommandTests.view("g2", 4, "/pricing"))
        let first = try TallyProcess.run(["repl", "--rules", rules, "--no-watch", "--state", state], stdin:
            WatchCommandTests.view("g1", 0, "/home")
            + WatchCommandTests.line("FORM", "g1", 1, "\"form\":\"signup\",\"plan\":\"pro\"")
            + ":load \(loaded)\n"
            + ":quit\n")
        #expect(first.status == 0, "\(first.stderr)")
        let firstGuest = try TallyProcess.run(["repl", "--rules", rules, "--no-watch"], stdin:
            WatchCommandTests.view("g1", 0, "/home")
            + WatchCommandTests.line("FORM", "g1", 1, "\"form\":\"signup\",\"plan\":\"pro\"")
            + ":load \(loaded)\n:guest g1\n:report json\n")
        let second = try TallyProcess.run(["repl", "--rules", rules, "--no-watch", "--state", state],
                                          stdin: ":guest g1\n:report json\n")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("note: restored state: 4 events, 2 guests"), "\(second.stderr)")
        // The same profile and report as one session that did it all.
        let expected = firstGuest.stdout[firstGuest.stdout.range(of: "guest g1\n")!.lowerBound...]
        #expect(second.stdout == String(expected))
        #expect(second.stdout.contains("plan = \"pro\""))
        let report = try JSONReport(String(second.stdout[second.stdout.range(of: "{")!.lowerBound...]))
        #expect(report["events"]["accepted"].int == 4)
    }

    @Test func aRefusedStateFileExits74() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/main.lua", Self.rules)
        let rules = dir.path("rules")
        let state = try dir.write("junk.db", String(repeating: "not sqlite ", count: 50))
        let watch = try TallyProcess.run(["watch", "--rules", rules, "--state", state], stdin: "")
        #expect(watch.status == 74)
        #expect(watch.stderr.contains("not a Tally state file"))
        let repl = try TallyProcess.run(["repl", "--rules", rules, "--no-watch", "--state", state], stdin: ":quit\n")
        #expect(repl.status == 74)
        #expect(repl.stderr.contains("not a Tally state file"))
    }
}
