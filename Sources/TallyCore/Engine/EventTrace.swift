/// What one event did (the REPL prints it): its session, the goals and outcomes it reached,
/// exposures, the experiment metrics it moved, and the rules that failed on it.
public struct EventTrace: Sendable, Equatable {
    public var line = 0
    public var guest = ""
    public var type = ""
    public var outOfOrder = false
    public var sessionID = ""
    public var newSession = false
    /// The guest's session number (1 for the first).
    public var sessionNumber = 0
    public var goals: [ReachedGoal] = []
    /// The guest's engagement value points after the event.
    public var guestPoints = 0.0
    public var outcomes: [ReachedOutcome] = []
    public var exposures: [Exposure] = []
    public var metrics: [MovedMetric] = []
    public var ruleErrors: [Report.RuleErrorSummary] = []

    public init(line: Int = 0, guest: String = "", type: String = "") {
        self.line = line
        self.guest = guest
        self.type = type
    }

    public struct ReachedGoal: Sendable, Equatable {
        public var id: String
        public var name: String
        public var points: Double
    }

    public struct ReachedOutcome: Sendable, Equatable {
        public var id: String
        public var name: String
        public var value: Double
        public var currency: String
    }

    public struct Exposure: Sendable, Equatable {
        public var experiment: String
        public var variant: String
        /// "new", "repeat" (same variant again) or "conflict" (another variant: a multiple
        /// exposure; the first variant stays).
        public var kind: String
    }

    public struct MovedMetric: Sendable, Equatable {
        public var experiment: String
        public var goal: String
        public var variant: String
    }
}
