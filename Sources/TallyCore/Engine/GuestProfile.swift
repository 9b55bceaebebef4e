/// Everything Tally keeps about one guest, for `:guest ID` in the REPL and `GET /guests/{id}`.
public struct GuestProfile: Sendable, Equatable {
    public var id: String
    public var points: Double
    public var sessions: Int
    public var session: Session
    /// Goals reached, with how often, in slot (first-declared) order.
    public var goals: [(id: String, times: Int)]
    /// Outcomes reached.
    public var outcomes: [String]
    /// `guest.data`, sorted by key.
    public var data: [(key: String, value: GuestDataValue)]
    /// Experiments the guest is in, with its variant.
    public var experiments: [(experiment: String, variant: String)]

    public struct Session: Sendable, Equatable {
        public var id: String
        public var number: Int
        public var isOpen: Bool
        public var points: Double
        public var views: Int
        public var events: Int
        /// Time of the session's latest event (ms since the epoch).
        public var lastTimestamp: Int64
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.points == rhs.points && lhs.sessions == rhs.sessions && lhs.session == rhs.session
            && lhs.goals.map(\.id) == rhs.goals.map(\.id) && lhs.goals.map(\.times) == rhs.goals.map(\.times)
            && lhs.outcomes == rhs.outcomes && lhs.data.map(\.key) == rhs.data.map(\.key)
            && lhs.data.map(\.value) == rhs.data.map(\.value)
            && lhs.experiments.map(\.experiment) == rhs.experiments.map(\.experiment)
            && lhs.experiments.map(\.variant) == rhs.experiments.map(\.variant)
    }
}
