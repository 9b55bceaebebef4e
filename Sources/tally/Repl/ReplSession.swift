import TallyCore

/// Where a REPL session writes: results to `out`, errors and rejected lines to `err`. Each call
/// is one or more complete lines, each ending in `\n`.
struct ReplOutput {
    var out: (String) -> Void
    var err: (String) -> Void

    /// Standard output and standard error, written at once (no buffering, so the two stay in
    /// order on a terminal and nothing is lost on exit).
    static var standard: ReplOutput {
        ReplOutput(out: { _ = TextSink.writeAll(Array($0.utf8), to: 1) },
                   err: { _ = TextSink.writeAll(Array($0.utf8), to: 2) })
    }
}

/// One `tally repl` session over an engine (docs/repl.md): each input line is an event (it
/// starts with `{`), a command (it starts with `:`) or Lua. The session knows nothing of
/// terminals or file descriptors: ``Repl`` (ReplCommand.swift) feeds it lines from standard input.
///
/// A line that fails (a rejected event, an unknown or failing command, a Lua error) prints a
/// one-line `error: ...` and sets ``failed``; the session goes on.
final class ReplSession {
    let engine: Engine
    let rulesDirectory: String
    let output: ReplOutput
    /// True once a line has failed (piped input then exits with status 1).
    private(set) var failed = false
    /// True after `:quit`.
    private(set) var quit = false
    var parser = EventParser()
    /// With `--state`: events, `:load` batches and reloads go through it (journaled).
    var durable: DurableEngine?
    /// With `--state`: why the state file could not be written (the session ends; exit 74).
    var stateError: StateStoreError?

    /// A session over `engine`, whose rules were loaded from `rulesDirectory` (for `:reload`).
    /// Turns tracing on and routes the rules' `log(...)` lines and first rule failures (outside
    /// traced events, e.g. during `:load`) to standard error.
    init(engine: Engine, rulesDirectory: String, output: ReplOutput = .standard) {
        self.engine = engine
        self.rulesDirectory = rulesDirectory
        self.output = output
        engine.tracing = true
        engine.onLog = { line in output.err("log: \(line)\n") }
        engine.onRuleError = { [unowned engine] error in
            // A traced event prints its rule errors itself.
            guard !engine.tracing else { return }
            output.err("rule \"\(error.rule)\" failed at \(error.file):\(error.line): \(error.message)"
                + " (every failure is counted in the report)\n")
        }
    }

    // MARK: Lines

    /// Handles one input line (blank lines are skipped by ``EventIntake`` and the line editor).
    func handle(_ line: EventIntake.Line) {
        guard !quit else { return }
        switch line {
        case .oversize:
            event(parser.parse(line))  // too long for an event: rejected as one
        case .text(let bytes, _):
            let first = bytes.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            guard let first else { return }
            switch bytes[first] {
            case UInt8(ascii: "{"):
                if let durable {
                    durableEvent(Array(bytes), number: line.number, durable: durable)
                } else {
                    event(parser.parse(line))
                }
            case UInt8(ascii: ":"):
                command(String(decoding: bytes[first...], as: UTF8.self))
            default:
                lua(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Ingests one parsed event with tracing on and prints what it did, or the rejection.
    private func event(_ result: Result<Event, EventRejection>) {
        switch result {
        case .failure(let rejection):
            engine.countRejected()
            fail(rejection.description)
        case .success(let event):
            if let rejection = engine.ingest(event) { return fail(rejection.description) }
            var lines = TraceText.lines(engine.lastTrace)
            lines += engine.advance().map(TraceText.statusChange)
            say(lines)
        }
    }

    /// With `--state`: ingests one event line, journals it (with the advance), then prints its
    /// trace and the status changes, or the rejection.
    private func durableEvent(_ bytes: [UInt8], number: Int, durable: DurableEngine) {
        var rejection: EventRejection?
        var changes: [Report.ExperimentSummary] = []
        do {
            try durable.apply(lines: bytes + [0x0A], input: "repl", firstLine: number, advance: true,
                              onReject: { rejection = $0 }, onAdvance: { changes = $0 })
        } catch {
            return stateFailed(error)
        }
        if let rejection { return fail(rejection.description) }
        say(TraceText.lines(engine.lastTrace) + changes.map(TraceText.statusChange))
    }

    /// The state file could not be written: says so and ends the session (exit 74).
    func stateFailed(_ error: StateStoreError) {
        stateError = error
        fail(error.description)
        end()
    }

    /// Evaluates a line of Lua in the rules' console and prints its values, tab-separated.
    private func lua(_ source: String) {
        switch engine.evaluateLua(source) {
        case .success(let values):
            if !values.isEmpty { say([values.joined(separator: "\t")]) }
        case .failure(var error):
            // The console's chunk is "=repl"; LuaKit marks every chunk name as a file ("@"), so
            // Lua keeps the "=" in the position it reports.
            if let chunk = error.chunk, chunk.hasPrefix("=") { error.chunk = String(chunk.dropFirst()) }
            fail(ReplText.oneLine(error.description))
        }
    }

    // MARK: Output

    /// Prints `lines` on standard output.
    func say(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        output.out(lines.joined(separator: "\n") + "\n")
    }

    /// Prints a block of text (a report, a listing), adding the final newline if it lacks one.
    func sayText(_ text: String) {
        output.out(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Prints `error: message` on standard error and marks the session failed.
    func fail(_ message: String) {
        failed = true
        output.err("error: \(message)\n")
    }

    /// Marks the session failed without a message (the reasons were printed already).
    func markFailed() {
        failed = true
    }

    /// Prints a note on standard error without failing (e.g. what a reload could not carry over).
    func warn(_ message: String) {
        output.err("note: \(message)\n")
    }

    /// Ends the session (`:quit`).
    func end() {
        quit = true
    }
}

/// Small text helpers shared by the REPL's renderers.
enum ReplText {
    /// Line breaks and tabs become spaces, so a message stays on one line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
