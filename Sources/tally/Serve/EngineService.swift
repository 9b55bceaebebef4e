import TallyCore

#if canImport(Glibc)
import Glibc
#endif

/// The engine behind `tally serve`: one actor owns the engine, its Lua VM and the state store,
/// so they are touched by one task at a time, whatever thread the server's handlers run on.
actor EngineService {
    /// An answer: HTTP status and a JSON (or Prometheus text) body.
    struct Answer: Sendable {
        var status: Int
        var body: String
    }

    private let engine: Engine
    private let durable: DurableEngine?
    private let rulesDirectory: String
    private var parser = EventParser()
    private var requestNumber = 0
    let metrics: ServeMetrics

    /// Loads the rules and, with a state file, restores the state (notes go to `log`).
    /// - Throws: `RuleError`, `CommandFailure` (a refused state file).
    init(rulesDirectory: String, allowedLateness: Int64? = nil, stateOptions: StateOptions, metrics: ServeMetrics,
         log: @escaping @Sendable (String) -> Void) throws {
        let rules = try RuleLoader().load(directory: rulesDirectory)
        let engine = Engine(rules: rules, allowedLateness: allowedLateness, plain: CommandSupport.plainEngine)
        CommandSupport.reportRuleProblems(of: engine, to: log)
        let sink = TextSink(fileDescriptor: STDERR_FILENO)
        durable = try stateOptions.open(engine: engine, rulesDirectory: rulesDirectory, diagnostics: sink)
        sink.flush()
        self.engine = engine
        self.rulesDirectory = rulesDirectory
        self.metrics = metrics
    }

    // MARK: Events

    /// `POST /events`: applies the body's events, journals them (with a state), advances.
    func ingest(body: [UInt8]) -> Answer {
        let lines: [UInt8]
        do {
            lines = try EventBody.lines(body)
        } catch {
            return Answer(status: 400, body: Self.error(error.description))
        }
        var rejections: [EventRejection] = []
        let counts: Engine.BatchCounts
        if let durable {
            requestNumber += 1
            do {
                counts = try durable.apply(lines: lines, input: "POST /events #\(requestNumber)", firstLine: 1,
                                           advance: true) { rejections.append($0) }
            } catch {
                metrics.storeFailed()
                return Answer(status: 503, body: Self.error(error.description))
            }
        } else {
            counts = lines.withUnsafeBytes {
                engine.ingest(lines: $0, firstLine: 1, parser: &parser) { rejections.append($0) }
            }
            engine.advance()
        }
        metrics.counted(accepted: counts.accepted, rejected: counts.rejected)
        var text = "{\"accepted\":\(counts.accepted),\"rejected\":\(counts.rejected),\"rejections\":["
        for (index, rejection) in rejections.enumerated() {
            if index > 0 { text += "," }
            text += "{\"line\":\(rejection.line),\"reason\":\(ReportJSON.quoted(rejection.reason))}"
        }
        text += "]}"
        return Answer(status: 200, body: text)
    }

    // MARK: Reading

    /// `GET /report`: SPEC §6.
    func report() -> Answer {
        Answer(status: 200, body: ReportJSON.render(engine.report()))
    }

    /// `GET /experiments/{id}`.
    func experiment(_ id: String) -> Answer {
        guard let summary = engine.report().experiments.first(where: { $0.id == id }) else {
            return Answer(status: 404, body: Self.error("unknown experiment \(ReportJSON.quoted(id))"))
        }
        return Answer(status: 200, body: ReportJSON.render(experiment: summary))
    }

    /// `GET /guests/{id}`.
    func guest(_ id: String) -> Answer {
        guard let profile = engine.profile(ofGuest: id) else {
            return Answer(status: 404, body: Self.error("unknown guest \(ReportJSON.quoted(id))"))
        }
        return Answer(status: 200, body: ReportJSON.render(profile: profile))
    }

    /// `GET /healthz`.
    func health() -> Answer {
        if let failure = durable?.failure {
            return Answer(status: 503, body: "{\"status\":\"failing\",\"error\":\(ReportJSON.quoted(failure.description))}")
        }
        return Answer(status: 200, body: "{\"status\":\"ok\"}")
    }

    /// `GET /metrics`: Prometheus text.
    func metricsText() -> Answer {
        let ruleErrors = engine.report().ruleErrors.reduce(0) { $0 + $1.count }
        return Answer(status: 200, body: metrics.prometheusText(ruleErrors: ruleErrors))
    }

    // MARK: Reloads and checkpoints

    /// `POST /reload` and the watcher: reloads the rules directory; the old rules keep running
    /// when a file is broken (422 naming file and line).
    func reload() -> Answer {
        switch reloadRules(into: engine, directory: rulesDirectory) {
        case .failure(let error):
            metrics.reloadFailed()
            return Answer(status: 422, body: Self.error(error.description))
        case .success(let notes):
            metrics.reloaded()
            do {
                try durable?.reloaded(rulesHash: RulesDigest.contentHash(directory: rulesDirectory))
            } catch {
                return Answer(status: 503, body: Self.error(error.description))
            }
            return Answer(status: 200, body: "{\"reloaded\":true,\"goals\":\(engine.rules.goals.count),"
                + "\"outcomes\":\(engine.rules.outcomes.count),\"experiments\":\(engine.rules.experiments.count),"
                + "\"notes\":[\(notes.map(ReportJSON.quoted).joined(separator: ","))]}")
        }
    }

    /// Periodic work: a checkpoint when one is due.
    func tick() {
        try? durable?.checkpointIfDue()
    }

    /// Graceful shutdown: a final checkpoint. Returns an error message, if any.
    func shutdown() -> String? {
        guard let durable, durable.failure == nil else { return nil }
        do {
            try durable.checkpoint()
            return nil
        } catch {
            return error.description
        }
    }

    static func error(_ message: String) -> String {
        "{\"error\":\(ReportJSON.quoted(message))}"
    }
}
