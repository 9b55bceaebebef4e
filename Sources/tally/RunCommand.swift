import ArgumentParser
import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tally run`: applies the rules to a stream of events and prints the report (SPEC §5).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Apply the rules to events (JSON Lines) and print the report.",
        discussion: """
            Events are read from the --events files in order (standard input when there is none; \
            "-" is standard input). Rejected lines are reported as FILE:LINE: reason on standard \
            error (or in the --rejects file) and counted in the report; they do not stop the run.

            With --state FILE the engine's state is kept in FILE (SQLite) across runs: the report \
            covers every run, and an events file is read from where an earlier run (even a killed \
            one) stopped. See docs/state.md.

            Exit status: 0 ok (even with rejected lines), 64 usage error, 65 rules failed to load, \
            66 input cannot be read, 73 an output file cannot be written, 74 the state file is \
            refused or cannot be written.
            """)

    @OptionGroup var rulesOptions: RulesOptions

    @Option(name: .customLong("events"),
            help: ArgumentHelp("An events file (JSON Lines); repeat for several. Default: standard input.",
                               valueName: "file"))
    var eventFiles: [String] = []

    @OptionGroup var formatOptions: FormatOptions

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write rejected lines' messages to this file instead of standard error.",
                               valueName: "file"))
    var rejects: String?

    @OptionGroup var sessionTimeout: EngineOptions.SessionTimeout

    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        try CommandFailure.reporting(execute)
    }

    /// The whole run; failures are `CommandFailure`s, `RuleError`s or `EventIntake.ReadError`s.
    func execute() throws {
        // Usage errors first, before any work (the option groups have checked their own values).
        try checkOutputsAreNotInputs()

        let rules = try rulesOptions.load()
        if stateOptions.state != nil {
            return try executeWithState(rules: rules)
        }
        let intakes = try eventFiles.isEmpty ? [EventIntake(path: "-")] : eventFiles.map { try EventIntake(path: $0) }
        let (engine, diagnostics, rejectSink, reportFile) = try prepare(rules)
        defer { diagnostics.flush() }

        var parser = EventParser()
        let pipeline = EventPipeline(engine: engine)
        for intake in intakes {
            let name = intake.name == EventIntake.standardInputName ? "stdin" : intake.name
            do {
                try intake.readAll(into: pipeline, parser: &parser) { rejectSink.write($0.description(file: name) + "\n") }
            } catch {
                rejectSink.close()
                throw error
            }
        }
        try finishAndReport(engine, rejectSink: rejectSink, diagnostics: diagnostics,
                            reportFile: reportFile)
        // The process ends next: freeing every guest's state one by one would only delay that.
        _ = Unmanaged.passRetained(engine)
    }

    /// The engine, its rule problems going to `diagnostics` (standard error), and where the
    /// rejects and the report go; an output that cannot be created fails here, before any event
    /// is read (73).
    func prepare(_ rules: RuleSet) throws
        -> (engine: Engine, diagnostics: TextSink, rejectSink: TextSink, reportFile: ReportFile?) {
        let diagnostics = TextSink(fileDescriptor: STDERR_FILENO)
        let rejectSink = try CommandSupport.rejectSink(path: rejects, otherwise: diagnostics)
        let reportFile = try output.map { try ReportFile(path: $0) }
        let engine = Engine(rules: rules, sessionTimeout: sessionTimeout.milliseconds, plain: CommandSupport.plainEngine)
        CommandSupport.reportRuleProblems(of: engine) { diagnostics.write($0 + "\n") }
        return (engine, diagnostics, rejectSink, reportFile)
    }

    /// Closes the sessions, closes the rejects file, then writes the report, in the `--format`,
    /// to `--output` or standard output.
    func finishAndReport(_ engine: Engine, rejectSink: TextSink, diagnostics: TextSink,
                         reportFile: ReportFile?) throws {
        let report = engine.finish()
        diagnostics.flush()
        if let code = rejectSink.close(), let path = rejects {
            throw CommandFailure.output("rejects", path: path, code: code)
        }

        let text = formatOptions.format == .json ? ReportJSON.render(report) + "\n" : ReportTable.render(report)
        if let reportFile {
            try reportFile.commit(text)
        } else if let code = TextSink.writeAll(Array(text.utf8), to: STDOUT_FILENO) {
            throw CommandFailure(status: ExitStatus.cannotCreate,
                                 message: "cannot write the report to standard output: \(SystemError.text(code))")
        }
    }


    /// Refuses `--output` or `--rejects` naming an events file (it would be overwritten) or each other.
    func checkOutputsAreNotInputs() throws {
        let inputs = eventFiles.compactMap(FileIdentity.init(path:))
        var outputs: [(flag: String, path: String)] = []
        if let output { outputs.append(("--output", output)) }
        if let rejects { outputs.append(("--rejects", rejects)) }
        for (flag, path) in outputs {
            guard let identity = FileIdentity(path: path) else { continue }
            if inputs.contains(identity) {
                throw CommandFailure.usage("\(flag) \"\(path)\" is also an events file; it would be overwritten")
            }
        }
        if let output, let rejects,
           output == rejects || (FileIdentity(path: output) != nil && FileIdentity(path: output) == FileIdentity(path: rejects)) {
            throw CommandFailure.usage("--output and --rejects must be different files")
        }
    }
}
