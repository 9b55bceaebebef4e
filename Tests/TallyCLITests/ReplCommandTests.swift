import Foundation
import Testing

/// `tally repl` end to end: piped sessions (traces, commands, Lua, bad lines, reloads, :load)
/// and one session on a pseudo-terminal (prompt and line editing by libedit).
@Suite struct ReplCommandTests {
    static let rules = """
        goal "pricing" { name = "Request pricing", on = "FORM", where = { form = "pricing" }, points = 20 }
        goal "visit" { on = "VIEW", points = 1, count = "session" }
        outcome "mql" { name = "Marketing qualified lead", group = "Leads",
                        when = function(guest) return guest.points >= 20 end, value = 250 }
        goal "broken" { on = "BOOM", where = function(e) return e.missing.field end }
        experiment "checkout" {
          variants = { "control", "one_page" },
          goals = { conversion_rate { id = "orders", on = "CONFIRM" } },
        }
        goal "profile" { on = "FORM", where = function(e, guest)
          guest.data.plan = e.plan
          guest.data.score = 1.5
          return false
        end }
        """

    /// A scratch directory with `rules/all.lua`; returns it and the rule file's path.
    static func fixture(_ rules: String = rules) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let file = try dir.write("rules/all.lua", rules)
        return (dir, file)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            .map(String.init)
    }

    @Test func eventsPrintTheirTraces() throws {
        let (dir, file) = try Self.fixture()
        defer { dir.remove() }
        let input = """
            {"type":"VIEW","guest":"g1","ts":1700000001000,"page":"/"}
            {"type":"FORM","guest":"g1","ts":1700000002000,"form":"pricing"}
            {"type":"EXPOSURE","guest":"g1","ts":1700000003000,"experiment":"checkout","variant":"one_page"}
            {"type":"CONFIRM","guest":"g1","ts":1700000004000}
            {"type":"EXPOSURE","guest":"g1","ts":1700000005000,"experiment":"checkout","variant":"one_page"}
            {"type":"EXPOSURE","guest":"g1","ts":1700000005000,"experiment":"checkout","variant":"control"}
            {"type":"BOOM","guest":"g1","ts":1700000006000}
            {"type":"VIEW","guest":"g1","ts":1700000000500}

            {"type":"VIEW","guest":"g1","ts":1700099999999}
              {"type":"VIEW","guest":"g2","ts":1700000001000,"session":"s-1"}

            """
        let result = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--no-watch"], stdin: input)
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(Self.lines(result.stdout) == [
            "guest g1, session g1#1 (new)",
            "goal visit: +1 points, guest total 1",
            "guest g1, session g1#1 (continued)",
            "goal Request pricing (pricing): +20 points, guest total 21",
            "outcome Marketing qualified lead (mql): 250.00 USD",
            "guest g1, session g1#1 (continued)",
            "exposure checkout: one_page (new)",
            "guest g1, session g1#1 (continued)",
            "metric checkout/orders: one_page",
            "guest g1, session g1#1 (continued)",
            "exposure checkout: one_page (repeat)",
            "guest g1, session g1#1 (continued)",
            "exposure checkout: control (conflict: a multiple exposure, the first variant stays)",
            "guest g1, session g1#1 (continued)",
            "rule error: broken at \(file):5: attempt to index a nil value (field 'missing')",
            "guest g1, session g1#1 (continued)",
            "no goals reached",
            "out of order: processed at the guest's previous time",
            "guest g1, session g1#2 (new)",
            "goal visit: +1 points, guest total 22",
            "guest g2, session s-1 (new)",
            "goal visit: +1 points, guest total 1",
        ])
    }

    @Test func badLinesPrintOneLineErrorsAndTheSessionGoesOn() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let input = """
            {"type":"VIEW","ts":1700000001000}
            {"type":"EXPOSURE","guest":"g1","ts":1700000000001,"experiment":"nope","variant":"a"}
            {bad json
            :nope
            x = = 1
            nosuch()
            {"type":"VIEW","guest":"g1","ts":1700000001000}
            :report json
            """
        let result = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--no-watch"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stderrLines == [
            "error: line 1: missing required field \"guest\"",
            "error: line 2: EXPOSURE to unknown experiment \"nope\"",
            "error: line 3: not valid JSON: expected a string key, found 'b' at column 2",
            "error: unknown command \":nope\" (:help lists the commands)",
            "error: repl:1: unexpected symbol near '='",
            "error: repl:1: undefined global 'nosuch'",
        ])
        #expect(result.stdout.hasPrefix("guest g1, session g1#1 (new)\ngoal visit: +1 points, guest total 1\n{"))
        let report = try JSONReport(String(result.stdout.drop { $0 != "{" }))
        #expect(report["events"]["accepted"].int == 1)
        #expect(report["events"]["rejected"].int == 3)
    }

    @Test func luaExpressionsStatementsGlobalsAndProfiles() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let input = """
            1 + 1
            x = 40
            x + 2
            "a", 1, nil, true, 2.5
            {"type":"FORM","guest":"g1","ts":1700000001000,"form":"pricing","plan":"pro"}
            guest("g1").points
            guest("g1").goals.pricing, guest("g1").outcomes.mql, guest("g1").session.events
            guest("nobody")
            goals.pricing.points
            """
        let result = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--no-watch"], stdin: input)
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(Self.lines(result.stdout) == [
            "2",
            "42",
            "\"a\"\t1\tnil\ttrue\t2.5",
            "guest g1, session g1#1 (new)",
            "goal Request pricing (pricing): +20 points, guest total 20",
            "outcome Marketing qualified lead (mql): 250.00 USD",
            "20.0",
            "1\ttrue\t1",
            "nil",
            "20",
        ])
    }

    /// The console's globals are strict, as in rule files: a name nobody assigned is an error;
    /// what a line assigns persists; a `local` lives only for its line.
    @Test func undefinedGlobalsAreErrorsAndAssignedOnesPersist() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let input = """
            nosuch
            x = 40
            x + 2
            local y = 1
            y
            x = nil
            x
            tostring(math.floor(2.5)) .. string.upper("a")
            """
        let result = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--no-watch"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stderrLines == [
            "error: repl:1: undefined global 'nosuch'",
            "error: repl:1: undefined global 'y'",
            "error: repl:1: undefined global 'x'",
        ])
        #expect(Self.lines(result.stdout) == ["42", "\"2A\""])
    }

    @Test func guestReportRulesHelpAndQuit() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let input = """
            {"type":"VIEW","guest":"g1","ts":1700000001000}
            {"type":"FORM","guest":"g1","ts":1700000002000,"form":"pricing","plan":"pro"}
            {"type":"EXPOSURE","guest":"g1","ts":1700000003000,"experiment":"checkout","variant":"one_page"}
            :guest g1
            :guest nobody
            :guest
            :report
            :report json
            :report xml
            :help
            :rules
            :quit
            {bad line after quit
            """
        let result = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--no-watch"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stderrLines == [
            "error: no guest \"nobody\"",
            "error: :guest takes one guest id, e.g. :guest g1",
            "error: :report takes json, table or nothing",
        ])
        let stdout = result.stdout
        let profile = """
            guest g1
              points       21
              sessions     1
              session      g1#1 (open): 21 points, 1 view, 3 events, last event 2023-11-14T22:13:23.000Z
              goals        pricing ×1, visit ×1
              outcomes     mql
              data         plan = "pro", score = 1.5
              experiments  checkout: one_page

            """
        #expect(stdout.contains(profile))
        #expect(stdout.contains("Tally report\n  Events accepted      3\n"))
        #expect(stdout.contains("    Marketing qualified lead (mql)        1       1  $250.00\n"))
        #expect(stdout.contains("    \"accepted\": 3,"))
        #expect(stdout.contains("  :reload          reload the rules directory"))

        // :rules prints exactly what `tally check` prints.
        let check = try TallyProcess.run(["check", "--rules", dir.path("rules")])
        #expect(check.status == 0)
        #expect(stdout.hasSuffix(check.stdout))
    }

    @Test func loadIngestsAFileAndSummarises() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let events = try dir.write("events.jsonl", """
            {"type":"VIEW","guest":"g1","ts":1700000001000}
            {oops
            {"type":"FORM","guest":"g1","ts":1700000002000,"form":"pricing"}
            {"type":"VIEW","guest":"g2","ts":1700000002000}
            """)
        let clean = try dir.write("clean.jsonl", "{\"type\":\"VIEW\",\"guest\":\"g3\",\"ts\":1700000000001}\n")
        let input = """
            :load \(events)
            :guest g1
            :load \(clean)
            :load \(dir.path("missing.jsonl"))
            """
        let result = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--no-watch"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stderrLines == [
            "\(events):2: not valid JSON: expected a string key, found 'o' at column 2",
            "error: cannot read events file \"\(dir.path("missing.jsonl"))\": No such file or directory",
        ])
        let lines = Self.lines(result.stdout)
        #expect(lines.first == "loaded \(events): 3 events accepted, 1 rejected")
        #expect(lines.contains("  points       21"))
        #expect(lines.last == "loaded \(clean): 1 event accepted, 0 rejected")
    }

    @Test func eventsFileIsIngestedFirstAndACleanSessionExitsZero() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let events = try dir.write("pre.jsonl", """
            {"type":"FORM","guest":"g1","ts":1700000001000,"form":"pricing"}
            {"type":"FORM","ts":1700000001000}
            """)
        let result = try TallyProcess.run(
            ["repl", "--rules", dir.path("rules"), "--events", events, "--no-watch"],
            stdin: "guest(\"g1\").points\n{\"type\":\"VIEW\",\"guest\":\"g1\",\"ts\":1700007200000}\n")
        #expect(result.status == 0)
        #expect(result.stderrLines == ["\(events):2: missing required field \"guest\""])
        #expect(Self.lines(result.stdout) == [
            "20.0",
            "guest g1, session g1#2 (new)",
            "goal visit: +1 points, guest total 21",
        ])
    }

    @Test func usageAndRuleErrorsExitBeforeTheSession() throws {
        let (dir, file) = try Self.fixture("goal \"a\" {\n  on = 42,\n}\n")
        defer { dir.remove() }
        let broken = try TallyProcess.run(["repl", "--rules", dir.path("rules")], stdin: "1+1\n")
        #expect(broken.status == 65)
        #expect(broken.stdout == "")
        #expect(broken.stderr.hasPrefix("tally: \(file):"))

        try dir.write("rules/all.lua", Self.rules)
        let timeout = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--session-timeout", "soon"])
        #expect(timeout.status == 64)
        #expect(timeout.stderrLines == ["tally: --session-timeout must be a positive duration like 30m, 90s or 1h, got \"soon\""])

        let missing = try TallyProcess.run(["repl", "--rules", dir.path("rules"), "--events", dir.path("none.jsonl")])
        #expect(missing.status == 66)
    }

    // MARK: Interactive sessions

    @Test func reloadAfterEditingAndAfterBreakingARuleFile() throws {
        let (dir, file) = try Self.fixture()
        defer { dir.remove() }
        let repl = try ReplProcess(["repl", "--rules", dir.path("rules"), "--no-watch"], home: dir.url)
        defer { repl.stop() }

        repl.send("{\"type\":\"FORM\",\"guest\":\"g1\",\"ts\":1700000001000,\"form\":\"pricing\"}\n")
        #expect(repl.waitFor("guest total 20\n"))
        repl.send("marker = 7\n")

        try dir.write("rules/all.lua", Self.rules.replacingOccurrences(of: "points = 20", with: "points = 25"))
        repl.send(":reload\n")
        #expect(repl.waitFor("rules reloaded\n"))
        repl.send("{\"type\":\"FORM\",\"guest\":\"g2\",\"ts\":1700000001000,\"form\":\"pricing\"}\n")
        #expect(repl.waitFor("goal Request pricing (pricing): +25 points, guest total 25\n"))
        // Console globals lived in the old VM: in the new one, `marker` is undefined.
        repl.send("marker\n")
        #expect(repl.waitFor("error: repl:1: undefined global 'marker'\n", in: .stderr))

        try dir.write("rules/all.lua", "goal \"a\" { on = \"VIEW\" }\ngoal \"b\" { on = = }\n")
        repl.send(":reload\n")
        #expect(repl.waitFor("error: \(file):2: unexpected symbol near '=' (the old rules stay)\n", in: .stderr))
        repl.send("{\"type\":\"FORM\",\"guest\":\"g3\",\"ts\":1700000001000,\"form\":\"pricing\"}\n")
        #expect(repl.waitFor("guest g3, session g3#1 (new)\ngoal Request pricing (pricing): +25 points"))

        let status = repl.finish()
        #expect(status == 1)  // the failed :reload
    }

    @Test func watchedRulesReloadWhenAFileChanges() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let repl = try ReplProcess(["repl", "--rules", dir.path("rules")], home: dir.url)
        defer { repl.stop() }

        repl.send("1 + 1\n")
        #expect(repl.waitFor("2\n"))  // the session (and its watcher) is running
        try dir.write("rules/all.lua", Self.rules.replacingOccurrences(of: "points = 20", with: "points = 30"))
        #expect(repl.waitFor("2\nrules reloaded\n"))
        repl.send("{\"type\":\"FORM\",\"guest\":\"g1\",\"ts\":1700000001000,\"form\":\"pricing\"}\n")
        #expect(repl.waitFor("goal Request pricing (pricing): +30 points, guest total 30\n"))
        #expect(repl.finish() == 0)
    }

    @Test func terminalShowsThePromptAndEvaluatesATypedLine() throws {
        let (dir, _) = try Self.fixture()
        defer { dir.remove() }
        let repl = try ReplProcess(["repl", "--rules", dir.path("rules"), "--no-watch"], home: dir.url, terminal: true)
        defer { repl.stop() }

        // Each line is typed once its prompt is up: libedit switches the terminal to raw mode
        // for the prompt, and a Ctrl-D typed before that is the cooked mode's end of file.
        #expect(repl.waitFor("tally> "))
        repl.send("40+2\r")
        #expect(repl.waitFor("42\r\ntally> "))
        repl.send("{\"type\":\"VIEW\",\"guest\":\"g1\",\"ts\":1700000000001}\r")
        #expect(repl.waitFor("goal visit: +1 points, guest total 1\r\ntally> "))
        repl.send(":nope\r")
        #expect(repl.waitFor("error: unknown command \":nope\" (:help lists the commands)\r\ntally> "))
        repl.send("\u{04}")  // Ctrl-D on an empty line ends the session
        #expect(repl.finish() == 0)  // failures set the exit status only with piped input
        let history = dir.read(".tally_history") ?? ""
        #expect(history.contains("40+2\n"))
    }
}

/// A running `tally repl` whose standard input is written and whose output is read while it
/// runs: through pipes, or through a pseudo-terminal (`terminal: true`; then standard error
/// arrives with standard output).
final class ReplProcess {
    enum Stream { case stdout, stderr }

    private let process = Process()
    private let input: Int32
    private var readers: [(fd: Int32, stream: Stream)]
    private var received: [Stream: [UInt8]] = [.stdout: [], .stderr: []]
    /// The pipes (their file handles close the descriptors), or the terminal's master side.
    private var pipes: [Pipe] = []
    private var terminal: Int32?

    init(_ arguments: [String], home: URL, terminal: Bool = false) throws {
        process.executableURL = TallyProcess.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["TERM"] = "xterm"
        process.environment = environment
        signal(SIGPIPE, SIG_IGN)  // a write after the REPL ended must not end the tests
        if terminal {
            var master: Int32 = -1
            var slave: Int32 = -1
            var size = winsize(ws_row: 24, ws_col: 200, ws_xpixel: 0, ws_ypixel: 0)
            guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw POSIXError(.ENXIO) }
            _ = fcntl(master, F_SETFD, FD_CLOEXEC)
            let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
            process.standardInput = handle
            process.standardOutput = handle
            process.standardError = handle
            input = master
            readers = [(master, .stdout)]
            self.terminal = master
            try process.run()
            close(slave)
        } else {
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            input = stdin.fileHandleForWriting.fileDescriptor
            readers = [(stdout.fileHandleForReading.fileDescriptor, .stdout),
                       (stderr.fileHandleForReading.fileDescriptor, .stderr)]
            for fd in [input] + readers.map(\.fd) { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            pipes = [stdin, stdout, stderr]
            try process.run()
        }
    }

    deinit {
        if let terminal { close(terminal) }
    }

    /// Writes `text` to the REPL's input.
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
    }

    /// Everything received on `stream` so far.
    func output(_ stream: Stream = .stdout) -> String {
        String(decoding: received[stream] ?? [], as: UTF8.self)
    }

    /// Reads until `text` has arrived on `stream` (true) or `seconds` pass (false).
    func waitFor(_ text: String, in stream: Stream = .stdout, seconds: Double = 20,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !output(stream).contains(text) {
            guard Date() < deadline, !readers.isEmpty else {
                Issue.record("no \(text.debugDescription) on \(stream); received:\n\(output(.stdout))\n\(output(.stderr))",
                             sourceLocation: sourceLocation)
                return false
            }
            readAvailable(milliseconds: 100)
        }
        return true
    }

    /// Closes the input, reads the rest and returns the exit status.
    func finish(seconds: Double = 20) -> Int32 {
        if let stdin = pipes.first { try? stdin.fileHandleForWriting.close() }
        let deadline = Date().addingTimeInterval(seconds)
        while !readers.isEmpty && Date() < deadline { readAvailable(milliseconds: 100) }
        if process.isRunning { stop() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Ends the process if it still runs (SIGKILL: the test runner's threads may block SIGTERM,
    /// and a child inherits that mask).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func readAvailable(milliseconds: Int32) {
        var descriptors = readers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        guard poll(&descriptors, nfds_t(descriptors.count), milliseconds) > 0 else { return }
        var finished: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
            let count = read(descriptor.fd, &buffer, buffer.count)
            if count > 0 {
                received[readers[index].stream, default: []] += buffer[0..<count]
            } else {
                finished.append(descriptor.fd)  // end of file, or EIO once a terminal's last user exits
            }
        }
        readers.removeAll { finished.contains($0.fd) }
    }
}
