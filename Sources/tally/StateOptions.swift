import ArgumentParser
import TallyCore

extension CommandFailure {
    /// A state file that cannot be used: `state file "x": not a Tally state file (...)`.
    static func state(_ error: StateStoreError) -> CommandFailure {
        CommandFailure(status: ExitStatus.state, message: error.description)
    }
}

/// `--state FILE` and its tuning flags, shared by the commands that can keep their state.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Keep the engine's state in this SQLite file across runs (created if missing).",
                               valueName: "file"))
    var state: String?

    @Option(name: .customLong("checkpoint-events"),
            help: ArgumentHelp("With --state: write a snapshot every N events (default 1000000).", valueName: "n",
                               visibility: .hidden))
    var checkpointEvents: Int = 1_000_000

    @Option(name: .customLong("checkpoint-seconds"),
            help: ArgumentHelp("With --state: write a snapshot at least every S seconds (default 300).",
                               valueName: "s", visibility: .hidden))
    var checkpointSeconds: Int = 300

    @Option(name: .customLong("state-batch-bytes"),
            help: ArgumentHelp("With --state: bytes of input per journaled batch (default 1 MiB).", valueName: "n",
                               visibility: .hidden))
    var batchBytes: Int = 1 << 20

    /// Opens the store and the durable engine, printing the notes of the restore.
    func open(engine: Engine, rulesDirectory: String, diagnostics: TextSink) throws -> DurableEngine? {
        guard let state else { return nil }
        guard checkpointEvents > 0, checkpointSeconds > 0, batchBytes > 0 else {
            throw CommandFailure.usage("--checkpoint-events, --checkpoint-seconds and --state-batch-bytes must be positive")
        }
        do {
            let store = try StateStore(path: state)
            let durable = try DurableEngine(engine: engine, store: store,
                                            rulesHash: RulesDigest.contentHash(directory: rulesDirectory))
            durable.checkpointEvents = checkpointEvents
            durable.checkpointMilliseconds = Int64(checkpointSeconds) * 1000
            for note in durable.notes { diagnostics.write("tally: state: \(note)\n") }
            return durable
        } catch let error as StateStoreError {
            throw CommandFailure.state(error)
        }
    }
}

extension Run {
    /// `run --state FILE`: restores the state, reads each events file from where the state last
    /// stopped reading it (standard input is always new), journals every batch, checkpoints,
    /// then prints the report of everything the state has seen.
    func executeWithState(rules: RuleSet, format: Format, timeout: Int64?) throws {
        for path in eventFiles where path != "-" {
            _ = try LineReader(path: path)  // an unreadable file fails before any work (66)
        }
        let diagnostics = TextSink(fileDescriptor: STDERR_FILENO)
        defer { diagnostics.flush() }
        let rejectSink = try CommandSupport.rejectSink(path: rejects, otherwise: diagnostics)
        let reportFile = try output.map { try ReportFile(path: $0) }

        let engine = Engine(rules: rules, sessionTimeout: timeout, plain: CommandSupport.plainEngine)
        CommandSupport.reportRuleProblems(of: engine) { diagnostics.write($0 + "\n") }
        guard let durable = try stateOptions.open(engine: engine, rulesDirectory: rulesDirectory,
                                                  diagnostics: diagnostics) else { return }
        do {
            for path in eventFiles.isEmpty ? ["-"] : eventFiles {
                if path == "-" {
                    _ = try durable.ingest(stream: STDIN_FILENO, name: "stdin", batchBytes: stateOptions.batchBytes) {
                        rejectSink.write($0.description(file: "stdin") + "\n")
                    }
                    continue
                }
                let progress = try durable.ingest(file: path, batchBytes: stateOptions.batchBytes) {
                    rejectSink.write($0.description(file: path) + "\n")
                }
                if progress.skippedLines > 0 {
                    diagnostics.write("tally: state: events file \"\(path)\": skipped \(progress.skippedLines) lines "
                        + "an earlier run had read\n")
                }
            }
            // The snapshot keeps sessions open: finishing (closing them) is for this report only.
            // (The last batch may have been checkpointed already: events are counted.)
            try durable.checkpointUnlessCurrent()
        } catch let error as StateStoreError {
            rejectSink.close()
            throw CommandFailure.state(error)
        } catch {
            rejectSink.close()
            throw error
        }
        try finishAndReport(engine, format: format, rejectSink: rejectSink, diagnostics: diagnostics,
                            reportFile: reportFile)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
