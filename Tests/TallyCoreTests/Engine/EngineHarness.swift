@testable import TallyCore

/// Runs rule sources over JSON lines, as `tally run` does, for engine tests.
struct EngineHarness {
    var rules: [(name: String, source: String)]
    var sessionTimeout: Int64?

    init(_ rules: [(name: String, source: String)], sessionTimeout: Int64? = nil) {
        self.rules = rules
        self.sessionTimeout = sessionTimeout
    }

    init(rules source: String, sessionTimeout: Int64? = nil) {
        self.init([("rules/main.lua", source)], sessionTimeout: sessionTimeout)
    }

    /// The engine after ingesting `lines` (not finished), and the rejections.
    func engine(_ lines: [String]) throws -> (Engine, [EventRejection]) {
        let ruleSet = try RuleLoader().load(sources: rules)
        let engine = Engine(rules: ruleSet, sessionTimeout: sessionTimeout)
        var parser = EventParser()
        var rejections: [EventRejection] = []
        for (offset, line) in lines.enumerated() {
            var text = line
            let result = text.withUTF8 { parser.parse(UnsafeRawBufferPointer($0), line: offset + 1) }
            switch result {
            case .success(let event):
                if let rejection = engine.ingest(event) { rejections.append(rejection) }
            case .failure(let rejection):
                engine.countRejected()
                rejections.append(rejection)
            }
        }
        return (engine, rejections)
    }

    /// The finished report of `lines`.
    func report(_ lines: [String]) throws -> Report {
        try engine(lines).0.finish()
    }
}

/// Where the `ts` of test events counts from: 2023-11-14T22:13:20Z, so that `event(..., 1000)`
/// is one second later (a `ts` below 10^11 would be refused as epoch seconds).
let testTimeBase: Int64 = 1_700_000_000_000

/// A compact event line; `ts` is milliseconds after ``testTimeBase``.
func event(_ type: String, _ guest: String, _ ts: Int64, _ extra: String = "") -> String {
    "{\"type\":\"\(type)\",\"guest\":\"\(guest)\",\"ts\":\(testTimeBase + ts)\(extra.isEmpty ? "" : "," + extra)}"
}
