/// The rule engine: takes events one at a time, in input order, and keeps guests, sessions,
/// goals, outcomes, counters and experiments (SPEC §1–§4). Per event, in this order: sessions,
/// exposures, goals (definition order), outcomes (definition order), experiment metrics.
///
/// Not thread-safe: one engine (and its Lua VM) per thread.
public final class Engine {
    public private(set) var rules: RuleSet
    let runtime: RuleRuntime
    /// Inactivity that ends a session, in milliseconds.
    public let sessionTimeout: Int64

    var guests = ContiguousArray<GuestState>()
    private var guestLookup: [String: Int] = [:]
    var goalIndex: [String: Int] = [:]
    var outcomeIndex: [String: Int] = [:]

    private var goalTotals: [Report.GoalSummary]
    private var outcomeTotals: [Report.OutcomeSummary]
    private var groupNames: [String] = []
    private var outcomeGroup: [Int?] = []
    private var groupTotals: [(guests: Int, value: Double)] = []
    private var groupGuests = Set<Int>()
    private var counters: [String: Double] = [:]
    var ruleErrors = RuleErrorLog()
    private var eventCounts = Report.EventCounts()
    private var sessionCount = 0
    private(set) var experiments: [ExperimentTracker]
    private var experimentIndex: [String: Int] = [:]
    private var handle: GuestHandle!
    private var goalDispatch: TypeDispatch
    private var outcomeDispatch: TypeDispatch

    /// A serial number per accepted event.
    private(set) var eventSerial = 0
    /// Points the current event's guest gained during this event.
    private(set) var pointsThisEvent = 0.0
    /// Goals (rule indices) reached on the current event.
    private(set) var goalsReachedThisEvent: [Int] = []

    /// Creates an engine for compiled rules.
    /// - Parameter sessionTimeout: overrides `settings.session_timeout` (milliseconds).
    public init(rules: RuleSet, sessionTimeout: Int64? = nil) {
        guard let runtime = rules.runtime else { preconditionFailure("a RuleSet from RuleLoader has a runtime") }
        self.rules = rules
        self.runtime = runtime
        self.sessionTimeout = sessionTimeout ?? rules.settings.sessionTimeout
        goalTotals = rules.goals.map { .init(id: $0.id, name: $0.name, reached: 0, guests: 0, points: 0) }
        outcomeTotals = rules.outcomes.map {
            .init(id: $0.id, name: $0.name, group: $0.group, reached: 0, guests: 0, value: 0, currency: $0.currency)
        }
        goalDispatch = TypeDispatch(rules.goals.map(\.filter))
        outcomeDispatch = TypeDispatch(rules.outcomes.map { $0.when == nil ? $0.filter : nil })
        for (index, goal) in rules.goals.enumerated() { goalIndex[goal.id] = index }
        for (index, outcome) in rules.outcomes.enumerated() {
            outcomeIndex[outcome.id] = index
            if let group = outcome.group {
                if let existing = groupNames.firstIndex(of: group) {
                    outcomeGroup.append(existing)
                } else {
                    groupNames.append(group)
                    groupTotals.append((0, 0))
                    outcomeGroup.append(groupNames.count - 1)
                }
            } else {
                outcomeGroup.append(nil)
            }
        }
        experiments = rules.experiments.enumerated().map { ExperimentTracker(rule: $0.element, index: $0.offset) }
        for (index, experiment) in rules.experiments.enumerated() { experimentIndex[experiment.id] = index }
        handle = GuestHandle(engine: self)
        runtime.guest = handle
        runtime.onCount = { [unowned self] name, amount in counters[name, default: 0] += amount }
    }

    /// Receives `log(...)` lines from rules.
    public var onLog: (String) -> Void {
        get { runtime.onLog }
        set { runtime.onLog = newValue }
    }

    /// Called the first time each rule fails at a given position.
    public var onRuleError: (Report.RuleErrorSummary) -> Void {
        get { ruleErrors.onFirstError }
        set { ruleErrors.onFirstError = newValue }
    }

    // MARK: Events

    /// Counts a line rejected before it reached the engine (bad JSON, missing fields, ...).
    public func countRejected() {
        eventCounts.rejected += 1
    }

    /// Applies one parsed event. Returns a rejection (and changes nothing but the reject count)
    /// for an `EXPOSURE` to an experiment or variant the rules do not define.
    @discardableResult
    public func ingest(_ event: Event) -> EventRejection? {
        var exposure: (experiment: Int, variant: Int)?
        if event.type == "EXPOSURE" {
            guard let name = event.experiment, let experiment = experimentIndex[name] else {
                eventCounts.rejected += 1
                return EventRejection(line: event.line, reason: "EXPOSURE to unknown experiment \(quoted(event.experiment ?? ""))")
            }
            guard let variant = rules.experiments[experiment].variantIndex(event.variant ?? "") else {
                eventCounts.rejected += 1
                return EventRejection(line: event.line,
                                      reason: "EXPOSURE to unknown variant \(quoted(event.variant ?? "")) of experiment \(quoted(name))")
            }
            exposure = (experiment, variant)
        }
        eventCounts.accepted += 1
        eventSerial += 1
        pointsThisEvent = 0
        goalsReachedThisEvent.removeAll(keepingCapacity: true)

        let guest = guestNumber(for: event.guest)
        let timestamp = clampedTime(event.timestamp, guest: guest)
        updateSession(event, at: timestamp, guest: guest)
        handle.index = guest
        runtime.beginEvent(event)

        if let exposure {
            experiments[exposure.experiment].expose(guest: guest, variant: exposure.variant, engine: self)
        }
        for tracker in experiments where tracker.assignsByHash {
            tracker.assignByHashIfEligible(event, guest: guest, engine: self)
        }
        applyGoals(event, guest: guest)
        applyOutcomes(event, guest: guest)
        for tracker in experiments {
            tracker.observe(event, guest: guest, isOwnExposure: exposure?.experiment == tracker.index, engine: self)
        }
        return nil
    }

    private func quoted(_ text: String) -> String { "\"\(text)\"" }

    private func guestNumber(for id: String) -> Int {
        if let index = guestLookup[id] { return index }
        let index = guests.count
        guests.append(GuestState(id: id, goals: rules.goals.count, outcomes: rules.outcomes.count))
        guestLookup[id] = index
        return index
    }

    /// The event's time, raised to the guest's previous time if earlier (counted as out of order).
    private func clampedTime(_ timestamp: Int64, guest: Int) -> Int64 {
        let previous = guests[guest].lastTimestamp
        if timestamp < previous {
            eventCounts.outOfOrder += 1
            return previous
        }
        guests[guest].lastTimestamp = timestamp
        return timestamp
    }

    private func updateSession(_ event: Event, at timestamp: Int64, guest: Int) {
        let session = guests[guest].session
        let startsNew: Bool
        if !session.isOpen {
            startsNew = true
        } else if let explicit = event.session {
            startsNew = explicit != session.explicitID
        } else {
            startsNew = timestamp - session.lastTimestamp > sessionTimeout
        }
        if startsNew {
            if session.isOpen { closeSession(guest: guest) }
            guests[guest].sessionCount += 1
            sessionCount += 1
            guests[guest].session = SessionState(
                explicitID: event.session, number: Int32(guests[guest].sessionCount), isOpen: true,
                lastTimestamp: timestamp)
            for tracker in experiments { tracker.sessionOpened(guest: guest) }
        }
        guests[guest].session.lastTimestamp = timestamp
        guests[guest].session.events += 1
        if event.type == "VIEW" { guests[guest].session.views += 1 }
    }

    private func closeSession(guest: Int) {
        guests[guest].session.isOpen = false
        for tracker in experiments { tracker.sessionClosed(guest: guest, engine: self) }
    }

    /// Closes every open session whose last event is more than the timeout before `time`
    /// (long-running modes). Returns how many closed.
    @discardableResult
    public func closeIdleSessions(before time: Int64) -> Int {
        var closed = 0
        for guest in guests.indices where guests[guest].session.isOpen
            && time - guests[guest].session.lastTimestamp > sessionTimeout {
            closeSession(guest: guest)
            closed += 1
        }
        return closed
    }

    /// Closes every open session (end of input in `run`).
    public func closeAllSessions() {
        for guest in guests.indices where guests[guest].session.isOpen { closeSession(guest: guest) }
    }

    // MARK: Goals and outcomes

    /// Adds engagement value points to a guest and its current session.
    func addPoints(_ points: Double, toGuest guest: Int) {
        guests[guest].points += points
        guests[guest].session.points += points
        pointsThisEvent += points
    }

    private func applyGoals(_ event: Event, guest: Int) {
        let goals = rules.goals
        for index in goalDispatch.candidates(for: event.type) {
            let goal = goals[index]
            let progress = guests[guest].goalProgress[index]
            switch goal.count {
            case .guest where progress.times > 0: continue
            case .session where progress.lastSession == guests[guest].session.number: continue
            default: break
            }
            guard matches(goal.filter, event, rule: goal.id, declaredAt: goal.position),
                  let points = evaluate(goal.points, rule: goal.id, purpose: "goal '\(goal.id)': points",
                                        declaredAt: goal.position)
            else { continue }
            guests[guest].goalProgress[index].times += 1
            guests[guest].goalProgress[index].lastSession = guests[guest].session.number
            goalTotals[index].reached += 1
            if progress.times == 0 { goalTotals[index].guests += 1 }
            goalTotals[index].points += points
            addPoints(points, toGuest: guest)
            goalsReachedThisEvent.append(index)
        }
    }

    private func applyOutcomes(_ event: Event, guest: Int) {
        let outcomes = rules.outcomes
        for index in outcomeDispatch.candidates(for: event.type) {
            let outcome = outcomes[index]
            let reachedBefore = guests[guest].outcomesReached[index]
            if outcome.once && reachedBefore { continue }
            if !outcome.filter.isEmpty,
               !matches(outcome.filter, event, rule: outcome.id, declaredAt: outcome.position) { continue }
            if let when = outcome.when {
                switch runtime.callCondition(when, guestFirst: true) {
                case .success(true): break
                case .success(false): continue
                case .failure(let error):
                    ruleErrors.record(rule: outcome.id, error: error, declaredAt: outcome.position)
                    continue
                }
            }
            guard let value = evaluate(outcome.value, rule: outcome.id, purpose: "outcome '\(outcome.id)': value",
                                       declaredAt: outcome.position) else { continue }
            guests[guest].outcomesReached[index] = true
            outcomeTotals[index].reached += 1
            if !reachedBefore { outcomeTotals[index].guests += 1 }
            outcomeTotals[index].value += value
            if let group = outcomeGroup[index] {
                groupTotals[group].value += value
                if groupGuests.insert(guest * groupNames.count + group).inserted { groupTotals[group].guests += 1 }
            }
        }
    }

    // MARK: Report

    /// Closes every open session, evaluates the experiments and returns the report (`run`).
    public func finish() -> Report {
        closeAllSessions()
        for tracker in experiments { tracker.evaluateStatus() }
        return report()
    }

    /// The report as of now (open sessions not yet counted in session metrics).
    public func report() -> Report {
        var report = Report()
        report.events = eventCounts
        report.guests.count = guests.count
        report.guests.points = guests.reduce(0) { $0 + $1.points }
        report.sessions.count = sessionCount
        report.sessions.pointsPerSession = sessionCount == 0 ? 0 : report.guests.points / Double(sessionCount)
        report.goals = goalTotals
        report.outcomes = outcomeTotals
        report.outcomeGroups = groupNames.enumerated().map {
            .init(group: $0.element, guests: groupTotals[$0.offset].guests, value: groupTotals[$0.offset].value)
        }
        report.counters = counters.keys.sorted().map { .init(name: $0, value: counters[$0]!) }
        report.ruleErrors = ruleErrors.summaries
        report.experiments = experiments.map { $0.summary() }
        return report
    }
}
