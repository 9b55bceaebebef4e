/// One `spec "name" { events = ..., expect = ... }` of a spec file: events in, expected
/// figures out (docs/testing.md). Loaded by ``SpecLoader``, run by ``SpecRunner``.
public struct RuleSpec: Sendable, Equatable {
    /// The spec's name, as written.
    public var name: String
    /// Where the `spec` call is (file and line).
    public var position: SourcePosition
    /// The events, in input order, already turned into JSON text.
    public var events: [SpecEvent]
    /// The spec's own `session_timeout` (milliseconds), overriding the rules' settings.
    public var sessionTimeout: Int64?
    /// What must hold after the events, in a fixed order (the documented key order, ids sorted).
    public var expectations: [SpecExpectation]

    public init(name: String, position: SourcePosition, events: [SpecEvent], sessionTimeout: Int64? = nil,
                expectations: [SpecExpectation]) {
        self.name = name
        self.position = position
        self.events = events
        self.sessionTimeout = sessionTimeout
        self.expectations = expectations
    }
}

/// Events of a spec, as input to the event parser.
public enum SpecEvent: Sendable, Equatable {
    /// One JSON line: an event table encoded as JSON, or a string element of the list as written.
    /// `label` names it in messages, e.g. `events[2]`.
    case line(String, label: String)
    /// JSON Lines text (`events = [[ ... ]]`), split and numbered like a file (`events line 3`).
    case text(String)
}

/// One expected figure: where it is read from, what it must be, and the path shown in messages.
public struct SpecExpectation: Sendable, Equatable {
    /// The key path in `expect`, e.g. `goals.newsletter_signup` or `experiments.checkout.units.orders.control`.
    public var path: String
    public var subject: SpecSubject
    public var expected: SpecValue
    /// True for the `rejected = 0` and `rule_errors = 0` a spec gets when its `expect` is silent.
    public var isImplicit: Bool

    public init(path: String, subject: SpecSubject, expected: SpecValue, isImplicit: Bool = false) {
        self.path = path
        self.subject = subject
        self.expected = expected
        self.isImplicit = isImplicit
    }
}

/// A figure of the report or of a guest's profile that a spec can check.
public enum SpecSubject: Sendable, Equatable {
    case accepted, rejected, outOfOrder
    /// Distinct guests.
    case guestCount
    case sessionCount
    /// All guests' engagement value points.
    case totalPoints
    /// Failed rule calls, in all (nil) or of one rule.
    case ruleErrors(rule: String?)
    case goal(id: String, GoalFigure)
    case outcome(id: String, OutcomeFigure)
    case outcomeGroup(name: String, GroupFigure)
    /// A named counter (0 when never counted).
    case counter(name: String)
    case guest(id: String, GuestFigure)
    case experiment(id: String, ExperimentFigure)
    /// A variant's figure in one of the experiment's goals.
    case variant(experiment: String, goal: String, variant: String, VariantFigure)

    public enum GoalFigure: String, Sendable, CaseIterable { case reached, guests, points }
    public enum OutcomeFigure: String, Sendable, CaseIterable { case reached, guests, value }
    public enum GroupFigure: String, Sendable, CaseIterable { case guests, value }

    public enum GuestFigure: Sendable, Equatable {
        case points, sessions
        /// Times the guest reached the goal (0 when never).
        case goal(String)
        /// Whether the guest reached the outcome.
        case outcome(String)
        /// A `guest.data` entry.
        case data(String)
        /// The guest's variant of the experiment (null when not in it).
        case experiment(String)
    }

    public enum ExperimentFigure: Sendable, Equatable {
        case status, winner, leading, action, multipleExposures, srm
        /// Exposed guests of a variant.
        case exposed(variant: String)
    }

    public enum VariantFigure: String, Sendable, CaseIterable {
        case units, totals, means, guests
    }
}

/// An expected or actual value.
public enum SpecValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case boolean(Bool)
    /// `false` in `expect` where the report has `null` (no winner, not in the experiment).
    case null
    /// Nothing to compare with; the text says why (e.g. `no guest "g9" in the events`).
    case missing(String)

    /// Numbers match within 1e-9 relative to the expected value (at least 1e-9 absolute); `false`
    /// matches null and is matched by null.
    public func matches(_ actual: SpecValue) -> Bool {
        switch (self, actual) {
        case (.number(let expected), .number(let got)):
            return abs(expected - got) <= 1e-9 * max(1, abs(expected))
        case (.string(let expected), .string(let got)): return expected.hasSameBytes(as: got)
        case (.boolean(let expected), .boolean(let got)): return expected == got
        case (.null, .null), (.boolean(false), .null), (.null, .boolean(false)): return true
        default: return false
        }
    }

    /// `2`, `49.99`, `"collecting"`, `true`, `null`, or the reason a value is missing.
    public var description: String {
        switch self {
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return "\(number)"
        case .string(let text): return "\"\(text)\""
        case .boolean(let flag): return String(flag)
        case .null: return "null"
        case .missing(let reason): return reason
        }
    }
}

/// A spec file that cannot be used: unreadable, not valid Lua, or a `spec` that does not follow
/// the DSL (an unknown key, a wrong type, an id the rules do not declare). Names file and line.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable {
        /// The file cannot be read (exit 66 in the CLI).
        case unreadable
        /// The file does not load (exit 65).
        case load
    }

    public var kind: Kind
    public var message: String
    public var position: SourcePosition?

    public init(kind: Kind = .load, message: String, position: SourcePosition? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    /// `file:line: message`.
    public var description: String {
        if let position { return "\(position): \(message)" }
        return message
    }
}
