/// Everything `tally run` reports (SPEC §6), as plain values. Renderers turn it into JSON or a
/// table; arrays keep definition order and variants their declaration order.
public struct Report: Sendable, Equatable, Codable {
    public var events = EventCounts()
    public var guests = GuestTotals()
    public var sessions = SessionTotals()
    public var goals: [GoalSummary] = []
    public var outcomes: [OutcomeSummary] = []
    public var outcomeGroups: [OutcomeGroupSummary] = []
    /// Named counters from `count(name, by)`, sorted by name.
    public var counters: [Counter] = []
    public var ruleErrors: [RuleErrorSummary] = []
    public var experiments: [ExperimentSummary] = []

    public init() {}

    public struct EventCounts: Sendable, Equatable, Codable {
        public var accepted = 0
        public var rejected = 0
        public var outOfOrder = 0
        /// Events that came after the long-running mode had closed the session they belong to
        /// (later than the allowed lateness); each started a new session. Always 0 in `run`.
        public var late = 0
    }

    public struct GuestTotals: Sendable, Equatable, Codable {
        public var count = 0
        /// Engagement value points of all guests.
        public var points = 0.0
    }

    public struct SessionTotals: Sendable, Equatable, Codable {
        public var count = 0
        /// `guests.points / sessions.count` (0 when there are no sessions).
        public var pointsPerSession = 0.0
    }

    public struct GoalSummary: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var reached: Int
        /// Distinct guests who reached it.
        public var guests: Int
        public var points: Double
    }

    public struct OutcomeSummary: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var group: String?
        public var reached: Int
        public var guests: Int
        public var value: Double
        public var currency: String
    }

    public struct OutcomeGroupSummary: Sendable, Equatable, Codable {
        public var group: String
        /// Distinct guests who reached any outcome of the group.
        public var guests: Int
        public var value: Double
    }

    public struct Counter: Sendable, Equatable, Codable {
        public var name: String
        public var value: Double
    }

    public struct RuleErrorSummary: Sendable, Equatable, Codable {
        /// The rule's id (goal, outcome, experiment or `experiment/goal`).
        public var rule: String
        public var file: String
        public var line: Int
        public var message: String
        public var count: Int
    }

    public struct ExperimentSummary: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        /// "collecting", "winner" or "inconclusive".
        public var status: String
        public var winner: String?
        public var leading: String?
        /// The post-test action applied ("promote_winner", "revert_to_control", "complete",
        /// "keep_running"), or nil while collecting.
        public var action: String?
        /// Exposed guests per variant, every declared variant included, in declaration order.
        public var exposed: [(variant: String, guests: Int)]
        public var multipleExposures: Int
        public var srmPValue: Double?
        public var srm: Bool?
        public var goals: [ExperimentGoalSummary]

        private enum CodingKeys: String, CodingKey {
            case id, name, status, winner, leading, action, exposedVariants, exposedGuests, multipleExposures,
                 srmPValue, srm, goals
        }

        public init(id: String, name: String, status: String, winner: String?, leading: String?, action: String?,
                    exposed: [(variant: String, guests: Int)], multipleExposures: Int, srmPValue: Double?,
                    srm: Bool?, goals: [ExperimentGoalSummary]) {
            self.id = id
            self.name = name
            self.status = status
            self.winner = winner
            self.leading = leading
            self.action = action
            self.exposed = exposed
            self.multipleExposures = multipleExposures
            self.srmPValue = srmPValue
            self.srm = srm
            self.goals = goals
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let variants = try container.decode([String].self, forKey: .exposedVariants)
            let guests = try container.decode([Int].self, forKey: .exposedGuests)
            self.init(
                id: try container.decode(String.self, forKey: .id), name: try container.decode(String.self, forKey: .name),
                status: try container.decode(String.self, forKey: .status),
                winner: try container.decodeIfPresent(String.self, forKey: .winner),
                leading: try container.decodeIfPresent(String.self, forKey: .leading),
                action: try container.decodeIfPresent(String.self, forKey: .action),
                exposed: zip(variants, guests).map { (variant: $0, guests: $1) },
                multipleExposures: try container.decode(Int.self, forKey: .multipleExposures),
                srmPValue: try container.decodeIfPresent(Double.self, forKey: .srmPValue),
                srm: try container.decodeIfPresent(Bool.self, forKey: .srm),
                goals: try container.decode([ExperimentGoalSummary].self, forKey: .goals))
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encodeIfPresent(winner, forKey: .winner)
            try container.encodeIfPresent(leading, forKey: .leading)
            try container.encodeIfPresent(action, forKey: .action)
            try container.encode(exposed.map(\.variant), forKey: .exposedVariants)
            try container.encode(exposed.map(\.guests), forKey: .exposedGuests)
            try container.encode(multipleExposures, forKey: .multipleExposures)
            try container.encodeIfPresent(srmPValue, forKey: .srmPValue)
            try container.encodeIfPresent(srm, forKey: .srm)
            try container.encode(goals, forKey: .goals)
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.id == rhs.id && lhs.name == rhs.name && lhs.status == rhs.status && lhs.winner == rhs.winner
                && lhs.leading == rhs.leading && lhs.action == rhs.action
                && lhs.exposed.map(\.variant) == rhs.exposed.map(\.variant)
                && lhs.exposed.map(\.guests) == rhs.exposed.map(\.guests)
                && lhs.multipleExposures == rhs.multipleExposures && lhs.srmPValue == rhs.srmPValue
                && lhs.srm == rhs.srm && lhs.goals == rhs.goals
        }
    }

    public struct ExperimentGoalSummary: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var primary: Bool
        /// The metric's kind; its raw value is the constructor's name, e.g. "conversion_rate".
        public var metric: MetricKind
        /// "guest", "session" or "order".
        public var per: String
        /// "increase" or "decrease".
        public var direction: String
        public var requiredUnits: Int
        public var variants: [VariantSummary]
    }

    public struct VariantSummary: Sendable, Equatable, Codable {
        public var id: String
        public var control: Bool
        public var guests: Int
        public var units: Int
        /// Numerator sum (conversions, revenue, bounces, ...).
        public var total: Double
        /// `total / units`, nil when units is 0.
        public var mean: Double?
        public var uplift: Double?
        public var ciLow: Double?
        public var ciHigh: Double?
        public var pValue: Double?
        /// `1 - pValue`.
        public var confidence: Double?
        public var chanceToWin: Double?
        public var significant: Bool?
    }
}

extension Report.EventCounts {
    /// Reads states saved before `late` existed as having none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        accepted = try container.decode(Int.self, forKey: .accepted)
        rejected = try container.decode(Int.self, forKey: .rejected)
        outOfOrder = try container.decode(Int.self, forKey: .outOfOrder)
        late = try container.decodeIfPresent(Int.self, forKey: .late) ?? 0
    }
}
