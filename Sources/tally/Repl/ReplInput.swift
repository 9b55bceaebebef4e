import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the REPL waits for next: a line of standard input, or the rules watcher.
enum ReplInputItem {
    /// A line with its 1-based number (blank lines are counted, not handed out).
    case line(EventIntake.Line)
    /// The rules watcher's descriptor is readable: something in the rules directory moved.
    case watcher
    /// End of input.
    case end
}

/// Waits on standard input and, optionally, the rules watcher's descriptor.
enum InputPoll {
    enum Readiness {
        case input
        /// The input hung up or failed (a read will tell the details).
        case hangup
        case watcher
        /// A signal arrived while waiting.
        case interrupted
    }

    /// Blocks until `input` or `watcher` is ready, or a signal arrives. The watcher wins a tie,
    /// so a reload happens before the next line.
    static func wait(input: Int32, watcher: Int32?) -> Readiness {
        var descriptors = [pollfd(fd: input, events: Int16(POLLIN), revents: 0)]
        if let watcher { descriptors.append(pollfd(fd: watcher, events: Int16(POLLIN), revents: 0)) }
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 { return errno == EINTR ? .interrupted : .hangup }
            if descriptors.count > 1, descriptors[1].revents & Int16(POLLIN) != 0 { return .watcher }
            let events = descriptors[0].revents
            if events & Int16(POLLIN) != 0 { return .input }
            if events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hangup }
        }
    }
}

/// Lines from standard input when it is not a terminal: no prompt, no line editing. Reads in
/// chunks with ``EventIntake`` (so lines are numbered and split exactly as in `tally run`) and
/// hands them out one at a time.
final class PipedInput {
    private let reader: EventIntake
    private let watcher: Int32?
    /// Complete lines read but not yet handed out.
    private var pending: [(bytes: [UInt8], number: Int, oversize: Int?)] = []
    private var next = 0
    private var ended = false

    init(fileDescriptor: Int32 = STDIN_FILENO, watcher: Int32?) {
        reader = EventIntake(fileDescriptor: fileDescriptor, name: EventIntake.standardInputName)
        self.watcher = watcher
    }

    /// The next line (or the watcher's turn); `body` gets it while its bytes are valid.
    /// - Throws: `EventIntake.ReadError` when standard input cannot be read.
    func next(_ body: (ReplInputItem) -> Void) throws {
        while next == pending.count {
            pending.removeAll(keepingCapacity: true)
            next = 0
            if ended { return body(.end) }
            switch InputPoll.wait(input: reader.fileDescriptor, watcher: watcher) {
            case .watcher: return body(.watcher)
            case .interrupted: continue
            case .input, .hangup: break
            }
            if try reader.readAvailable(collect) == 0 {
                reader.finish(collect)
                ended = true
            }
        }
        let line = pending[next]
        next += 1
        if let byteCount = line.oversize { return body(.line(.oversize(byteCount: byteCount, number: line.number))) }
        line.bytes.withUnsafeBytes { body(.line(.text($0, number: line.number))) }
    }

    private func collect(_ line: EventIntake.Line) {
        switch line {
        case .text(let bytes, let number): pending.append((Array(bytes), number, nil))
        case .oversize(let byteCount, let number): pending.append(([], number, byteCount))
        }
    }
}
