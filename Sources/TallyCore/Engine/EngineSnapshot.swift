/// Every piece of an engine's state, as a value that can be encoded (JSON, property lists) and
/// restored into an engine later: guests, sessions, goal and outcome totals, counters, rule
/// errors and experiments. The rules themselves are not part of it; a restored engine keeps its
/// own and matches definitions by id, as a reload does.
public struct EngineSnapshot: Codable, Sendable {
    /// The snapshot format; ``Engine/restore(_:)`` refuses other versions.
    public static let currentVersion = 1
    public var version = EngineSnapshot.currentVersion

    var guests: [SavedGuest]
    var goalTotals: [Report.GoalSummary]
    var outcomeTotals: [Report.OutcomeSummary]
    var outcomeGroupOfSlot: [Int?]
    var groupNames: [String]
    var groupTotals: [GroupTotal]
    var groupGuests: [GuestGroup]
    var counters: [ByteString: Double]
    var ruleErrors: [Report.RuleErrorSummary]
    var eventCounts: Report.EventCounts
    var sessionCount: Int
    var eventSerial: Int
    var latestTimestamp: Int64
    var experiments: [ExperimentState]

    /// A guest as saved: its state with its goal and outcome slots.
    struct SavedGuest: Codable, Sendable {
        var id: String
        var lastTimestamp: Int64
        var points: Double
        var sessionCount: Int
        var session: SessionState
        /// Per goal slot: times reached and the session last reached in.
        var goalProgress: [GoalProgress]
        /// Per outcome slot: reached at least once.
        var outcomesReached: [Bool]
        var data: [ByteString: GuestDataValue]
    }

    struct GroupTotal: Codable, Sendable {
        var guests: Int
        var value: Double
    }

    /// One experiment's live state, with the shape of its definition to match on restore.
    struct ExperimentState: Codable, Sendable {
        var id: String
        var variants: [String]
        /// (id, metric, unit) of each goal, in order.
        var metrics: [MetricKey]
        var exposed: [Int]
        var multipleExposures: Int
        var participantGuests: [Int]
        var participantNumbers: [Int32]
        var participants: [SavedParticipant]
        var statistics: [[UnitStatistics]]
        var conclusion: ExperimentConclusion?
        var evaluation: ExperimentEvaluation
    }

    /// A participant as saved, with its figures per metric (in the order of `metrics`).
    struct SavedParticipant: Codable, Sendable {
        var guest: Int
        var variant: Int
        var exposureSerial: Int
        var inSession: Bool
        var values: [UnitValue]
        var sessions: [SessionScratch]
    }

    struct MetricKey: Codable, Sendable, Equatable {
        var id: String
        var kind: String
        var unit: String

        /// Ids compared by their bytes.
        static func == (lhs: MetricKey, rhs: MetricKey) -> Bool {
            lhs.id.hasSameBytes(as: rhs.id) && lhs.kind == rhs.kind && lhs.unit == rhs.unit
        }
    }

    /// Accepted events the snapshot includes.
    public var acceptedEvents: Int { eventCounts.accepted }
}

extension Engine {
    /// The engine's whole state as a value.
    public func snapshot() -> EngineSnapshot {
        EngineSnapshot(
            guests: guests.indices.map(savedGuest), goalTotals: goalTotals, outcomeTotals: outcomeTotals,
            outcomeGroupOfSlot: outcomeGroupOfSlot, groupNames: groupNames,
            groupTotals: groupTotals.map { .init(guests: $0.guests, value: $0.value) },
            groupGuests: Array(groupGuests), counters: counters, ruleErrors: ruleErrors.summaries,
            eventCounts: eventCounts, sessionCount: sessionCount, eventSerial: eventSerial,
            latestTimestamp: latestTimestamp,
            experiments: (experiments + retiredExperiments).map { $0.state })
    }

    /// Replaces this engine's state with the snapshot's. The engine's current rules are kept and
    /// definitions matched by id: goals and outcomes by id, experiments by id when their
    /// variants are the same (goals by id, metric and unit). Returns notes on what could not be
    /// carried (an experiment whose variants changed or that the rules no longer define).
    @discardableResult
    public func restore(_ snapshot: EngineSnapshot) -> [String] {
        guard snapshot.version == EngineSnapshot.currentVersion else {
            return ["snapshot version \(snapshot.version) is not supported (expected \(EngineSnapshot.currentVersion)); state not restored"]
        }
        restoreGuests(snapshot.guests, goalSlots: snapshot.goalTotals.count, outcomeSlots: snapshot.outcomeTotals.count)
        runtime.guestChanged()  // the guest numbered like the last one may be another now
        resetConditionMemo()
        goalTotals = snapshot.goalTotals
        goalSlots = Dictionary(uniqueKeysWithValues: goalTotals.enumerated().map { (ByteString($0.element.id), $0.offset) })
        outcomeTotals = snapshot.outcomeTotals
        outcomeSlots = Dictionary(uniqueKeysWithValues: outcomeTotals.enumerated().map { (ByteString($0.element.id), $0.offset) })
        outcomeGroupOfSlot = snapshot.outcomeGroupOfSlot
        groupNames = snapshot.groupNames
        groupTotals = snapshot.groupTotals.map { (guests: $0.guests, value: $0.value) }
        groupGuests = Set(snapshot.groupGuests)
        counters = snapshot.counters
        ruleErrors.restore(snapshot.ruleErrors)
        eventCounts = snapshot.eventCounts
        sessionCount = snapshot.sessionCount
        restoreSerial(eventSerial: snapshot.eventSerial, latestTimestamp: snapshot.latestTimestamp)

        var notes: [String] = []
        var restored: [ExperimentTracker] = []
        for state in snapshot.experiments {
            guard let (index, rule) = rules.experiments.enumerated().first(where: { $0.element.id.hasSameBytes(as: state.id) }) else {
                notes.append("experiment '\(state.id)': not in the current rules; its saved figures are dropped")
                continue
            }
            guard rule.variants.map(\.id).hasSameBytes(as: state.variants) else {
                notes.append("experiment '\(state.id)': its variants changed, so its figures start over")
                continue
            }
            let result = ExperimentTracker.restoring(state, rule: rule, index: index)
            restored.append(result.tracker)
            notes += result.notes
        }
        experiments = restored
        retiredExperiments = []
        reloadNotes = []
        adopt(rules)
        return notes + reloadNotes
    }
}

extension Engine {
    /// Guest number `guest` as saved.
    private func savedGuest(_ guest: Int) -> EngineSnapshot.SavedGuest {
        let state = guests[guest]
        return EngineSnapshot.SavedGuest(
            id: state.id, lastTimestamp: state.lastTimestamp, points: state.points, sessionCount: state.sessionCount,
            session: state.session, goalProgress: Array(goalProgress.row(guest)),
            outcomesReached: Array(outcomesReached.row(guest)), data: state.data)
    }

    /// Replaces every guest with saved ones, whose slots follow a snapshot's goal and outcome
    /// totals (the rules adopted next may add slots).
    private func restoreGuests(_ saved: [EngineSnapshot.SavedGuest], goalSlots: Int, outcomeSlots: Int) {
        guestTableGeneration += 1  // guest numbers found before now mean other guests
        guests = []
        guests.reserveCapacity(saved.count)
        goalProgress = SlotTable(width: goalSlots, filler: GoalProgress())
        outcomesReached = SlotTable(width: outcomeSlots, filler: false)
        guestIndex = StringIndex(minimumCapacity: saved.count)
        for guest in saved {
            _ = guestIndex.findOrInsert(guest.id, value: guests.count)
            var state = GuestState(id: guest.id)
            state.lastTimestamp = guest.lastTimestamp
            state.points = guest.points
            state.sessionCount = guest.sessionCount
            state.session = guest.session
            state.data = guest.data
            guests.append(state)
            goalProgress.appendRow(guest.goalProgress)
            outcomesReached.appendRow(guest.outcomesReached)
        }
    }
}

extension ExperimentTracker {
    /// Participant number `number` as saved.
    private func savedParticipant(_ number: Int) -> EngineSnapshot.SavedParticipant {
        let participant = participants[number]
        return EngineSnapshot.SavedParticipant(
            guest: participant.guest, variant: participant.variant, exposureSerial: participant.exposureSerial,
            inSession: participant.inSession, values: Array(unitValues.row(number)),
            sessions: Array(sessionScratch.row(number)))
    }

    /// The tracker's state for a snapshot.
    var state: EngineSnapshot.ExperimentState {
        let pairs = participantIndex.sorted { $0.key < $1.key }
        return EngineSnapshot.ExperimentState(
            id: rule.id, variants: rule.variants.map(\.id),
            metrics: rule.metrics.map { .init(id: $0.id, kind: $0.kind.rawValue, unit: $0.unit.rawValue) },
            exposed: exposed, multipleExposures: multipleExposures,
            participantGuests: pairs.map(\.key), participantNumbers: pairs.map(\.value),
            participants: participants.indices.map(savedParticipant), statistics: statistics, conclusion: conclusion, evaluation: evaluation)
    }

    /// A tracker for `rule` holding a snapshot's state, goals matched by (id, metric, unit).
    static func restoring(_ state: EngineSnapshot.ExperimentState, rule: ExperimentRule,
                          index: Int) -> (tracker: ExperimentTracker, notes: [String]) {
        let tracker = ExperimentTracker(rule: rule, index: index)
        tracker.exposed = state.exposed
        tracker.multipleExposures = state.multipleExposures
        tracker.participantIndex = Dictionary(uniqueKeysWithValues: zip(state.participantGuests, state.participantNumbers))
        tracker.unitValues = SlotTable(width: state.metrics.count, filler: UnitValue())
        tracker.sessionScratch = SlotTable(width: state.metrics.count, filler: SessionScratch())
        for saved in state.participants {
            tracker.participants.append(Participant(guest: saved.guest, variant: saved.variant,
                                                    exposureSerial: saved.exposureSerial, inSession: saved.inSession))
            tracker.unitValues.appendRow(saved.values)
            tracker.sessionScratch.appendRow(saved.sessions)
        }
        tracker.conclusion = state.conclusion
        tracker.evaluation = state.evaluation
        let carried: [Int?] = rule.metrics.map { metric in
            state.metrics.firstIndex { $0 == .init(id: metric.id, kind: metric.kind.rawValue, unit: metric.unit.rawValue) }
        }
        var notes: [String] = []
        for key in state.metrics where !carried.contains(where: { $0.map { state.metrics[$0] } == key }) {
            notes.append("experiment '\(rule.id)': goal '\(key.id)' is not in the current rules; its saved figures are dropped")
        }
        tracker.statistics = rule.metrics.indices.map { position in
            if let source = carried[position] { return state.statistics[source] }
            var fresh = Array(repeating: UnitStatistics(), count: rule.variants.count)
            if rule.metrics[position].unit == .guest {
                for participant in state.participants { fresh[participant.variant].enroll() }
            }
            return fresh
        }
        tracker.unitValues.rearrange(width: carried.count) { carried[$0] }
        tracker.sessionScratch.rearrange(width: carried.count) { carried[$0] }
        return (tracker, notes)
    }
}
