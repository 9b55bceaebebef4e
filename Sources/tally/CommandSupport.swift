import Foundation
import TallyCore

/// Pieces every engine-running command (`run`, `watch`, `repl`, `serve`) shares.
enum CommandSupport {
    /// True when `TALLY_PLAIN=1` asks for the plain engine (every fast path off: the reference
    /// the fast engine is checked against, for tests and benchmarks; slower).
    static var plainEngine: Bool { ProcessInfo.processInfo.environment["TALLY_PLAIN"] == "1" }

    /// Where rejected lines go: the `--rejects` file if given, else `diagnostics`.
    static func rejectSink(path: String?, otherwise diagnostics: TextSink) throws -> TextSink {
        guard let path else { return diagnostics }
        switch TextSink.create(path: path) {
        case .success(let sink): return sink
        case .failure(let error): throw CommandFailure.output("rejects", path: path, code: error.code)
        }
    }

    /// Sends the engine's first failure of each rule and its `log(...)` lines to `write`.
    static func reportRuleProblems(of engine: Engine, to write: @escaping (String) -> Void) {
        engine.onRuleError = { error in
            write("tally: rule \"\(error.rule)\" failed at \(error.file):\(error.line): \(error.message)"
                + " (every failure is counted in the report)")
        }
        engine.onLog = { line in write("tally: log: \(line)") }
    }
}
