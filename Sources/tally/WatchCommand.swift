import ArgumentParser
import TallyCore

#if canImport(Glibc)
import Glibc
#endif

/// `tally watch`: follows a growing stream of events, reloads the rules when they change, and
/// prints the report on a schedule and at the end (SPEC §2 long-running mode, §4 post-test
/// actions). See docs/watch.md.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow events as they arrive and reload the rules when a rule file changes.",
        discussion: """
            Events come from --events FILE, followed as it grows like tail -f (end with Ctrl-C or \
            SIGTERM), or from standard input ("-", the default), read as data arrives until end of \
            input. When a *.lua file under --rules is saved, created, deleted or renamed, the rules \
            are reloaded between two events; a file that fails to load is reported and the previous \
            rules keep running. Sessions close as the stream's time passes them, and experiments \
            are re-evaluated as events arrive, applying their post-test actions. The final report \
            is printed at the end of input or on SIGINT/SIGTERM.

            With --state FILE the engine's state is kept in FILE (SQLite): every batch read is \
            journaled, a followed events file continues where the last run stopped, and the state is \
            checkpointed periodically and at the end. See docs/state.md.

            Exit status: 0 ok (even with rejected lines), 64 usage error, 65 rules failed to load at \
            start, 66 input cannot be read, 71 the rules directory cannot be watched, 73 an output \
            cannot be written, 74 the state file is refused or cannot be written.
            """)

    @OptionGroup var rulesOptions: RulesOptions

    @Option(name: .customLong("events"),
            help: ArgumentHelp("The events file to follow, or - for standard input.", valueName: "file"))
    var eventsFile: String = "-"

    @Option(name: .customLong("report-every"),
            help: ArgumentHelp("Also print the report every this many seconds.", valueName: "seconds"))
    var reportEvery: Double?

    @OptionGroup var formatOptions: FormatOptions

    @OptionGroup var sessionTimeout: EngineOptions.SessionTimeout

    @OptionGroup var allowedLateness: EngineOptions.AllowedLateness

    @Option(help: ArgumentHelp("Write rejected lines' messages to this file instead of standard error.",
                               valueName: "file"))
    var rejects: String?

    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        try CommandFailure.reporting(execute)
    }

    func execute() throws {
        if let reportEvery, !(reportEvery > 0 && reportEvery <= 86_400 * 365) {
            throw CommandFailure.usage("--report-every must be a positive number of seconds, got \(reportEvery)")
        }
        if let rejects, let output = FileIdentity(path: rejects), eventsFile != "-",
           FileIdentity(path: eventsFile) == output {
            throw CommandFailure.usage("--rejects \"\(rejects)\" is also the events file; it would be overwritten")
        }

        // Watch first, then load: a save between the two is not missed.
        let watcher: RuleWatcher
        do {
            watcher = try RuleWatcher(directory: rulesOptions.directory)
        } catch {
            _ = try rulesOptions.load()  // a missing directory is a rules error (65)
            throw CommandFailure(status: ExitStatus.cannotWatch, message: "\(error)")
        }
        let rules = try rulesOptions.load()
        let reader = try EventIntake(path: eventsFile)
        let diagnostics = TextSink(fileDescriptor: STDERR_FILENO)
        defer { diagnostics.flush() }
        let rejectSink = try CommandSupport.rejectSink(path: rejects, otherwise: diagnostics)

        let engine = Engine(rules: rules, sessionTimeout: sessionTimeout.milliseconds,
                            allowedLateness: allowedLateness.milliseconds, plain: CommandSupport.plainEngine)
        CommandSupport.reportRuleProblems(of: engine) { diagnostics.write($0 + "\n") }

        let follower = try EventFollower(
            engine: engine, watcher: watcher, reader: reader, rulesDirectory: rulesOptions.directory,
            diagnostics: diagnostics, rejectSink: rejectSink)
        if let durable = try stateOptions.open(engine: engine, rulesDirectory: rulesOptions.directory,
                                               diagnostics: diagnostics) {
            follower.durable = durable
            follower.batchBytes = stateOptions.batchBytes
            if follower.followsFile {
                do {
                    let cursor = try durable.follow(file: eventsFile, batchBytes: stateOptions.batchBytes)
                    if cursor.skippedLines > 0 {
                        diagnostics.write("tally: state: events file \"\(eventsFile)\": skipped \(cursor.skippedLines) "
                            + "lines an earlier run had read\n")
                    }
                    follower.cursor = cursor
                } catch let error as StateStoreError {
                    throw CommandFailure.state(error)
                }
            }
        }
        follower.reportInterval = reportEvery.map { Int64(($0 * 1000).rounded()) }
        var printedBefore = false
        let format = formatOptions.format
        follower.printReport = { report, _ in
            let text: String
            switch format {
            case .json:
                // With --report-every the output is JSON Lines: one compact report per line.
                text = ReportJSON.render(report, style: reportEvery == nil ? .pretty : .compact) + "\n"
            case .table:
                text = (printedBefore ? "\n" : "") + ReportTable.render(report)
            }
            printedBefore = true
            return TextSink.writeAll(Array(text.utf8), to: STDOUT_FILENO)
        }
        // From here on SIGINT and SIGTERM end the loop with a final report.
        StopSignal.install()
        let input = reader.name == EventIntake.standardInputName ? "standard input" : "\"\(reader.name)\""
        diagnostics.write("tally: watching \(rulesOptions.directory) (\(EventFollower.summary(of: rules))), "
            + "\(follower.followsFile ? "following" : "reading") \(input)\n")
        diagnostics.flush()

        let readError = follower.run()
        diagnostics.flush()
        if let code = rejectSink.close(), let path = rejects {
            throw CommandFailure.output("rejects", path: path, code: code)
        }
        if let code = follower.finalReportError {
            throw CommandFailure(status: ExitStatus.cannotCreate,
                                 message: "cannot write the report to standard output: \(SystemError.text(code))")
        }
        if let stateError = follower.stateError { throw CommandFailure.state(stateError) }
        if let readError { throw CommandFailure.input(readError) }
    }

}
