/// What running one spec found: nothing (it passed) or the expectations that did not hold.
public struct SpecResult: Sendable, Equatable {
    public var name: String
    /// Where the `spec` call is.
    public var position: SourcePosition
    /// The failing expectations, in the order they are checked.
    public var failures: [SpecFailure]

    public init(name: String, position: SourcePosition, failures: [SpecFailure]) {
        self.name = name
        self.position = position
        self.failures = failures
    }

    public var passed: Bool { failures.isEmpty }

    /// What `tally test` prints for the spec: `ok   <name>`, or one line per failing
    /// expectation, `FAIL <file>:<line> "<name>" — <path>: expected X, got Y`.
    public var lines: [String] {
        if passed { return ["ok   \(name)"] }
        return failures.map { "FAIL \(position) \"\(name)\" — \($0)" }
    }
}

/// One expectation that did not hold.
public struct SpecFailure: Sendable, Equatable, CustomStringConvertible {
    /// The key path in `expect`, e.g. `goals.newsletter_signup`.
    public var path: String
    public var expected: SpecValue
    public var actual: SpecValue
    /// More about the actual value (the rejected events, the failing rules), if any.
    public var detail: String?

    public init(path: String, expected: SpecValue, actual: SpecValue, detail: String? = nil) {
        self.path = path
        self.expected = expected
        self.actual = actual
        self.detail = detail
    }

    /// `goals.newsletter_signup: expected 1, got 2`, then the detail in parentheses.
    public var description: String {
        "\(path): expected \(expected), got \(actual)" + (detail.map { " (\($0))" } ?? "")
    }
}
