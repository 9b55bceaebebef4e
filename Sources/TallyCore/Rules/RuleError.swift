/// A problem in the rule files: a syntax error, an unknown field, a wrong type, a duplicate id,
/// an unknown reference. Its description names the file and line.
public struct RuleError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var position: SourcePosition?

    public init(message: String, position: SourcePosition? = nil) {
        self.message = message
        self.position = position
    }

    /// `file:line: message`.
    public var description: String {
        if let position { return "\(position): \(message)" }
        return message
    }
}
