import TallyCore

/// Events per second through parsing and the engine (no report), on a file of events:
///   tally-bench engine RULES_DIR EVENTS_FILE
func runEngineBenchmark() throws {
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    guard arguments.count == 2 else {
        print("engine: usage: tally-bench engine RULES_DIR EVENTS_FILE")
        return
    }
    var samples: [Double] = []
    var accepted = 0
    for _ in 0..<3 {
        let rules = try RuleLoader().load(directory: arguments[0])
        let engine = Engine(rules: rules)
        let start = ContinuousClock.now
        try engine.ingest(files: [arguments[1]]) { _, _ in }
        let report = engine.finish()
        let elapsed = ContinuousClock.now - start
        accepted = report.events.accepted + report.events.rejected
        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    print("engine: median \(Int(Double(accepted) / median)) events/s (\(accepted) events, \(median) s)")
}
