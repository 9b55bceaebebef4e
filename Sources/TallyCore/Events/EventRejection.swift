/// Why one input line did not become an ``Event``: its 1-based line number and a one-line
/// reason that quotes the offending input, e.g. `line 12: missing required field "guest"`.
public struct EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number in its input.
    public let line: Int
    /// What is wrong, on one line, without the line number.
    public let reason: String

    /// A rejection of `line` for `reason` (which must not contain a newline).
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line 12: missing required field "guest"`.
    public var description: String { "line \(line): \(reason)" }

    /// The message with the input's name in compiler style:
    /// `events.jsonl:12: missing required field "guest"`.
    public func description(file: String) -> String { "\(file):\(line): \(reason)" }
}
