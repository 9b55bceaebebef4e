import TallyCore

#if canImport(Glibc)
import Glibc
#endif

/// The loop of `tally watch`: reads the input as it grows, feeds the engine, and between two
/// read batches reloads changed rules, advances the engine's clock and prints due reports.
///
/// Input goes first: when both the input and the rules directory have news, the input already
/// written is read before the reload (so events written before a save count under the old
/// rules), unless the input has kept the reload waiting for a second.
final class EventFollower {
    let engine: Engine
    let watcher: RuleWatcher
    let reader: EventIntake
    let rulesDirectory: String
    let diagnostics: TextSink
    let rejectSink: TextSink
    /// A regular file, followed at its end until a signal; otherwise a stream read to its end.
    let followsFile: Bool
    /// Milliseconds between scheduled reports (`--report-every`), or nil.
    var reportInterval: Int64?
    /// Writes a report (final or scheduled); returns `errno` when it cannot.
    var printReport: (_ report: Report, _ final: Bool) -> Int32? = { _, _ in nil }
    /// Why the final report could not be written, if it could not.
    private(set) var finalReportError: Int32?
    /// With `--state`: every batch goes through it (journaled, with `advance`).
    var durable: DurableEngine?
    /// With `--state` and a followed file: the file, positioned where the state stopped reading it.
    var cursor: DurableEngine.FileCursor?
    /// With `--state`: bytes per read (and so at most per journaled batch).
    var batchBytes = 1 << 20
    /// With `--state`: why the state file could not be written (the loop stops; exit 74).
    private(set) var stateError: StateStoreError?
    /// With `--state` and a stream: the stream read in batches of whole lines (journaled as
    /// they are), and its lines so far.
    private lazy var streamIntake = EventIntake(batchesOf: reader.fileDescriptor, name: reader.name,
                                                batchBytes: batchBytes, stripsBOM: true)
    private var streamLines = 0

    private var parser = EventParser()
    private lazy var pipeline = EventPipeline(engine: engine)
    private let inputName: String
    private var ingestedSinceAdvance = false
    private var lastAdvance: Int64 = 0
    /// When the rules directory first had news the input kept waiting.
    private var ruleNewsSince: Int64?

    /// Waiting for a growing file to grow.
    static let idlePollMilliseconds: Int32 = 50
    /// `engine.advance()` at most this often (it visits every guest).
    static let advanceEveryMilliseconds: Int64 = 100
    /// How long pending input may hold back a reload.
    static let reloadWaitLimitMilliseconds: Int64 = 1000
    /// Read batches (of up to 1 MiB) between two looks at the rules directory and the clock.
    static let batchesPerTurn = 16

    init(engine: Engine, watcher: RuleWatcher, reader: EventIntake, rulesDirectory: String,
         diagnostics: TextSink, rejectSink: TextSink) throws {
        self.engine = engine
        self.watcher = watcher
        self.reader = reader
        self.rulesDirectory = rulesDirectory
        self.diagnostics = diagnostics
        self.rejectSink = rejectSink
        inputName = reader.name == EventIntake.standardInputName ? "stdin" : reader.name
        var info = stat()
        followsFile = reader.name != EventIntake.standardInputName && fstat(reader.fileDescriptor, &info) == 0
            && info.st_mode & S_IFMT == S_IFREG
    }

    /// Runs until the input ends or SIGINT/SIGTERM arrives, then prints the final report.
    /// Returns the read error that ended the input early, if any (the report is printed anyway).
    /// Call ``StopSignal/install()`` first.
    func run() -> EventIntake.ReadError? {
        lastAdvance = Self.now()
        var nextReport = reportInterval.map { Self.now() + $0 }
        var readError: EventIntake.ReadError?
        var caughtUp = false  // a followed file: at its current end
        loop: while StopSignal.requested == 0 {
            // 1. Wait for input, a rules change, a signal, or the next timer.
            var timeout: Int64 = followsFile ? (caughtUp ? Int64(Self.idlePollMilliseconds) : 0) : -1
            let now = Self.now()
            if ingestedSinceAdvance { timeout = Self.earliest(timeout, lastAdvance + Self.advanceEveryMilliseconds - now) }
            if let nextReport { timeout = Self.earliest(timeout, nextReport - now) }
            var fds = [pollfd(fd: StopSignal.wakeDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)]
            if !followsFile { fds.append(pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), Int32(clamping: timeout))
            if StopSignal.requested != 0 { break }

            // 2. Input first.
            do {
                if followsFile {
                    caughtUp = try readBatches() == .caughtUp
                } else if fds[2].revents != 0, try readBatches() == .ended {
                    break loop
                }
            } catch {
                readError = error as? EventIntake.ReadError
                stateError = error as? StateStoreError
                break loop
            }

            // 3. The rules, once the input written so far is in (or has made them wait long enough).
            if Self.isReadable(watcher.fileDescriptor) {
                let inputPending = followsFile ? !caughtUp : Self.isReadable(reader.fileDescriptor)
                let since = ruleNewsSince ?? Self.now()
                if inputPending && Self.now() - since < Self.reloadWaitLimitMilliseconds {
                    ruleNewsSince = since
                } else {
                    ruleNewsSince = nil
                    if watcher.drain() {
                        watcher.settle()
                        reload()
                    }
                }
            }

            // 4. The engine's clock and the schedule.
            if ingestedSinceAdvance && Self.now() - lastAdvance >= Self.advanceEveryMilliseconds { advance() }
            if let due = nextReport, Self.now() >= due, let interval = reportInterval {
                advance()
                _ = printReport(engine.report(), false)
                nextReport = max(due + interval, Self.now())
            }
            if let durable {
                do {
                    try durable.checkpointIfDue()
                } catch {
                    stateError = error
                    break loop
                }
            }
            diagnostics.flush()
            rejectSink.flush()
        }

        // Whatever was written before the end still counts, the partial last line included.
        if readError == nil && stateError == nil {
            do {
                if followsFile || Self.isReadable(reader.fileDescriptor) { _ = try readBatches(untilEnd: true) }
                if let durable {
                    if let cursor {
                        try durable.finish(cursor, advance: true, onReject: reject, onAdvance: announce)
                    } else {
                        try streamIntake.finishBatch { lines, _ in try applyStream(lines) }
                    }
                } else {
                    let linesBefore = reader.lineCount
                    reader.finish(into: pipeline, parser: &parser, onReject: reject)
                    if reader.lineCount != linesBefore { ingestedSinceAdvance = true }
                }
            } catch {
                readError = error as? EventIntake.ReadError
                stateError = error as? StateStoreError
            }
        }
        // The snapshot keeps sessions open: finishing (closing them) is for the final report only.
        if let durable, stateError == nil {
            do {
                try durable.checkpoint()
            } catch {
                stateError = error
            }
        }
        advance()
        let report = engine.finish()
        diagnostics.flush()
        rejectSink.flush()
        finalReportError = printReport(report, true)
        return readError
    }

    // MARK: Input

    enum ReadOutcome { case more, caughtUp, ended }

    /// Reads up to ``batchesPerTurn`` chunks (up to 4096 with `untilEnd`, at the end), while
    /// input is there.
    private func readBatches(untilEnd: Bool = false) throws -> ReadOutcome {
        var batches = 0
        while batches < (untilEnd ? 4096 : Self.batchesPerTurn) {
            batches += 1
            if try readChunk() == 0 { return followsFile ? .caughtUp : .ended }
            if !followsFile && !Self.isReadable(reader.fileDescriptor) { return .caughtUp }
        }
        return .more
    }

    /// One read of the input: through the intake into the engine, or with `--state` through
    /// the durable engine (journaled batches, advanced after each). Returns the bytes read.
    private func readChunk() throws -> Int {
        guard let durable else {
            let linesBefore = reader.lineCount
            let count = try reader.readAvailable(into: pipeline, parser: &parser, onReject: reject)
            if reader.lineCount != linesBefore { ingestedSinceAdvance = true }
            return count
        }
        if let cursor {
            let count = try durable.readAvailable(cursor, advance: true, onReject: reject, onAdvance: announce)
            if count > 0 { lastAdvance = Self.now() }
            return count
        }
        return try streamIntake.readBatch { lines, _ in try applyStream(lines) }
    }

    /// Applies and journals whole lines of the stream.
    private func applyStream(_ lines: UnsafeRawBufferPointer) throws {
        guard let durable else { return }
        let counts = try durable.apply(lines: Array(lines), input: inputName, firstLine: streamLines + 1, advance: true,
                                       onReject: reject, onAdvance: announce)
        streamLines += counts.lines
        lastAdvance = Self.now()
    }

    private func reject(_ rejection: EventRejection) {
        rejectSink.write(rejection.description(file: inputName) + "\n")
    }

    // MARK: Rules and the engine's clock

    private func reload() {
        switch reloadRules(into: engine, directory: rulesDirectory) {
        case .success(let notes):
            diagnostics.write("tally: reloaded rules (\(Self.summary(of: engine.rules)))\n")
            for note in notes { diagnostics.write("tally: note: \(note)\n") }
            advance()  // new sample settings may conclude an experiment
            if let durable, stateError == nil {
                do {
                    // Journaled and checkpointed (the snapshot includes the advance above).
                    try durable.reloaded(rulesHash: RulesDigest.contentHash(directory: rulesDirectory))
                } catch {
                    stateError = error
                }
            }
        case .failure(let error):
            diagnostics.write("tally: reload failed, keeping the previous rules: \(error)\n")
        }
        diagnostics.flush()
    }

    /// Closes the sessions the stream's time has passed and reports experiments whose status changed.
    private func advance() {
        announce(engine.advance())
        ingestedSinceAdvance = false
        lastAdvance = Self.now()
    }

    /// Prints the experiments whose status changed.
    private func announce(_ changes: [Report.ExperimentSummary]) {
        for experiment in changes {
            var line = "tally: experiment \(experiment.id): \(experiment.status)"
            if let winner = experiment.winner { line += " \(winner)" }
            if let action = experiment.action { line += " (\(action))" }
            diagnostics.write(line + "\n")
        }
    }

    /// `3 goals, 1 outcome, 1 experiment`.
    static func summary(of rules: RuleSet) -> String {
        [RuleListing.count(rules.goals.count, "goal"), RuleListing.count(rules.outcomes.count, "outcome"),
         RuleListing.count(rules.experiments.count, "experiment")].joined(separator: ", ")
    }

    // MARK: Helpers

    /// True when `fd` can be read (or is at its end) without blocking.
    static func isReadable(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// The sooner of two poll timeouts (-1 is none; negative waits are 0).
    static func earliest(_ timeout: Int64, _ other: Int64) -> Int64 {
        let other = max(0, other)
        return timeout < 0 ? other : min(timeout, other)
    }

    /// Monotonic milliseconds.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
