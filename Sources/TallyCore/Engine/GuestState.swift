/// Everything Tally keeps about one guest (person), natively.
struct GuestState: Codable, Sendable {
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

    /// Makes room for goal and outcome slots a reload added.
    mutating func grow(goals: Int, outcomes: Int) {
        if goalProgress.count < goals {
            goalProgress.append(contentsOf: repeatElement(GoalProgress(), count: goals - goalProgress.count))
        }
        if outcomesReached.count < outcomes {
            outcomesReached.append(contentsOf: repeatElement(false, count: outcomes - outcomesReached.count))
        }
    }
}

struct GoalProgress: Codable, Sendable {
    var times: Int32 = 0
    var lastSession: Int32 = -1
}

/// The guest's current session.
struct SessionState: Codable, Sendable {
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
        guard let slot = engine.goalSlots[id], slot < state.goalProgress.count else { return 0 }
        return Int(state.goalProgress[slot].times)
    }

    func hasReached(outcome id: String) -> Bool {
        guard let slot = engine.outcomeSlots[id], slot < state.outcomesReached.count else { return false }
        return state.outcomesReached[slot]
    }

    var sessionID: String { sessionID(of: index) }

    /// A guest's current session id: its explicit `session` field, or `guest#number`.
    func sessionID(of guest: Int) -> String {
        let session = engine.guests[guest].session
        return session.explicitID ?? "\(engine.guests[guest].id)#\(session.number)"
    }
    var sessionPoints: Double { state.session.points }
    var sessionViews: Int { state.session.views }
    var sessionEvents: Int { state.session.events }

    func data(_ key: String) -> GuestDataValue? { state.data[key] }
    func setData(_ key: String, _ value: GuestDataValue?) { engine.guests[index].data[key] = value }
    var dataKeys: [String] { state.data.keys.sorted() }

    func addPoints(_ points: Double) { engine.addPoints(points, toGuest: index) }
}
