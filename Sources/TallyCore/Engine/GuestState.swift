/// Everything Tally keeps about one guest (person), natively.
struct GuestState {
    let id: String
    /// The guest's latest (clamped) event time.
    var lastTimestamp: Int64 = .min
    var points = 0.0
    var sessionCount = 0
    var session = SessionState()
    /// Per goal (rule order): times reached, and the serial of the session it was last reached in.
    var goalProgress: ContiguousArray<GoalProgress>
    /// Per outcome (rule order): reached at least once.
    var outcomesReached: ContiguousArray<Bool>
    var data: [String: GuestDataValue] = [:]

    init(id: String, goals: Int, outcomes: Int) {
        self.id = id
        goalProgress = ContiguousArray(repeating: GoalProgress(), count: goals)
        outcomesReached = ContiguousArray(repeating: false, count: outcomes)
    }
}

struct GoalProgress {
    var times: Int32 = 0
    var lastSession: Int32 = -1
}

/// The guest's current session.
struct SessionState {
    /// The explicit `session` field that opened it, if any.
    var explicitID: String?
    /// The guest's session number (1 for the first).
    var number: Int32 = 0
    var isOpen = false
    var lastTimestamp: Int64 = 0
    var points = 0.0
    var views = 0
    var events = 0
}

/// The `guest` that rule functions see: reads and writes go to the engine's state of the guest
/// whose event is being processed.
final class GuestHandle: GuestAccess {
    unowned let engine: Engine
    var index = 0

    init(engine: Engine) { self.engine = engine }

    private var state: GuestState {
        _read { yield engine.guests[index] }
    }

    var guestID: String { state.id }
    var points: Double { state.points }
    var sessionCount: Int { state.sessionCount }

    func timesReached(goal id: String) -> Int {
        guard let goal = engine.goalIndex[id] else { return 0 }
        return Int(state.goalProgress[goal].times)
    }

    func hasReached(outcome id: String) -> Bool {
        guard let outcome = engine.outcomeIndex[id] else { return false }
        return state.outcomesReached[outcome]
    }

    var sessionID: String { state.session.explicitID ?? "\(state.id)#\(state.session.number)" }
    var sessionPoints: Double { state.session.points }
    var sessionViews: Int { state.session.views }
    var sessionEvents: Int { state.session.events }

    func data(_ key: String) -> GuestDataValue? { state.data[key] }
    func setData(_ key: String, _ value: GuestDataValue?) { engine.guests[index].data[key] = value }
    var dataKeys: [String] { state.data.keys.sorted() }

    func addPoints(_ points: Double) { engine.addPoints(points, toGuest: index) }
}
