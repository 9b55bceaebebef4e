import CLibEdit
import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines from a terminal, with line editing and history by libedit (its readline
/// compatibility). Uses the callback interface so standard input can be polled together with
/// the rules watcher: a reload prints its message above the line being edited, which is then
/// redrawn. History is read from and written to `historyPath` (failures are ignored).
final class TerminalInput {
    /// The line the callback received (nil at end of input) and whether it was called.
    /// libedit calls a plain C function, so the hand-over goes through this one global.
    private nonisolated(unsafe) static var received: (done: Bool, line: UnsafeMutablePointer<CChar>?) = (false, nil)

    private let prompt: String
    private let watcher: Int32?
    private let historyPath: String?
    /// Whether libedit is reading a line (its prompt is on screen).
    private var editing = false
    private var lineNumber = 0
    private var lastHistoryEntry: String?

    /// Entries kept in the history file.
    static let historyLimit: Int32 = 1000

    init(prompt: String, watcher: Int32?, historyPath: String?) {
        self.prompt = prompt
        self.watcher = watcher
        self.historyPath = historyPath
        // libedit's own signal handling would re-send SIGINT to the whole process group.
        tally_editline_ignore_signals()
        using_history()
        stifle_history(Self.historyLimit)
        if let historyPath { _ = read_history(historyPath) }
    }

    /// The path of `~/.tally_history`, or nil when there is no home directory.
    static func defaultHistoryPath() -> String? {
        if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) + "/.tally_history" }
        if let entry = getpwuid(getuid()), let home = entry.pointee.pw_dir { return String(cString: home) + "/.tally_history" }
        return nil
    }

    /// Reads the next line (or reports the watcher) and hands it to `body`. While it waits,
    /// Ctrl-C discards the line being edited (at other times it ends the process as usual).
    func next(_ body: (ReplInputItem) -> Void) {
        Self.catchInterrupts(true)
        defer { Self.catchInterrupts(false) }
        while true {
            if !editing {
                Self.received = (false, nil)
                rl_callback_handler_install(prompt) { line in TerminalInput.received = (true, line) }
                editing = true
            }
            let readiness = InputPoll.wait(input: STDIN_FILENO, watcher: watcher)
            switch readiness {
            case .watcher:
                return body(.watcher)
            case .interrupted:
                if Self.interrupted != 0 {
                    Self.interrupted = 0
                    rl_callback_handler_remove()  // drops the partial line; the prompt comes back
                    editing = false
                    write("^C\n")
                }
                continue
            case .input, .hangup:
                rl_callback_read_char()
            }
            if Self.received.done {
                editing = false
                rl_callback_handler_remove()
                guard let pointer = Self.received.line else {
                    write("\n")  // end of input: leave the shell's prompt on a line of its own
                    return body(.end)
                }
                Self.received = (false, nil)
                let text = String(cString: pointer)
                free(pointer)
                lineNumber += 1
                remember(text)
                var bytes = Array(text.utf8)
                return bytes.withUnsafeMutableBytes { body(.line(.text(UnsafeRawBufferPointer($0), number: lineNumber))) }
            }
            if readiness == .hangup {  // the terminal went away mid-line
                editing = false
                rl_callback_handler_remove()
                return body(.end)
            }
        }
    }

    /// Set by the SIGINT handler while ``next(_:)`` waits.
    private nonisolated(unsafe) static var interrupted: sig_atomic_t = 0

    /// Routes SIGINT to ``interrupted`` (`on`) or back to its default action. poll() is never
    /// restarted after a handler, so the wait returns `.interrupted`.
    private static func catchInterrupts(_ on: Bool) {
        if on {
            signal(SIGINT) { _ in TerminalInput.interrupted = 1 }
        } else {
            signal(SIGINT, SIG_DFL)
        }
    }

    /// Runs `body`, which prints, so that its output appears above the line being edited (the
    /// prompt and the partial line are redrawn after it).
    func printAbovePrompt(_ body: () -> Void) {
        guard editing else { return body() }
        write("\r\u{1B}[K")  // back to the start of the prompt's line and clear it
        body()
        rl_forced_update_display()
    }

    /// Leaves the terminal as it found it.
    func close() {
        if editing {
            rl_callback_handler_remove()
            editing = false
        }
    }

    /// Adds a line to the history unless it is blank or repeats the previous entry.
    private func remember(_ line: String) {
        guard line.contains(where: { !$0.isWhitespace }), line != lastHistoryEntry else { return }
        _ = add_history(line)
        lastHistoryEntry = line
        // Saved after every line, so a session ended by a signal keeps its history.
        if let historyPath { _ = write_history(historyPath) }
    }

    private func write(_ text: String) {
        _ = TextSink.writeAll(Array(text.utf8), to: STDOUT_FILENO)
    }
}
