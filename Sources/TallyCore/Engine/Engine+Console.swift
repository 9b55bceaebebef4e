import LuaKit

extension Engine {
    /// The profile of a guest, or nil if Tally has not seen it.
    public func profile(ofGuest id: String) -> GuestProfile? {
        guard let number = guestIndex.find(id) else { return nil }
        let guest = guests[number]
        let goals = goalTotals.indices.compactMap { slot -> (String, Int)? in
            let times = goalProgress[number, slot].times
            return times > 0 ? (goalTotals[slot].id, Int(times)) : nil
        }
        let outcomes = outcomeTotals.indices.filter { outcomesReached[number, $0] }.map { outcomeTotals[$0].id }
        let experiments = (self.experiments + retiredExperiments).compactMap { tracker -> (String, String)? in
            guard let participant = tracker.participant(ofGuest: number) else { return nil }
            return (tracker.rule.id, tracker.rule.variants[tracker.participants[participant].variant].id)
        }
        let session = GuestProfile.Session(
            id: guest.session.explicitID ?? "\(guest.id)#\(guest.session.number)", number: Int(guest.session.number),
            isOpen: guest.session.isOpen, points: guest.session.points, views: guest.session.views,
            events: guest.session.events, lastTimestamp: guest.session.lastTimestamp)
        return GuestProfile(
            id: guest.id, points: guest.points, sessions: guest.sessionCount, session: session,
            goals: goals.map { (id: $0.0, times: $0.1) }, outcomes: outcomes,
            data: guest.data.keys.sorted().map { (key: $0.string, value: guest.data[$0]!) },
            experiments: experiments.map { (experiment: $0.0, variant: $0.1) })
    }

    /// Evaluates a line of Lua in the rules' sandbox (the REPL): an expression prints its
    /// values, a statement runs; globals persist between lines. The line sees the DSL's shared
    /// names, `goals`, `outcomes`, `experiments` (the declarations by id) and `guest(id)` (a
    /// snapshot of a profile as a table, or nil).
    public func evaluateLua(_ source: String) -> Result<[String], LuaError> {
        runtime.evaluate(source) { [unowned self] id in
            guard let profile = profile(ofGuest: id) else { return .nil }
            return profile.luaValue
        }
    }
}

extension GuestProfile {
    /// The profile as the Lua table `guest(id)` returns.
    var luaValue: LuaValue {
        var goals: [LuaValue: LuaValue] = [:]
        for goal in self.goals { goals[.string(goal.id)] = .integer(Int64(goal.times)) }
        var outcomes: [LuaValue: LuaValue] = [:]
        for outcome in self.outcomes { outcomes[.string(outcome)] = true }
        var data: [LuaValue: LuaValue] = [:]
        for entry in self.data {
            switch entry.value {
            case .string(let text): data[.string(entry.key)] = .string(text)
            case .integer(let number): data[.string(entry.key)] = .integer(number)
            case .number(let number): data[.string(entry.key)] = .number(number)
            case .boolean(let flag): data[.string(entry.key)] = .boolean(flag)
            }
        }
        var experiments: [LuaValue: LuaValue] = [:]
        for entry in self.experiments { experiments[.string(entry.experiment)] = .string(entry.variant) }
        return .table([
            "id": .string(id), "points": .number(points), "sessions": .integer(Int64(sessions)),
            "goals": .table(goals), "outcomes": .table(outcomes), "data": .table(data),
            "experiments": .table(experiments),
            "session": .table([
                "id": .string(session.id), "points": .number(session.points),
                "views": .integer(Int64(session.views)), "events": .integer(Int64(session.events)),
            ]),
        ])
    }
}
