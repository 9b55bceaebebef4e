import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Run {
    /// `run --state FILE`: restores the state, reads each events file from where the state last
    /// stopped reading it (standard input is always new), journals every batch, checkpoints,
    /// then prints the report of everything the state has seen.
    func executeWithState(rules: RuleSet) throws {
        for path in eventFiles where path != "-" {
            _ = try EventIntake(path: path)  // an unreadable file fails before any work (66)
        }
        let (engine, diagnostics, rejectSink, reportFile) = try prepare(rules)
        defer { diagnostics.flush() }
        guard let durable = try stateOptions.open(engine: engine, rulesDirectory: rulesOptions.directory,
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
        try finishAndReport(engine, rejectSink: rejectSink, diagnostics: diagnostics,
                            reportFile: reportFile)
    }
}
