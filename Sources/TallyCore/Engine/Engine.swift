import CPrefetch
import LuaKit

/// The rule engine: takes events one at a time, in input order, and keeps guests, sessions,
/// goals, outcomes, counters and experiments (SPEC §1–§4). Per event, in this order: sessions,
/// exposures, goals (definition order), outcomes (definition order), experiment metrics.
///
/// Goals and outcomes keep their figures in *slots* matched by id, so a rule set can be swapped
/// between two events (``reload(_:)``) without losing history. Not thread-safe: one engine (and
/// its Lua VM) per thread.
public final class Engine {
    public private(set) var rules: RuleSet
    private(set) var runtime: RuleRuntime
    /// Inactivity that ends a session, in milliseconds.
    public private(set) var sessionTimeout: Int64
    /// The command line's `--session-timeout`, which wins over `settings` across reloads.
    let sessionTimeoutOverride: Int64?
    /// How long past the timeout long-running modes keep a session open for late events, in
    /// milliseconds (see ``closeIdleSessions(before:)``).
    public private(set) var allowedLateness: Int64
    /// The command line's `--allowed-lateness`, which wins over `settings` across reloads.
    let allowedLatenessOverride: Int64?

    var guests = ContiguousArray<GuestState>()
    /// Per guest and goal slot: times reached, and the session it was last reached in.
    var goalProgress = SlotTable(width: 0, filler: GoalProgress())
    /// Per guest and outcome slot: reached at least once.
    var outcomesReached = SlotTable(width: 0, filler: false)
    /// Guest id → guest number (position in `guests`).
    var guestIndex = StringIndex(minimumCapacity: 1024)
    /// Changes when the guest table is replaced (a restored snapshot), which renumbers guests:
    /// a ``GuestHint`` from before then is not used.
    var guestTableGeneration = 0

    /// Goal id → slot, and per slot its totals (removed goals keep theirs). Ids, counter names
    /// and group names are told apart by their bytes (SPEC §3, "Text is bytes").
    var goalSlots: [ByteString: Int] = [:]
    var goalTotals: [Report.GoalSummary] = []
    /// Slot of each goal of the current rules, by rule index.
    var goalSlotOfRule: [Int] = []
    var outcomeSlots: [ByteString: Int] = [:]
    var outcomeTotals: [Report.OutcomeSummary] = []
    var outcomeSlotOfRule: [Int] = []
    /// Group of each outcome slot (index into `groupNames`).
    var outcomeGroupOfSlot: [Int?] = []
    var groupNames: [String] = []
    var groupTotals: [(guests: Int, value: Double)] = []
    /// (guest, group) pairs already counted in a group's distinct guests.
    var groupGuests = Set<GuestGroup>()

    var counters: [ByteString: Double] = [:]
    var ruleErrors = RuleErrorLog()
    var eventCounts = Report.EventCounts()
    var sessionCount = 0
    /// Trackers of the current rules' experiments, in definition order.
    var experiments: [ExperimentTracker] = [] {
        didSet { trackers = ContiguousArray(experiments.map(Unmanaged.passUnretained)) }
    }
    /// `experiments` without reference counting, for the per-event loops (`experiments` keeps
    /// them alive).
    private var trackers = ContiguousArray<Unmanaged<ExperimentTracker>>()
    /// The current rules' goals and outcomes, and the same without reference counting for the
    /// per-event loops (the first two keep them alive).
    private var adoptedGoals: [GoalRule] = []
    private var adoptedOutcomes: [OutcomeRule] = []
    private var goalRules = ContiguousArray<Unmanaged<GoalRule>>()
    private var outcomeRules = ContiguousArray<Unmanaged<OutcomeRule>>()
    /// Per outcome rule, its `when` without reference counting (the rules keep them).
    private var outcomeConditions = ContiguousArray<Unmanaged<LuaFunctionRef>?>()
    var experimentIndex: [ByteString: Int] = [:]
    /// Trackers of experiments a reload removed: their figures stay in the report.
    var retiredExperiments: [ExperimentTracker] = []
    /// Per outcome rule: its column in ``conditionMemo`` when its `when(guest)` can be
    /// remembered, else -1.
    var memoColumnOfOutcomeRule: [Int] = []
    var memoColumns = 0
    /// Per guest and remembered condition (row-major): 0, or the number + 1 of the entry in
    /// ``rememberedConditions`` of its last false (see ``ConditionMemo``).
    var conditionMemo = ContiguousArray<UInt32>()
    /// What the condition being called reads of the guest.
    var conditionReads = ConditionRecorder()
    /// Remembered condition calls, with their results shared between guests (see
    /// ``ConditionMemo``).
    var rememberedConditions = RememberedConditions(limit: Engine.rememberedConditionLimit)
    /// Per remembered condition: what its last call read (to look up results for new guests).
    var lastConditionReads: [ConditionMemo] = []
    /// Calls of `when(guest)` conditions answered from the memo.
    var conditionCallsSkipped = 0
    var dispatch = RuleDispatch(goals: [], outcomes: [])
    private var handle: GuestHandle!
    private var onLogHandler: (String) -> Void = { _ in }
    /// What the current reload could not carry over.
    var reloadNotes: [String] = []

    /// A serial number per accepted event.
    private(set) var eventSerial = 0
    /// Points the current event's guest gained during this event.
    private(set) var pointsThisEvent = 0.0
    /// For each goal rule, the serial of the last event that reached it: the current event
    /// reached it when that is ``eventSerial`` (nothing to clear between events).
    private var goalReachedAtSerial = ContiguousArray<Int>()
    /// True when the current event reached goal rule number `goal`.
    @inline(__always)
    func currentEventReached(goal: Int) -> Bool {
        goal < goalReachedAtSerial.count && goalReachedAtSerial[goal] == eventSerial
    }
    /// The largest event time seen (long-running modes close sessions against it).
    public private(set) var latestTimestamp: Int64 = .min

    /// True for the plain engine: every fast path is off (see ``init(rules:sessionTimeout:plain:)``).
    public let isPlain: Bool

    /// When true, ``lastTrace`` describes what each event did (for the REPL).
    public var tracing = false
    /// What the last accepted event did, when ``tracing`` is on.
    public internal(set) var lastTrace = EventTrace()

    /// Creates an engine for compiled rules.
    /// - Parameters:
    ///   - sessionTimeout: overrides `settings.session_timeout` (milliseconds).
    ///   - allowedLateness: overrides `settings.allowed_lateness` (milliseconds).
    ///   - plain: turns off every fast path (remembered conditions, the dispatch tables of
    ///     candidate rules, `where` tables checked on the line's bytes, remembered regex results,
    ///     reduced and reused event tables, the guest's cached scalars in Lua, the look-ahead):
    ///     each rule function is called with a whole `e` built for that call, every time it is
    ///     due. It defines the right answer the fast engine is checked against, and is slower.
    public init(rules: RuleSet, sessionTimeout: Int64? = nil, allowedLateness: Int64? = nil, plain: Bool = false) {
        guard let runtime = rules.runtime else { preconditionFailure("a RuleSet from RuleLoader has a runtime") }
        self.rules = rules
        self.runtime = runtime
        isPlain = plain
        sessionTimeoutOverride = sessionTimeout
        self.sessionTimeout = sessionTimeout ?? rules.settings.sessionTimeout
        allowedLatenessOverride = allowedLateness
        self.allowedLateness = allowedLateness ?? rules.settings.allowedLateness
        handle = GuestHandle(engine: self)
        adopt(rules)
    }

    /// Receives `log(...)` lines from rules.
    public var onLog: (String) -> Void {
        get { onLogHandler }
        set {
            onLogHandler = newValue
            runtime.onLog = newValue
        }
    }

    /// Called the first time each rule fails at a given position.
    public var onRuleError: (Report.RuleErrorSummary) -> Void {
        get { ruleErrors.onFirstError }
        set { ruleErrors.onFirstError = newValue }
    }

    deinit { detach(runtime) }

    /// Disconnects a runtime from this engine: its rules see no guest and count nothing here.
    func detach(_ runtime: RuleRuntime) {
        runtime.guest = nil
        runtime.onCount = { _, _ in }
        runtime.onLog = { _ in }
    }

    /// Points the engine's state at `rules`: slots by id, dispatch tables, the VM's hooks.
    func adopt(_ rules: RuleSet) {
        guard let runtime = rules.runtime else { preconditionFailure("a RuleSet from RuleLoader has a runtime") }
        if runtime !== self.runtime { detach(self.runtime) }
        self.rules = rules
        self.runtime = runtime
        goalReachedAtSerial = ContiguousArray(repeating: -1, count: rules.goals.count)
        sessionTimeout = sessionTimeoutOverride ?? rules.settings.sessionTimeout
        allowedLateness = allowedLatenessOverride ?? rules.settings.allowedLateness
        goalSlotOfRule = rules.goals.map { goal in
            slot(for: goal.id, in: &goalSlots, totals: &goalTotals,
                 make: { .init(id: goal.id, name: goal.name, reached: 0, guests: 0, points: 0) })
        }
        for (index, goal) in rules.goals.enumerated() { goalTotals[goalSlotOfRule[index]].name = goal.name }
        outcomeSlotOfRule = rules.outcomes.map { outcome in
            slot(for: outcome.id, in: &outcomeSlots, totals: &outcomeTotals, make: {
                .init(id: outcome.id, name: outcome.name, group: outcome.group, reached: 0, guests: 0, value: 0,
                      currency: outcome.currency)
            })
        }
        goalProgress.widen(to: goalTotals.count)
        outcomesReached.widen(to: outcomeTotals.count)
        outcomeGroupOfSlot += Array(repeating: nil, count: outcomeTotals.count - outcomeGroupOfSlot.count)
        for (index, outcome) in rules.outcomes.enumerated() {
            let slot = outcomeSlotOfRule[index]
            outcomeTotals[slot].name = outcome.name
            outcomeTotals[slot].group = outcome.group
            outcomeTotals[slot].currency = outcome.currency
            outcomeGroupOfSlot[slot] = outcome.group.map(groupNumber(for:))
        }
        planConditionMemo(for: rules.outcomes)
        adoptedGoals = rules.goals
        adoptedOutcomes = rules.outcomes
        goalRules = ContiguousArray(adoptedGoals.map(Unmanaged.passUnretained))
        outcomeRules = ContiguousArray(adoptedOutcomes.map(Unmanaged.passUnretained))
        outcomeConditions = ContiguousArray(adoptedOutcomes.map { $0.when.map(Unmanaged.passUnretained) })
        dispatch = RuleDispatch(goals: rules.goals.map(\.filter), outcomes: rules.outcomes.map(\.filter))
        adoptExperiments(rules.experiments)
        runtime.isPlain = isPlain
        runtime.guest = handle
        runtime.guestChanged()
        runtime.onCount = { [unowned(unsafe) self] name, amount in counters[ByteString(name), default: 0] += amount }
        runtime.onLog = onLogHandler
    }

    private func slot<Totals>(for id: String, in slots: inout [ByteString: Int], totals: inout [Totals],
                              make: () -> Totals) -> Int {
        if let slot = slots[ByteString(id)] { return slot }
        totals.append(make())
        slots[ByteString(id)] = totals.count - 1
        return totals.count - 1
    }

    private func groupNumber(for name: String) -> Int {
        if let existing = groupNames.firstIndex(where: { $0.hasSameBytes(as: name) }) { return existing }
        groupNames.append(name)
        groupTotals.append((0, 0))
        return groupNames.count - 1
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
        ingest(event, hint: .unknown)
    }

    /// ``ingest(_:)`` with the guest's number when ``prefetchGuestState(of:)`` found it, so it
    /// is not looked up again.
    private func ingest(_ event: Event, hint: GuestHint) -> EventRejection? {
        var exposure: (experiment: Int, variant: Int)?
        if event.isExposure {
            guard let name = event.experiment, let experiment = experimentIndex[ByteString(name)] else {
                eventCounts.rejected += 1
                return EventRejection(line: event.line, reason: "EXPOSURE to unknown experiment \(Quoted.text(event.experiment ?? ""))")
            }
            guard let variant = experiments[experiment].variantIndex(of: event.variant ?? "") else {
                eventCounts.rejected += 1
                return EventRejection(line: event.line,
                                      reason: "EXPOSURE to unknown variant \(Quoted.text(event.variant ?? "")) of experiment \(Quoted.text(name))")
            }
            exposure = (experiment, variant)
        }
        eventCounts.accepted += 1
        eventSerial += 1
        pointsThisEvent = 0

        let guest = hint.generation == guestTableGeneration ? hint.number : guestNumber(for: event.guestID)
        if tracing { lastTrace = EventTrace(line: event.line, guest: event.guest, type: event.type) }
        let timestamp = clampedTime(event.timestamp, guest: guest)
        latestTimestamp = max(latestTimestamp, timestamp)
        updateSession(event, at: timestamp, guest: guest)
        if handle.index != guest {
            handle.index = guest
            runtime.guestChanged()
        }
        // Rules read the event where it is, for as long as it is applied.
        withUnsafePointer(to: event) { current in
            runtime.beginEvent(current)
            defer { runtime.endEvent() }
            apply(event, guest: guest, exposure: exposure)
        }
        return nil
    }

    /// Applies an accepted event to its guest: exposures and hash assignment, goals, outcomes,
    /// experiment metrics.
    @inline(__always)
    private func apply(_ event: Event, guest: Int, exposure: (experiment: Int, variant: Int)?) {
        if let exposure {
            experiments[exposure.experiment].expose(guest: guest, variant: exposure.variant, engine: self)
        }
        forEachTracker { if $0.assignsByHash { $0.assignByHashIfEligible(event, guest: guest, engine: self) } }
        let candidates = isPlain ? everyRule : dispatch.candidates(for: event.type, page: event.page)
        applyGoals(event, guest: guest, candidates: candidates)
        applyOutcomes(event, guest: guest, candidates: candidates)
        forEachTracker { $0.observe(event, guest: guest, isOwnExposure: exposure?.experiment == $0.index, engine: self) }
        if tracing { lastTrace.guestPoints = guests[guest].points }
    }

    /// Sets the event serial and latest time (restoring a snapshot).
    func restoreSerial(eventSerial: Int, latestTimestamp: Int64) {
        self.eventSerial = eventSerial
        self.latestTimestamp = latestTimestamp
        goalReachedAtSerial = ContiguousArray(repeating: -1, count: goalReachedAtSerial.count)
    }

    private func guestNumber(for id: CompactString) -> Int {
        if let index = guestIndex.findOrInsert(id, value: guests.count) {
            prefetchState(ofGuest: index)
            return index
        }
        let index = guests.count
        guests.append(GuestState(guestID: id))
        goalProgress.appendRow()
        outcomesReached.appendRow()
        for _ in 0..<memoColumns { conditionMemo.append(0) }  // (cheaper than a generic append)
        return index
    }

    /// Look-ahead, first step: starts loading the index slot of `event`'s guest. Called for an
    /// event parsed before the previous one is ingested (see ``EventPipeline``); a hint only, it
    /// changes nothing. (`inout` only so that the event is read in place, not copied.)
    func prefetchGuestSlot(of event: inout Event) {
        guestIndex.prefetchSlot(of: event.guestID)
    }

    /// Look-ahead, second step: once the slot has had time to arrive (after the previous event
    /// was ingested), starts loading the state of `event`'s guest, if known, so that it is in
    /// cache when `event` is ingested, and returns the guest's number for
    /// ``ingest(inPlace:hint:)`` (``GuestHint/unknown`` for a guest not seen yet). Changes
    /// nothing.
    func prefetchGuestState(of event: inout Event) -> GuestHint {
        guard let guest = guestIndex.find(event.guestID) else { return .unknown }
        prefetchState(ofGuest: guest)
        return GuestHint(number: guest, generation: guestTableGeneration)
    }

    /// Look-ahead, third step: once the guest's experiment entries have had time to arrive,
    /// starts loading its participant records in each experiment. A hint only.
    func prefetchParticipants(ofGuest hint: GuestHint) {
        guard hint.generation == guestTableGeneration else { return }
        forEachTracker { $0.prefetchParticipant(ofGuest: hint.number) }
    }

    /// ``ingest(_:)`` for an event held in memory the caller owns (``EventPipeline``): taken
    /// `inout`, it is read in place, where passing it by value would copy it. `hint` is what
    /// ``prefetchGuestState(of:)`` returned for it (``GuestHint/unknown`` if it was not called).
    @inline(__always)
    func ingest(inPlace event: inout Event, hint: GuestHint) -> EventRejection? {
        ingest(event, hint: hint)
    }

    /// Starts loading a known guest's state, its goal and outcome rows, its remembered
    /// conditions and its participant entries, so that their cache misses overlap instead of
    /// following one another.
    @inline(__always)
    private func prefetchState(ofGuest guest: Int) {
        guests.prefetch(guest)
        goalProgress.prefetchRow(guest)
        outcomesReached.prefetchRow(guest)
        forEachTracker { $0.prefetchEntry(ofGuest: guest) }
        if memoColumns > 0 {
            conditionMemo.prefetch(guest * memoColumns, count: memoColumns)
        }
    }

    /// Calls `body` with each live experiment's tracker, in rule order, without reference
    /// counting (`experiments` keeps them) and without retaining the array.
    @inline(__always)
    private func forEachTracker(_ body: (ExperimentTracker) -> Void) {
        for number in trackers.indices { trackers[number]._withUnsafeGuaranteedRef(body) }
    }

    /// The event's time, raised to the guest's previous time if earlier (counted as out of order).
    private func clampedTime(_ timestamp: Int64, guest: Int) -> Int64 {
        let previous = guests[guest].lastTimestamp
        if timestamp < previous {
            eventCounts.outOfOrder += 1
            if tracing { lastTrace.outOfOrder = true }
            return previous
        }
        guests[guest].lastTimestamp = timestamp
        return timestamp
    }

    private func updateSession(_ event: Event, at timestamp: Int64, guest: Int) {
        let isOpen = guests[guest].session.isOpen
        let startsNew: Bool
        if !isOpen {
            startsNew = true
            if joinsClosedSession(event, at: timestamp, guest: guest) { eventCounts.late += 1 }
        } else if let explicit = event.session {
            startsNew = !(guests[guest].session.explicitID?.hasSameBytes(as: explicit) ?? false)
        } else {
            startsNew = timestamp - guests[guest].session.lastTimestamp > sessionTimeout
        }
        if startsNew {
            if isOpen { closeSession(guest: guest) }
            guests[guest].sessionCount += 1
            sessionCount += 1
            guests[guest].session = SessionState(
                explicitID: event.session, number: Int32(guests[guest].sessionCount), isOpen: true,
                lastTimestamp: timestamp)
            forEachTracker { $0.sessionOpened(guest: guest) }
        }
        guests[guest].session.lastTimestamp = timestamp
        guests[guest].session.events += 1
        if event.isView { guests[guest].session.views += 1 }
        if tracing {
            lastTrace.sessionID = handle.sessionID(of: guest)
            lastTrace.newSession = startsNew
            lastTrace.sessionNumber = guests[guest].sessionCount
        }
    }

    func closeSession(guest: Int) {
        guests[guest].session.isOpen = false
        forEachTracker { $0.sessionClosed(guest: guest, engine: self) }
    }

    // MARK: Goals and outcomes

    /// Adds engagement value points to a guest and its current session.
    func addPoints(_ points: Double, toGuest guest: Int) {
        guests[guest].points += points
        guests[guest].session.points += points
        pointsThisEvent += points
        runtime.guestScalarsChanged()
    }

    /// The plain engine's candidates: every goal and outcome, nothing known to match.
    private var everyRule: RuleDispatch.Candidates {
        RuleDispatch.Candidates(goals: dispatch.everyGoal, outcomes: dispatch.everyOutcome, pageChecked: false)
    }

    private func applyGoals(_ event: Event, guest: Int, candidates: RuleDispatch.Candidates) {
        for position in candidates.goals {
            let index = dispatch.ruleNumbers[position]
            goalRules[index]._withUnsafeGuaranteedRef {
                apply($0, index: index, event, guest: guest, pageChecked: candidates.pageChecked)
            }
        }
    }

    @inline(__always)
    private func apply(_ goal: GoalRule, index: Int, _ event: Event, guest: Int, pageChecked: Bool) {
        let slot = goalSlotOfRule[index]
        let progress = goalProgress[guest, slot]
        switch goal.count {
        case .guest where progress.times > 0: return
        case .session where progress.lastSession == guests[guest].session.number: return
        default: break
        }
        guard pageChecked ? goal.filter.matchesCondition(event, rule: goal, engine: self)
                          : matches(goal.filter, event, rule: goal),
              let points = evaluate(goal.points, rule: goal, purpose: "goal '\(goal.id)': points")
        else { return }
        goalProgress[guest, slot] = GoalProgress(times: progress.times + 1, lastSession: guests[guest].session.number)
        goalTotals[slot].reached += 1
        if progress.times == 0 { goalTotals[slot].guests += 1 }
        goalTotals[slot].points += points
        addPoints(points, toGuest: guest)
        goalReachedAtSerial[index] = eventSerial
        if tracing { lastTrace.goals.append(.init(id: goal.id, name: goal.name, points: points)) }
    }

    private func applyOutcomes(_ event: Event, guest: Int, candidates: RuleDispatch.Candidates) {
        for position in candidates.outcomes {
            let index = dispatch.ruleNumbers[position]
            outcomeRules[index]._withUnsafeGuaranteedRef {
                apply($0, index: index, event, guest: guest, pageChecked: candidates.pageChecked)
            }
        }
    }

    @inline(__always)
    private func apply(_ outcome: OutcomeRule, index: Int, _ event: Event, guest: Int, pageChecked: Bool) {
        let slot = outcomeSlotOfRule[index]
        let reachedBefore = outcomesReached[guest, slot]
        if outcome.once && reachedBefore { return }
        if !outcome.filter.isEmpty {
            guard pageChecked ? outcome.filter.matchesCondition(event, rule: outcome, engine: self)
                              : matches(outcome.filter, event, rule: outcome) else { return }
        }
        if let when = outcomeConditions[index] {
            let result = isPlain
                ? runtime.callCondition(when.takeUnretainedValue(), guestFirst: true)
                : when._withUnsafeGuaranteedRef { evaluateCondition($0, ofOutcomeRule: index, guest: guest) }
            switch result {
            case .success(true): break
            case .success(false): return
            case .failure(let error):
                recordRuleError(rule: outcome.id, error: error, declaredAt: outcome.position)
                return
            }
        }
        guard let value = evaluate(outcome.value, rule: outcome, purpose: "outcome '\(outcome.id)': value")
        else { return }
        outcomesReached[guest, slot] = true
        outcomeTotals[slot].reached += 1
        if !reachedBefore { outcomeTotals[slot].guests += 1 }
        outcomeTotals[slot].value += value
        if let group = outcomeGroupOfSlot[slot] {
            groupTotals[group].value += value
            if groupGuests.insert(GuestGroup(guest: guest, group: group)).inserted { groupTotals[group].guests += 1 }
        }
        if tracing {
            lastTrace.outcomes.append(.init(id: outcome.id, name: outcome.name, value: value, currency: outcome.currency))
        }
    }

    /// Counts a failed rule call (and traces it).
    func recordRuleError(rule: String, error: LuaError, declaredAt position: SourcePosition) {
        ruleErrors.record(rule: rule, error: error, declaredAt: position)
        if tracing {
            let file = error.chunk ?? position.file
            let line = error.line ?? position.line
            lastTrace.ruleErrors.append(.init(rule: rule, file: file, line: line, message: error.message, count: 1))
        }
    }

    // MARK: Report

    /// Closes every open session, evaluates the experiments and returns the report (`run`).
    public func finish() -> Report {
        closeAllSessions()
        for tracker in experiments { tracker.evaluateStatus() }
        return report()
    }

    /// The report as of now (open sessions not yet counted in session metrics). Goals and
    /// outcomes of the current rules come first, in definition order, then those a reload removed.
    public func report() -> Report {
        var report = Report()
        report.events = eventCounts
        report.guests.count = guests.count
        report.guests.points = guests.reduce(0) { $0 + $1.points }
        report.sessions.count = sessionCount
        report.sessions.pointsPerSession = sessionCount == 0 ? 0 : report.guests.points / Double(sessionCount)
        report.goals = Self.currentFirst(goalTotals, current: goalSlotOfRule)
        report.outcomes = Self.currentFirst(outcomeTotals, current: outcomeSlotOfRule)
        report.outcomeGroups = groupNames.enumerated().map {
            .init(group: $0.element, guests: groupTotals[$0.offset].guests, value: groupTotals[$0.offset].value)
        }
        report.counters = counters.keys.sorted().map { .init(name: $0.string, value: counters[$0]!) }
        report.ruleErrors = ruleErrors.summaries
        report.experiments = (experiments + retiredExperiments).map { $0.summary() }
        return report
    }

    private static func currentFirst<Totals>(_ totals: [Totals], current: [Int]) -> [Totals] {
        let currentSet = Set(current)
        return current.map { totals[$0] } + totals.indices.filter { !currentSet.contains($0) }.map { totals[$0] }
    }
}

struct GuestGroup: Hashable, Codable, Sendable {
    var guest: Int
    var group: Int
}

/// A guest's number found ahead of applying its event (``Engine/prefetchGuestState(of:)``), good
/// while the guest table is the one it was found in: guests are only ever appended, so a number
/// keeps meaning its guest until a restored snapshot replaces the table.
struct GuestHint {
    /// The guest's number (-1 when unknown).
    let number: Int
    /// ``Engine/guestTableGeneration`` when the number was found (-1 when unknown).
    let generation: Int

    /// No number: the engine looks the guest up (or adds it).
    static let unknown = GuestHint(number: -1, generation: -1)
}
