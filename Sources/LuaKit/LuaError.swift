/// An error from Lua: a syntax error, a runtime error, a spent budget, a memory cap, or a value of
/// the wrong type read from the stack.
///
/// `chunk` and `line` locate the error in the source (the position Lua reports, e.g. the failing
/// statement of a rule file); `traceback` is Lua's stack traceback when one was taken.
public struct LuaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable {
        case syntax, runtime, memory, instructionBudget, errorHandler, type
    }

    public var kind: Kind
    /// The message without its position prefix, e.g. `attempt to call a nil value (global 'f')`.
    public var message: String
    /// The chunk name without Lua's `@`/`=` marker, e.g. `rules/goals.lua`.
    public var chunk: String?
    /// The 1-based line in `chunk`.
    public var line: Int?
    /// Lua's `stack traceback:` text, if the error was caught with a traceback.
    public var traceback: String?

    public init(kind: Kind, message: String, chunk: String? = nil, line: Int? = nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.chunk = chunk
        self.line = line
        self.traceback = traceback
    }

    /// `chunk:line: message`, or just the message when the position is unknown.
    public var description: String {
        if let chunk, let line { return "\(chunk):\(line): \(message)" }
        if let chunk { return "\(chunk): \(message)" }
        return message
    }

    /// Splits a raw Lua error text (`chunk:line: message\nstack traceback:\n...`) into parts.
    static func parse(_ raw: String, kind: Kind) -> LuaError {
        var text = raw
        var traceback: String?
        let marker = "\nstack traceback:\n"
        if let start = text.indices.first(where: { text[$0...].hasPrefix(marker) }) {
            traceback = String(text[start...].dropFirst(marker.count))
            text = String(text[..<start])
        }
        // The first "name:digits: " on the first line is the position Lua added.
        let firstLine = text.prefix { $0 != "\n" }
        var searchStart = firstLine.startIndex
        while let colon = firstLine[searchStart...].firstIndex(of: ":") {
            let afterColon = firstLine.index(after: colon)
            let digits = firstLine[afterColon...].prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, digits.endIndex < firstLine.endIndex, firstLine[digits.endIndex] == ":",
               let line = Int(digits) {
                var message = text[text.index(after: digits.endIndex)...]
                if message.first == " " { message = message.dropFirst() }
                return LuaError(kind: kind, message: String(message), chunk: String(text[..<colon]),
                                line: line, traceback: traceback)
            }
            searchStart = afterColon
        }
        return LuaError(kind: kind, message: text, traceback: traceback)
    }
}
