/// What Tally keeps about one guest (person), natively; per goal and outcome slot figures live
/// in the engine's ``SlotTable``s.
struct GuestState: Sendable {
    /// The guest's id, held in place when short (most are): no `String` is made per guest.
    let guestID: CompactString
    /// The guest's id (made on each call).
    var id: String { guestID.string }
    /// The guest's latest (clamped) event time.
    var lastTimestamp: Int64 = .min
    var points = 0.0
    var sessionCount = 0
    var session = SessionState()
    /// `guest.data`, keys told apart by their bytes.
    var data: [ByteString: GuestDataValue] = [:]
    /// Changes whenever `data` changes (remembered conditions that read it compare it). Not
    /// saved: a restored engine remembers no conditions.
    var dataVersion: UInt32 = 0

    init(id: String) {
        self.init(guestID: CompactString(id))
    }

    init(guestID: CompactString) {
        self.guestID = guestID
    }
}

/// Per guest and goal: times reached, and the serial of the session it was last reached in.
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
    /// The engine detaches its handle from a runtime before it goes away or moves to other
    /// rules (``Engine/detach(_:)``), so no rule call can reach a dead engine through it.
    unowned(unsafe) let engine: Engine
    var index = 0

    init(engine: Engine) { self.engine = engine }

    private var state: GuestState {
        _read { yield engine.guests[index] }
    }

    var guestID: String {
        engine.conditionReads.note(.identity, value: 0)
        return state.id
    }

    // Reads a remembered condition may depend on are noted (see ``ConditionMemo``).

    var points: Double {
        let points = state.points
        engine.conditionReads.note(.points, value: points.bitPattern)
        return points
    }

    var sessionCount: Int {
        let count = state.sessionCount
        engine.conditionReads.note(.sessions, value: UInt64(count))
        return count
    }

    /// Not noted: the runtime copies these into the proxy's cache before a call, which is not
    /// a read of the condition being called.
    var scalars: (points: Double, sessions: Int) { (state.points, state.sessionCount) }

    func timesReached(goal id: String) -> Int {
        guard let slot = engine.goalSlots[ByteString(id)], slot < engine.goalProgress.width else { return 0 }
        let times = engine.goalProgress[index, slot].times
        engine.conditionReads.note(.goal, slot: UInt32(slot), value: UInt64(times))
        return Int(times)
    }

    func hasReached(outcome id: String) -> Bool {
        guard let slot = engine.outcomeSlots[ByteString(id)], slot < engine.outcomesReached.width else { return false }
        let reached = engine.outcomesReached[index, slot]
        engine.conditionReads.note(.outcome, slot: UInt32(slot), value: reached ? 1 : 0)
        return reached
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

    func data(_ key: String) -> GuestDataValue? {
        engine.conditionReads.note(.data, value: UInt64(state.dataVersion))
        return state.data[ByteString(key)]
    }

    func setData(_ key: String, _ value: GuestDataValue?) {
        engine.guests[index].data[ByteString(key)] = value
        engine.guests[index].dataVersion &+= 1
    }

    var dataKeys: [String] {
        engine.conditionReads.note(.data, value: UInt64(state.dataVersion))
        return state.data.keys.sorted().map(\.string)
    }

    func addPoints(_ points: Double) { engine.addPoints(points, toGuest: index) }
}
