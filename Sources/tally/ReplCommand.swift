import ArgumentParser
import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tally repl`: an interactive session over the engine (docs/repl.md). Each line is an event
/// (JSON), a `:command` or Lua; the logic is in `Repl/` (``ReplSession`` and its renderers),
/// this file reads standard input and watches the rules directory.
struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Try rules interactively: type events, commands (:help) or Lua.",
        discussion: """
            The --events files are ingested first (rejected lines go to standard error). Then each \
            input line is an event (a line starting with "{"), whose trace is printed; a command \
            (:help, :guest ID, :report [json], :rules, :reload, :load FILE, :quit); or Lua, \
            evaluated in the rules' sandbox. On a terminal lines can be edited, with history in \
            ~/.tally_history; the rules directory is watched and reloaded when a rule file changes.

            With --state FILE the session starts from the state in FILE (SQLite) and every event, \
            :load and reload is journaled there; :quit or end of input checkpoints it. See \
            docs/state.md.

            Exit status: 0 ok, 1 (input not a terminal) some line or command failed, 64 usage \
            error, 65 rules failed to load, 66 an events file cannot be read, 74 the state file is \
            refused or cannot be written.
            """)

    @OptionGroup var rulesOptions: RulesOptions

    @Option(name: .customLong("events"),
            help: ArgumentHelp("An events file (JSON Lines) to ingest before the session; repeat for several.",
                               valueName: "file"))
    var eventFiles: [String] = []

    @OptionGroup var sessionTimeout: EngineOptions.SessionTimeout

    @OptionGroup var allowedLateness: EngineOptions.AllowedLateness

    @Flag(inversion: .prefixedNo, help: "Reload the rules when a rule file changes.")
    var watch = true

    @OptionGroup var stateOptions: StateOptions

    /// The prompt on a terminal.
    static let prompt = "tally> "

    func run() throws {
        var failed = false
        try CommandFailure.reporting { failed = try execute() }
        if failed { throw ExitCode(1) }
    }

    /// The whole session; returns whether a line failed with piped input.
    func execute() throws -> Bool {
        if eventFiles.contains("-") {
            throw CommandFailure.usage("--events - would read standard input, which the session reads")
        }
        let rules = try rulesOptions.load()
        let engine = Engine(rules: rules, sessionTimeout: sessionTimeout.milliseconds,
                            allowedLateness: allowedLateness.milliseconds, plain: CommandSupport.plainEngine)
        let output = ReplOutput.standard
        // The state is restored before the session turns tracing and the rules' log lines on.
        let diagnostics = TextSink(fileDescriptor: STDERR_FILENO)
        let durable = try stateOptions.open(engine: engine, rulesDirectory: rulesOptions.directory,
                                            diagnostics: diagnostics)
        diagnostics.flush()
        let session = ReplSession(engine: engine, rulesDirectory: rulesOptions.directory, output: output)
        session.durable = durable
        if durable != nil {
            let report = engine.report()
            if report.events.accepted + report.events.rejected > 0 || report.guests.count > 0 {
                session.warn("restored state: \(report.events.accepted) events, \(report.guests.count) guests")
            }
        }

        if !eventFiles.isEmpty {
            engine.tracing = false
            if let durable {
                do {
                    for path in eventFiles {
                        let progress = try durable.ingest(file: path, batchBytes: stateOptions.batchBytes, advance: true) {
                            output.err($0.description(file: path) + "\n")
                        }
                        if progress.skippedLines > 0 {
                            session.warn("events file \"\(path)\": skipped \(progress.skippedLines) lines an earlier session had read")
                        }
                    }
                } catch let error as StateStoreError {
                    throw CommandFailure.state(error)
                }
            } else {
                try engine.ingest(files: eventFiles) { name, rejection in
                    output.err(rejection.description(file: name == EventIntake.standardInputName ? "stdin" : name) + "\n")
                }
            }
            engine.advance()
            engine.tracing = true
        }

        let watcher = makeWatcher(session)
        if isatty(STDIN_FILENO) == 1 {
            runOnTerminal(session, watcher: watcher)
        } else {
            try runPiped(session, watcher: watcher)
        }
        if let error = session.stateError { throw CommandFailure.state(error) }
        if let durable {
            do {
                try durable.checkpoint()
            } catch {
                throw CommandFailure.state(error)
            }
        }
        return isatty(STDIN_FILENO) == 1 ? false : session.failed
    }

    /// Standard input is not a terminal: no prompt, no line editing; a failed line sets the
    /// exit status.
    func runPiped(_ session: ReplSession, watcher: RuleWatcher?) throws {
        let input = PipedInput(watcher: watcher?.fileDescriptor)
        var ended = false
        while !ended && !session.quit {
            try input.next { item in
                switch item {
                case .line(let line): session.handle(line)
                case .watcher: Self.reloadIfChanged(session, watcher: watcher)
                case .end: ended = true
                }
            }
        }
    }

    /// A terminal: libedit with the prompt and history; the watcher's reloads print above the
    /// line being edited.
    func runOnTerminal(_ session: ReplSession, watcher: RuleWatcher?) {
        let input = TerminalInput(prompt: Self.prompt, watcher: watcher?.fileDescriptor,
                                  historyPath: TerminalInput.defaultHistoryPath())
        defer { input.close() }
        session.say(["Tally \(TallyVersion.current): rules from \(rulesOptions.directory)"
            + (watcher == nil ? "" : " (watched)") + ". :help lists the commands, :quit or Ctrl-D ends."])
        var ended = false
        while !ended && !session.quit {
            input.next { item in
                switch item {
                case .line(let line): session.handle(line)
                case .watcher: input.printAbovePrompt { Self.reloadIfChanged(session, watcher: watcher) }
                case .end: ended = true
                }
            }
        }
    }

    /// The watcher's descriptor was readable: if a rule file changed, wait for the burst of
    /// saves to end and reload (printing `rules reloaded` or the error).
    static func reloadIfChanged(_ session: ReplSession, watcher: RuleWatcher?) {
        guard let watcher, watcher.drain() else { return }
        watcher.settle()
        session.reload(byCommand: false)
    }

    /// A watcher of the rules directory, unless `--no-watch`.
    /// One that cannot start (e.g. the system's watch limit) is a note, not a failure.
    func makeWatcher(_ session: ReplSession) -> RuleWatcher? {
        guard watch else { return nil }
        do {
            return try RuleWatcher(directory: rulesOptions.directory)
        } catch {
            session.warn("\(error); the rules are not watched (:reload reloads them)")
            return nil
        }
    }

}
