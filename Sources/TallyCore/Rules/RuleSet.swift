import LuaKit

/// The rules of a directory, compiled: Swift values for everything declarative and Lua
/// functions (in the VM that loaded them) for `where`, `when`, `points` and `value` functions.
public final class RuleSet {
    public var settings: Settings
    public var goals: [GoalRule]
    public var outcomes: [OutcomeRule]
    public var experiments: [ExperimentRule]
    /// The VM the rules' functions live in (nil for rule sets built without Lua, in tests).
    public let runtime: RuleRuntime?

    public init(settings: Settings = Settings(), goals: [GoalRule] = [], outcomes: [OutcomeRule] = [],
                experiments: [ExperimentRule] = [], runtime: RuleRuntime? = nil) {
        self.settings = settings
        self.goals = goals
        self.outcomes = outcomes
        self.experiments = experiments
        self.runtime = runtime
    }
}

/// `settings { ... }`.
public struct Settings: Sendable, Equatable {
    /// Inactivity that ends a session, in milliseconds (default 30 minutes).
    public var sessionTimeout: Int64 = 30 * 60 * 1000
    /// How long past the session timeout the long-running modes (`watch`, `serve`, `repl`)
    /// keep a session open for events that arrive late, in milliseconds (default 5 minutes).
    public var allowedLateness: Int64 = Settings.defaultAllowedLateness
    /// 5 minutes.
    public static let defaultAllowedLateness: Int64 = 5 * 60 * 1000
    /// Currency of outcome values (default "USD").
    public var currency: String = "USD"
    public var position: SourcePosition?
    public init() {}
}

/// A number given in a rule, or a Lua function computing it per event.
public enum RuleNumber {
    case constant(Double)
    /// `function(e, guest)`; its result must be a number.
    case function(LuaFunctionRef)
}

/// A function declared in a rule file, pinned in its VM, with where it was declared.
/// (A class: rules hand it around on every event and must not copy its fields.)
public final class LuaFunctionRef {
    public let reference: LuaRef
    public let position: SourcePosition
    /// Declared parameters (`...` counts as many): the engine builds the event table only for
    /// functions that can see it.
    public let parameterCount: Int
    /// The function's upvalues when they are all plain values (see ``LuaClosureSnapshot``):
    /// a `when(guest)` with one is not called again while nothing it can read has changed.
    public let closure: LuaClosureSnapshot?
    /// The fields the function reads from its first and its second parameter, when reading
    /// them by name is all it does with that parameter: as `e`, it is then handed a table of
    /// just those fields instead of the whole event.
    let eventFieldsAsFirst: EventFieldReads?
    let eventFieldsAsSecond: EventFieldReads?
    /// The line of the rule file (the declaration's) where the function is written, when known.
    public let definitionLine: Int?

    public convenience init(reference: LuaRef, position: SourcePosition, parameterCount: Int = .max,
                closure: LuaClosureSnapshot? = nil) {
        self.init(reference: reference, position: position, parameterCount: parameterCount, closure: closure,
                  eventFields: (nil, nil))
    }

    init(reference: LuaRef, position: SourcePosition, parameterCount: Int, closure: LuaClosureSnapshot?,
         eventFields: (first: EventFieldReads?, second: EventFieldReads?), definitionLine: Int? = nil) {
        self.reference = reference
        self.definitionLine = definitionLine
        self.position = position
        self.parameterCount = parameterCount
        self.closure = closure
        eventFieldsAsFirst = eventFields.first
        eventFieldsAsSecond = eventFields.second
    }
}

/// The fields a rule function reads from its event parameter (`e.page`, `e.utm`), with their
/// names pinned in the VM, and the one table it is handed as `e`, refilled for each call: the
/// function cannot keep, pass on or change the table (it only reads fields of it), so no call
/// can tell it from a new one, and none is allocated per event.
final class EventFieldReads {
    let names: [String]
    let keys: [LuaRef]
    let table: LuaRef

    /// The fields the function at `index` reads from parameter `parameter` (0-based), or nil
    /// when it does more with it (see `LuaState.fieldReads(ofParameter:ofFunctionAt:)`).
    init?(ofParameter parameter: Int, ofFunctionAt index: Int32, in state: LuaState) {
        guard let names = state.fieldReads(ofParameter: parameter, ofFunctionAt: index) else { return nil }
        self.names = names
        keys = names.map { name in
            state.push(name)
            return LuaRef(popping: state)
        }
        state.pushTable(fieldCapacity: names.count)
        table = LuaRef(popping: state)
    }
}

/// The event matchers shared by goals, outcomes and metrics: `on`, `page`, `where`.
/// (A class: the engine reads filters on every event and must not copy them.)
public final class EventFilter {
    /// Matches the upper-cased event type.
    public let on: StringMatcher?
    /// Matches the `page` field (case-sensitively); an event without a page never matches.
    public let page: StringMatcher?
    public let condition: Condition?
    /// A `where` table, laid out for matching on the line's bytes.
    let fieldPlan: FieldConditionPlan?

    public init(on: StringMatcher? = nil, page: StringMatcher? = nil, condition: Condition? = nil) {
        self.on = on
        self.page = page
        self.condition = condition
        if case .fields(let expectations)? = condition { fieldPlan = FieldConditionPlan(expectations) } else { fieldPlan = nil }
    }

    /// True when the filter has no matcher at all.
    public var isEmpty: Bool { on == nil && page == nil && condition == nil }
}

/// `where`: a table of field = expected value, or a Lua function.
public enum Condition {
    case fields([FieldExpectation])
    /// `function(e, guest) return boolean end`.
    case function(LuaFunctionRef)
}

/// One entry of a `where` table: a (dotted) field path and the value it must (not) equal.
public struct FieldExpectation: Sendable {
    public var path: [String]
    public var expected: ExpectedValue
    /// True for `not_equal(v)`.
    public var negated: Bool

    public init(path: [String], expected: ExpectedValue, negated: Bool = false) {
        self.path = path
        self.expected = expected
        self.negated = negated
    }
}

/// A value a field is compared with, as Lua holds it (an integer or a float). A string equals a
/// number when it is the number's text (see ``FieldComparison``).
public enum ExpectedValue: Sendable, Equatable {
    case string(String)
    /// A Lua integer (`5`).
    case integer(Int64)
    /// A Lua float (`5.0`, `5e0`, `0.5`).
    case number(Double)
    case boolean(Bool)
}

/// How often a goal can be reached.
public enum GoalCount: String, Sendable {
    case every, session, guest
}

/// `goal "id" { ... }`. (Rules are classes: the engine walks them on every event.)
public final class GoalRule {
    public let id: String
    public let name: String
    public let filter: EventFilter
    public let points: RuleNumber
    public let count: GoalCount
    public let position: SourcePosition

    public init(id: String, name: String, filter: EventFilter, points: RuleNumber, count: GoalCount,
                position: SourcePosition) {
        self.id = id
        self.name = name
        self.filter = filter
        self.points = points
        self.count = count
        self.position = position
    }
}

/// `outcome "id" { ... }`.
public final class OutcomeRule {
    public let id: String
    public let name: String
    public let group: String?
    public let filter: EventFilter
    /// `when = function(guest, e)`: a state trigger checked after the event's goals.
    public let when: LuaFunctionRef?
    public let value: RuleNumber
    /// The currency of `value` (the settings' currency unless the outcome names one).
    public internal(set) var currency: String
    /// Reached at most once per guest (default) or every time.
    public let once: Bool
    public let position: SourcePosition

    public init(id: String, name: String, group: String?, filter: EventFilter, when: LuaFunctionRef?,
                value: RuleNumber, currency: String, once: Bool, position: SourcePosition) {
        self.id = id
        self.name = name
        self.group = group
        self.filter = filter
        self.when = when
        self.value = value
        self.currency = currency
        self.once = once
        self.position = position
    }
}

/// A declared rule, as rule errors name it: its id (`experiment/goal` for an experiment's
/// goals) and where it was declared. (The engine passes rules themselves, not their fields, so
/// its hot loops copy nothing.)
public protocol RuleDeclaration {
    var errorID: String { get }
    var position: SourcePosition { get }
}

extension GoalRule: RuleDeclaration {
    public var errorID: String { id }
}

extension OutcomeRule: RuleDeclaration {
    public var errorID: String { id }
}
