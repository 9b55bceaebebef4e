import ArgumentParser
import TallyCore

/// The engine settings a command line overrides over the rules' `settings`, one option group
/// per flag: `run` takes only `--session-timeout` (its sessions close on each guest's own
/// events, so lateness plays no part), `serve` only `--allowed-lateness`, `watch` and `repl`
/// both.
///
/// Each group checks its value in `validate()`: a bad one is a one-line usage error
/// (`tally: --session-timeout must be ...`, exit 64) before any work.
enum EngineOptions {
    /// `--session-timeout DURATION`: the inactivity that ends a session.
    struct SessionTimeout: ParsableArguments {
        @Option(name: .customLong("session-timeout"),
                help: ArgumentHelp("Inactivity that ends a session, e.g. 30m, 90s, 1h "
                                   + "(overrides the rules' settings).", valueName: "duration"))
        var text: String?

        /// The timeout in milliseconds, or nil when not given.
        var milliseconds: Int64? { text.flatMap(DurationText.milliseconds) }

        func validate() throws {
            try CommandFailure.reporting {
                guard let text else { return }
                guard let milliseconds = DurationText.milliseconds(text), milliseconds > 0 else {
                    throw CommandFailure.usage(
                        "--session-timeout must be a positive duration like 30m, 90s or 1h, got \"\(text)\"")
                }
            }
        }
    }

    /// `--allowed-lateness DURATION`: how long past the session timeout a session of a
    /// long-running command stays open for late events (0 allowed).
    struct AllowedLateness: ParsableArguments {
        @Option(name: .customLong("allowed-lateness"),
                help: ArgumentHelp("How long past the session timeout a session stays open for late events, e.g. 5m, 0s "
                                   + "(overrides the rules' settings; default 5m).", valueName: "duration"))
        var text: String?

        /// The lateness in milliseconds, or nil when not given.
        var milliseconds: Int64? { text.flatMap(DurationText.milliseconds) }

        func validate() throws {
            try CommandFailure.reporting {
                guard let text, DurationText.milliseconds(text) == nil else { return }
                throw CommandFailure.usage("--allowed-lateness must be a duration like 5m, 90s or 0s, got \"\(text)\"")
            }
        }
    }
}
