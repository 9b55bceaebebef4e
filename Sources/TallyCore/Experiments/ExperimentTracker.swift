/// One experiment's live state: who is exposed to which variant, each participant's metric
/// values, and per variant and goal the sufficient statistics, updated in O(1) per event.
final class ExperimentTracker {
    private(set) var rule: ExperimentRule
    /// `rule.metrics`, and each one's kind and unit: read on every event without copying `rule`.
    private(set) var metrics: [MetricRule] = []
    private(set) var metricShapes: [(kind: MetricKind, unit: MetricUnit)] = []
    /// `metrics` without reference counting, for the per-event loop (`metrics` keeps them).
    private(set) var metricRefs = ContiguousArray<Unmanaged<MetricRule>>()
    /// Position in the rule set's experiments.
    private(set) var index: Int
    private(set) var assignsByHash = false
    /// `rule.variants`' ids, read on every exposure without copying `rule`.
    private var variantIDs: [String] = []
    /// `assign = "hash"`: the hash and the `eligible` filter, in one object so that checking an
    /// event costs one reference count instead of copies of both.
    private var hashPlan: HashPlan?

    private final class HashPlan {
        let assignment: HashAssignment
        let eligible: EventFilter

        init(assignment: HashAssignment, eligible: EventFilter) {
            self.assignment = assignment
            self.eligible = eligible
        }
    }

    var exposed: [Int]
    var multipleExposures = 0
    /// Guest number → participant number; -1 for a guest the hash left out, ``undecided`` for
    /// a guest not (yet) in the experiment. Grown on demand: guests are numbered densely.
    private var participantOf = ContiguousArray<Int32>()
    private static let undecided = Int32.min
    var participants = ContiguousArray<Participant>()
    /// Per participant and metric: x (per guest) in `numerator`, or (m, d) summed over the
    /// guest's units.
    var unitValues = SlotTable(width: 0, filler: UnitValue())
    /// Per participant and metric: the current session's running figures.
    var sessionScratch = SlotTable(width: 0, filler: SessionScratch())
    /// Per metric, per variant.
    var statistics: [[UnitStatistics]]

    /// Guest number → participant number, as stored in snapshots.
    var participantIndex: [Int: Int32] {
        get {
            var index: [Int: Int32] = [:]
            for (guest, number) in participantOf.enumerated() where number != Self.undecided { index[guest] = number }
            return index
        }
        set {
            participantOf = ContiguousArray(repeating: Self.undecided, count: (newValue.keys.max() ?? -1) + 1)
            for (guest, number) in newValue { participantOf[guest] = number }
        }
    }

    /// The guest's entry: a participant number, -1 (left out) or ``undecided``.
    @inline(__always)
    private func entry(ofGuest guest: Int) -> Int32 {
        guest < participantOf.count ? participantOf[guest] : Self.undecided
    }

    /// Starts loading the guest's entry into the cache (the engine does this as soon as it
    /// knows the guest, so that this miss overlaps with the others of the event).
    @inline(__always)
    func prefetchEntry(ofGuest guest: Int) {
        if guest < participantOf.count { participantOf.prefetch(guest) }
    }

    /// Starts loading the records of the guest's participant, if the guest is one (the entry
    /// itself should be in cache by now: see ``prefetchEntry(ofGuest:)``).
    @inline(__always)
    func prefetchParticipant(ofGuest guest: Int) {
        let number = Int(entry(ofGuest: guest))
        guard number >= 0 else { return }
        participants.prefetch(number)
        unitValues.prefetchRow(number)
        sessionScratch.prefetchRow(number)
    }

    private func setEntry(_ value: Int32, ofGuest guest: Int) {
        if guest >= participantOf.count {
            participantOf.append(contentsOf: repeatElement(Self.undecided, count: guest + 1 - participantOf.count))
        }
        participantOf[guest] = value
    }

    /// Where a concluded experiment stands; its figures are frozen from then on.
    var conclusion: ExperimentConclusion? {
        didSet { assignmentAfterConclusion = conclusion.map { ($0.stopsAssignment, $0.assignedVariant) } }
    }
    /// What ``conclusion`` says about new assignments, read on every event without copying it.
    private var assignmentAfterConclusion: (stops: Bool, variant: Int?)?
    /// The latest evaluation (status, winner, leading, action).
    var evaluation = ExperimentEvaluation()

    init(rule: ExperimentRule, index: Int) {
        self.rule = rule
        self.index = index
        exposed = Array(repeating: 0, count: rule.variants.count)
        statistics = rule.metrics.map { _ in Array(repeating: UnitStatistics(), count: rule.variants.count) }
        unitValues = SlotTable(width: rule.metrics.count, filler: UnitValue())
        sessionScratch = SlotTable(width: rule.metrics.count, filler: SessionScratch())
        configureAssignment()
    }

    private func configureAssignment() {
        variantIDs = rule.variants.map(\.id)
        metrics = rule.metrics
        metricShapes = metrics.map { ($0.kind, $0.unit) }
        metricRefs = ContiguousArray(metrics.map(Unmanaged.passUnretained))
        if case .hash(let traffic, let eligible) = rule.assignment {
            assignsByHash = true
            hashPlan = HashPlan(
                assignment: HashAssignment(seed: rule.id, weights: rule.variants.map(\.weight), coverage: traffic),
                eligible: eligible)
        } else {
            assignsByHash = false
            hashPlan = nil
        }
    }

    /// Takes over a reloaded definition with the same variants: goals are matched by id (with
    /// the same metric and unit) and keep their figures; new goals start from the next event.
    /// Returns notes on goals whose figures could not carry over.
    func adopt(_ new: ExperimentRule, index: Int) -> [String] {
        let old = rule.metrics
        let carried: [Int?] = new.metrics.map { metric in
            old.firstIndex { $0.id.hasSameBytes(as: metric.id) && $0.kind == metric.kind && $0.unit == metric.unit }
        }
        var notes: [String] = []
        for metric in old where !carried.contains(where: { $0.map { old[$0].id.hasSameBytes(as: metric.id) } == true }) {
            notes.append("experiment '\(new.id)': goal '\(metric.id)' was removed or changed; its figures are dropped")
        }
        statistics = new.metrics.indices.map { position in
            if let source = carried[position] { return statistics[source] }
            var fresh = Array(repeating: UnitStatistics(), count: new.variants.count)
            if new.metrics[position].unit == .guest {
                for participant in participants { fresh[participant.variant].enroll() }
            }
            return fresh
        }
        unitValues.rearrange(width: carried.count) { carried[$0] }
        sessionScratch.rearrange(width: carried.count) { carried[$0] }
        rule = new
        self.index = index
        configureAssignment()
        return notes
    }

    // MARK: Exposure

    /// The position of the variant with this id, if the experiment has one.
    func variantIndex(of id: String) -> Int? {
        variantIDs.firstIndex { $0.hasSameBytes(as: id) }
    }

    /// An `EXPOSURE` event: the first fixes the guest's variant; a later one naming another
    /// variant counts as a multiple exposure.
    func expose(guest: Int, variant: Int, engine: Engine) {
        if case let participant = entry(ofGuest: guest), participant >= 0 {
            let conflict = participants[Int(participant)].variant != variant
            if conflict { multipleExposures += 1 }
            if engine.tracing {
                engine.lastTrace.exposures.append(.init(experiment: rule.id, variant: rule.variants[variant].id,
                                                        kind: conflict ? "conflict" : "repeat"))
            }
            return
        }
        enroll(guest: guest, variant: variant, engine: engine)
    }

    /// `assign = "hash"`: on the guest's first event matching `eligible`, assign it the way
    /// GrowthBook does (or leave it out for good). A post-test action may redirect or stop it.
    func assignByHashIfEligible(_ event: Event, guest: Int, engine: Engine) {
        guard entry(ofGuest: guest) == Self.undecided, let hashPlan else { return }
        if assignmentAfterConclusion?.stops == true { return }
        guard engine.matches(hashPlan.eligible, event, rule: self) else { return }  // self: no copy of `rule`
        guard var variant = hashPlan.assignment.variantIndex(forGuest: engine.guests[guest].id) else {
            setEntry(-1, ofGuest: guest)
            return
        }
        if let forced = assignmentAfterConclusion?.variant { variant = forced }
        enroll(guest: guest, variant: variant, engine: engine)
    }

    private func enroll(guest: Int, variant: Int, engine: Engine) {
        setEntry(Int32(participants.count), ofGuest: guest)
        participants.append(Participant(guest: guest, variant: variant, exposureSerial: engine.eventSerial))
        unitValues.appendRow()
        sessionScratch.appendRow()
        exposed[variant] += 1
        for metric in metricShapes.indices where metricShapes[metric].unit == .guest {
            statistics[metric][variant].enroll()
        }
        if engine.tracing {
            engine.lastTrace.exposures.append(.init(experiment: rule.id, variant: rule.variants[variant].id, kind: "new"))
        }
    }

    /// The participant number of a guest, if exposed.
    func participant(ofGuest guest: Int) -> Int? {
        let participant = entry(ofGuest: guest)
        guard participant >= 0 else { return nil }
        return Int(participant)
    }

    // MARK: Sessions

    /// A new session of an exposed guest is a unit of the per-session metrics.
    func sessionOpened(guest: Int) {
        guard let participant = participant(ofGuest: guest) else { return }
        participants[participant].inSession = true
        sessionScratch.clearRow(participant)
    }

    /// A closed session contributes its numerator and denominator to the per-session metrics.
    func sessionClosed(guest: Int, engine: Engine) {
        guard let number = participant(ofGuest: guest), participants[number].inSession else { return }
        let variant = participants[number].variant
        for metric in metricShapes.indices where metricShapes[metric].unit == .session {
            let scratch = sessionScratch[number, metric]
            let contribution: (numerator: Double, denominator: Double)
            switch metricShapes[metric].kind {
            case .bounceRate:
                contribution = scratch.firstViewMatched ? (scratch.views == 1 ? 1 : 0, 1) : (0, 0)
            case .exitRate:
                contribution = scratch.anyViewMatched ? (scratch.lastViewMatched ? 1 : 0, 1) : (0, 0)
            case .conversionRate, .pageView, .goalRate:
                contribution = (scratch.reached ? 1 : 0, 1)
            case .revenue, .engagementValue, .custom:
                contribution = (scratch.sum, 1)
            }
            if contribution.denominator > 0 {
                addToRatio(participant: number, metric: metric, variant: variant,
                           numerator: contribution.numerator, denominator: contribution.denominator)
            }
        }
        participants[number].inSession = false
    }

    /// Moves a participant's (m, d) for a ratio metric and updates the variant's sums.
    func addToRatio(participant: Int, metric: Int, variant: Int, numerator: Double, denominator: Double) {
        let old = unitValues[participant, metric]
        var new = old
        new.numerator += numerator
        new.denominator += denominator
        unitValues[participant, metric] = new
        statistics[metric][variant].replaceRatio(old: old, new: new)
    }

    /// Moves a participant's x for a per-guest metric and updates the variant's sums.
    func setGuestValue(participant: Int, metric: Int, variant: Int, to value: Double) {
        let old = unitValues[participant, metric].numerator
        guard value != old else { return }
        unitValues[participant, metric].numerator = value
        statistics[metric][variant].replaceValue(old: old, new: value)
    }
}

/// An exposed guest.
struct Participant: Sendable {
    let guest: Int
    let variant: Int
    /// The serial of the event that exposed it (which itself never counts).
    let exposureSerial: Int
    /// True while the guest's current session is a unit (from the exposure on).
    var inSession = true
}

struct UnitValue: Equatable, Codable, Sendable {
    var numerator = 0.0
    var denominator = 0.0
}

/// What a session unit has seen so far, after the exposure. (16 bytes: there is one per
/// participant and metric.)
struct SessionScratch: Equatable, Codable, Sendable {
    var sum = 0.0
    /// Views counted, stopping at `Int32.max` (only whether it is 1 matters).
    var views: Int32 = 0
    var reached = false
    var firstViewMatched = false
    var anyViewMatched = false
    var lastViewMatched = false
}

/// Errors in `eligible` are the experiment's; the tracker stands for its rule so that checking
/// an event does not copy the rule.
extension ExperimentTracker: RuleDeclaration {
    var errorID: String { rule.errorID }
    var position: SourcePosition { rule.position }
}
