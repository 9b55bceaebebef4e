import TallyStats

/// `experiment "id" { ... }`.
public struct ExperimentRule {
    public var id: String
    public var name: String
    public var variants: [Variant]
    /// Index of the control in `variants`.
    public var control: Int
    public var assignment: Assignment
    /// Goal metrics; the first is the primary goal.
    public var metrics: [MetricRule]
    public var sample: SampleSettings
    public var method: TestMethodSetting
    public var onConclusive: PostTestAction
    public var onInconclusive: PostTestAction
    public var position: SourcePosition

    public struct Variant: Sendable, Equatable {
        public var id: String
        public var weight: Double
    }

    /// How guests enter the experiment.
    public enum Assignment {
        /// `EXPOSURE` events decide.
        case events
        /// GrowthBook-compatible hashing on the guest's first event matching `eligible`.
        case hash(traffic: Double, eligible: EventFilter)
    }

    /// Index of the variant with this id.
    public func variantIndex(_ id: String) -> Int? { variants.firstIndex { $0.id.hasSameBytes(as: id) } }
}

/// `sample = { base_rate, mde, confidence, power }`.
public struct SampleSettings: Sendable, Equatable {
    public var baseRate: Double = 0.02
    public var mde: Double = 0.20
    public var confidence: Double = 0.95
    public var power: Double = 0.80
    public init() {}
}

/// `method`, with the sequential tuning.
public enum TestMethodSetting: Sendable, Equatable {
    case fixed
    case sequential(tuning: Double)
    case bayesian
}

/// What happens when the experiment concludes (or not).
public enum PostTestAction: String, Sendable, Codable {
    case promoteWinner = "promote_winner"
    case revertToControl = "revert_to_control"
    case complete
    case keepRunning = "keep_running"
}

/// The unit a metric is measured per.
public enum MetricUnit: String, Sendable {
    case guest, session, order
}

/// Whether bigger is better.
public enum MetricDirection: String, Sendable {
    case increase, decrease
}

/// One goal of an experiment.
public final class MetricRule {
    public let id: String
    public let name: String
    public let kind: MetricKind
    public let unit: MetricUnit
    public let direction: MetricDirection
    /// `on`/`page`/`where` of conversion_rate, revenue, custom; `page` of bounce, exit, page_view.
    public let filter: EventFilter
    /// The numeric field summed by `revenue` (default "revenue"); the goal id for `goal_rate`.
    public let field: String
    /// Index into `RuleSet.goals` for `goal_rate`, resolved once every file has loaded.
    public internal(set) var goalIndex: Int?
    /// `value(e, guest)` of `custom`.
    public let value: LuaFunctionRef?
    public let position: SourcePosition
    /// `experiment/goal`: how rule errors name this goal.
    public let qualifiedID: String

    public init(id: String, experimentID: String, name: String, kind: MetricKind, unit: MetricUnit,
                direction: MetricDirection, filter: EventFilter, field: String, goalIndex: Int?,
                value: LuaFunctionRef?, position: SourcePosition) {
        self.id = id
        qualifiedID = experimentID + "/" + id
        self.name = name
        self.kind = kind
        self.unit = unit
        self.direction = direction
        self.filter = filter
        self.field = field
        self.goalIndex = goalIndex
        self.value = value
        self.position = position
    }
}

extension ExperimentRule: RuleDeclaration {
    public var errorID: String { id }
}

extension MetricRule: RuleDeclaration {
    public var errorID: String { qualifiedID }
}
