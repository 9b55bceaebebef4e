import ArgumentParser
import TallyCore

/// Exit statuses of `tally` (SPEC §5; BSD sysexits values).
enum ExitStatus {
    /// A flag is missing or has a bad value.
    static let usage: Int32 = 64
    /// The rules failed to load.
    static let rules: Int32 = 65
    /// An events file (or standard input) cannot be read.
    static let input: Int32 = 66
    /// `serve` cannot listen on its address (EX_UNAVAILABLE).
    static let unavailable: Int32 = 69
    /// `watch` cannot watch the rules directory, e.g. inotify refused (EX_OSERR).
    static let cannotWatch: Int32 = 71
    /// An output file (`--output`, `--rejects`) cannot be written.
    static let cannotCreate: Int32 = 73
    /// The state file is refused (not a Tally state file, newer, corrupt, in use) or cannot be
    /// written (EX_IOERR).
    static let state: Int32 = 74
}

/// A failure a command reports as one line on standard error, `tally: <message>`, before exiting
/// with its status. No stack traces: these are the user's mistakes or the system's refusals.
struct CommandFailure: Error, CustomStringConvertible {
    let status: Int32
    let message: String

    var description: String { message }

    /// A bad flag value; the message names the flag.
    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(status: ExitStatus.usage, message: message)
    }

    /// Rules that failed to load: the error's `file:line: message`.
    static func rules(_ error: RuleError) -> CommandFailure {
        CommandFailure(status: ExitStatus.rules, message: error.description)
    }

    /// An unreadable input, e.g. `cannot read events file "x": No such file or directory`.
    static func input(_ error: EventIntake.ReadError) -> CommandFailure {
        let what = error.name == EventIntake.standardInputName ? "standard input" : "events file \"\(error.name)\""
        return CommandFailure(status: ExitStatus.input, message: "cannot read \(what): \(SystemError.text(error.code))")
    }

    /// An output that cannot be written, e.g. `cannot write output file "x": Permission denied`.
    static func output(_ role: String, path: String, code: Int32) -> CommandFailure {
        CommandFailure(status: ExitStatus.cannotCreate,
                       message: "cannot write \(role) file \"\(path)\": \(SystemError.text(code))")
    }

    /// A state file that cannot be used: `state file "x": not a Tally state file (...)`.
    static func state(_ error: StateStoreError) -> CommandFailure {
        CommandFailure(status: ExitStatus.state, message: error.description)
    }

    /// Runs `body`; a `CommandFailure`, `RuleError` or `EventIntake.ReadError` becomes its
    /// one-line message on standard error, `tally: <message>`, and an `ExitCode`, which
    /// ArgumentParser turns into the process's exit status.
    static func reporting(_ body: () throws -> Void) throws {
        let failure: CommandFailure
        do {
            try body()
            return
        } catch let error as CommandFailure {
            failure = error
        } catch let error as RuleError {
            failure = .rules(error)
        } catch let error as EventIntake.ReadError {
            failure = .input(error)
        }
        TextSink.writeError("tally: \(failure.message)\n")
        throw ExitCode(failure.status)
    }
}
