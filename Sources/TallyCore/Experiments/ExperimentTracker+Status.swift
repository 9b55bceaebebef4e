import TallyStats

/// The status of an experiment at its latest evaluation (SPEC §4, "Status").
struct ExperimentEvaluation: Codable, Sendable {
    var status = "collecting"
    var winner: Int?
    var leading: Int?
    var action: PostTestAction?
}

/// A concluded experiment: its frozen figures and what the post-test action does to new
/// hash assignments.
struct ExperimentConclusion: Codable, Sendable {
    var summary: Report.ExperimentSummary
    /// `promote_winner` / `revert_to_control`: every new assignment goes to this variant.
    var assignedVariant: Int?
    /// `complete`: nobody new enters.
    var stopsAssignment: Bool
}

extension ExperimentTracker {
    /// Re-evaluates the status from the primary goal and, when it concludes with an action
    /// other than `keep_running`, freezes the figures and applies the action. Returns true if
    /// the status changed.
    @discardableResult
    func evaluateStatus() -> Bool {
        guard conclusion == nil, !rule.metrics.isEmpty else { return false }
        let goals = goalSummaries()
        let previous = evaluation.status
        evaluation = evaluate(primary: goals[0])
        if let action = evaluation.action, action != .keepRunning {
            var assigned: Int?
            switch action {
            case .promoteWinner: assigned = evaluation.winner ?? rule.control
            case .revertToControl: assigned = rule.control
            default: break
            }
            conclusion = ExperimentConclusion(summary: makeSummary(goals: goals), assignedVariant: assigned,
                                              stopsAssignment: action == .complete)
        }
        return evaluation.status != previous
    }

    /// The experiment's report entry: frozen once concluded, current otherwise.
    func summary() -> Report.ExperimentSummary {
        if let conclusion { return conclusion.summary }
        return makeSummary(goals: goalSummaries())
    }

    private func makeSummary(goals: [Report.ExperimentGoalSummary]) -> Report.ExperimentSummary {
        let srm = srmTest(observed: exposed, weights: rule.variants.map(\.weight))
        let leading = goals.first.flatMap { leadingVariant(in: $0) }
        return Report.ExperimentSummary(
            id: rule.id, name: rule.name, status: evaluation.status,
            winner: evaluation.winner.map { rule.variants[$0].id },
            leading: leading.map { rule.variants[$0].id },
            action: evaluation.action?.rawValue,
            exposed: rule.variants.indices.map { (rule.variants[$0].id, exposed[$0]) },
            multipleExposures: multipleExposures,
            srmPValue: srm?.pValue, srm: srm.map(\.isMismatch), goals: goals)
    }

    private var testMethod: TestMethod {
        switch rule.method {
        case .fixed: .fixed
        case .sequential(let tuning): .sequential(n: tuning)
        case .bayesian: .bayesian
        }
    }

    /// Per goal: units, totals, means and the comparison of each treatment with the control.
    func goalSummaries() -> [Report.ExperimentGoalSummary] {
        let required = requiredSampleSize(baseRate: rule.sample.baseRate, mde: rule.sample.mde,
                                          confidence: rule.sample.confidence, power: rule.sample.power) ?? 0
        return rule.metrics.enumerated().map { metric, goal in
            let arms = rule.variants.indices.map { statistics[metric][$0].arm(kind: goal.kind, unit: goal.unit) }
            let treatments = rule.variants.indices.filter { $0 != rule.control }
            let rows = compareVariants(
                control: arms[rule.control], variants: treatments.map { arms[$0] }, method: testMethod,
                confidence: rule.sample.confidence, direction: goal.direction == .increase ? .increase : .decrease)
            let variants = rule.variants.indices.map { variant -> Report.VariantSummary in
                let sums = statistics[metric][variant]
                let units = sums.units(goal.unit)
                var row = Report.VariantSummary(
                    id: rule.variants[variant].id, control: variant == rule.control, guests: sums.guests,
                    units: units, total: sums.total, mean: units == 0 ? nil : sums.total / Double(units))
                if let position = treatments.firstIndex(of: variant), let estimate = rows[position].comparison.estimate {
                    row.uplift = estimate.uplift
                    row.ciLow = estimate.ciLow
                    row.ciHigh = estimate.ciHigh
                    row.pValue = estimate.pValue
                    row.confidence = estimate.confidence
                    row.chanceToWin = estimate.chanceToWin
                    row.significant = rows[position].significant
                }
                return row
            }
            return Report.ExperimentGoalSummary(
                id: goal.id, name: goal.name, primary: metric == 0, metric: goal.kind,
                per: goal.unit.rawValue, direction: goal.direction.rawValue, requiredUnits: required, variants: variants)
        }
    }

    /// Status, winner, leading and action from the primary goal (SPEC §4).
    private func evaluate(primary: Report.ExperimentGoalSummary) -> ExperimentEvaluation {
        var result = ExperimentEvaluation()
        result.leading = leadingVariant(in: primary)
        let increase = primary.direction == MetricDirection.increase.rawValue
        let treatments = primary.variants.indices.filter { $0 != rule.control }
        let collecting = treatments.contains { primary.variants[$0].units < primary.requiredUnits }

        func inDirection(_ row: Report.VariantSummary) -> Bool {
            if case .bayesian = rule.method { return (row.chanceToWin ?? 0) >= rule.sample.confidence }
            guard let uplift = row.uplift else { return false }
            return increase ? uplift > 0 : uplift < 0
        }
        let winners = treatments.filter { primary.variants[$0].significant == true && inDirection(primary.variants[$0]) }
        var sequentialEarly = false
        if case .sequential = rule.method { sequentialEarly = !winners.isEmpty }
        if collecting && !sequentialEarly { return result }

        if let best = winners.max(by: { a, b in
            let upliftA = primary.variants[a].uplift ?? 0
            let upliftB = primary.variants[b].uplift ?? 0
            let betterB = increase ? upliftB > upliftA : upliftB < upliftA
            return betterB || (upliftA == upliftB && b < a)
        }) {
            result.status = "winner"
            result.winner = best
        } else if !collecting, !treatments.isEmpty, treatments.allSatisfy({
            primary.variants[$0].significant == true && !inDirection(primary.variants[$0])
        }) {
            result.status = "winner"
            result.winner = rule.control
        } else {
            result.status = "inconclusive"
        }
        result.action = result.status == "winner" ? rule.onConclusive : rule.onInconclusive
        return result
    }

    /// The variant with the best observed mean in the goal's direction; ties go to the one
    /// declared first; a variant without units cannot lead.
    private func leadingVariant(in goal: Report.ExperimentGoalSummary) -> Int? {
        let increase = goal.direction == MetricDirection.increase.rawValue
        var best: Int?
        for (index, row) in goal.variants.enumerated() {
            guard let mean = row.mean else { continue }
            if let current = best, let currentMean = goal.variants[current].mean {
                if increase ? mean > currentMean : mean < currentMean { best = index }
            } else {
                best = index
            }
        }
        return best
    }
}
