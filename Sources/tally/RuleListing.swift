import TallyCore
import TallyStats

/// The text `tally check` prints for loaded rules: settings, goals, outcomes, experiments.
enum RuleListing {
    typealias F = TableFormatting

    static func render(_ rules: RuleSet) -> String {
        var sections: [[String]] = [settings(rules.settings)]
        if !rules.goals.isEmpty { sections.append(goals(rules.goals)) }
        if !rules.outcomes.isEmpty { sections.append(outcomes(rules.outcomes)) }
        for experiment in rules.experiments { sections.append(self.experiment(experiment)) }
        sections.append([
            "OK: " + [
                count(rules.goals.count, "goal"), count(rules.outcomes.count, "outcome"),
                count(rules.experiments.count, "experiment"),
            ].joined(separator: ", ")
        ])
        return sections.map { $0.joined(separator: "\n") + "\n" }.joined(separator: "\n")
    }

    static func settings(_ settings: Settings) -> [String] {
        var table = TextTable([.left, .left])
        table.add(["session_timeout", duration(settings.sessionTimeout)])
        table.add(["allowed_lateness", duration(settings.allowedLateness)])
        table.add(["currency", settings.currency])
        return ["Settings"] + table.lines(indent: "  ")
    }

    static func goals(_ goals: [GoalRule]) -> [String] {
        var table = TextTable([.left, .right, .left, .left])
        table.add(["Goal", "Points", "Count", "Declared at"])
        for goal in goals {
            table.add([ReportTable.label(goal.name, id: goal.id), number(goal.points), goal.count.rawValue,
                       goal.position.description])
        }
        let matches = goals.map { RuleMatchText.describe($0.filter, file: $0.position.file) ?? "every event" }
        return ["Goals"] + withMatches(table.lines(indent: "  "), matches, indent: "    ")
    }

    static func outcomes(_ outcomes: [OutcomeRule]) -> [String] {
        var table = TextTable([.left, .left, .right, .left, .left, .left])
        table.add(["Outcome", "Group", "Value", "Currency", "Once", "Declared at"])
        for outcome in outcomes {
            table.add([ReportTable.label(outcome.name, id: outcome.id), outcome.group ?? F.dash,
                       number(outcome.value), outcome.currency, outcome.once ? "yes" : "no",
                       outcome.position.description])
        }
        let matches = outcomes.map { outcome in
            let when = outcome.when.map { ["when " + RuleMatchText.function($0, file: outcome.position.file)] } ?? []
            return RuleMatchText.describe(outcome.filter, extra: when, file: outcome.position.file)
        }
        return ["Outcomes"] + withMatches(table.lines(indent: "  "), matches, indent: "    ")
    }

    /// A table's lines (a header, then one per rule) with what each rule matches on a line of
    /// its own below the rule's row.
    static func withMatches(_ lines: [String], _ matches: [String?], indent: String) -> [String] {
        var result = Array(lines.prefix(1))
        for (index, line) in lines.dropFirst().enumerated() {
            result.append(line)
            if index < matches.count, let match = matches[index] { result.append(indent + match) }
        }
        return result
    }

    static func experiment(_ experiment: ExperimentRule) -> [String] {
        var header = TextTable([.left, .left])
        header.add(["Variants", experiment.variants.enumerated().map { index, variant in
            let role = index == experiment.control ? "control, " : ""
            return "\(variant.id) (\(role)weight \(F.plain(variant.weight)))"
        }.joined(separator: " · ")])
        switch experiment.assignment {
        case .events:
            header.add(["Assignment", "events (EXPOSURE events decide)"])
        case .hash(let traffic, let eligible):
            header.add(["Assignment", "hash (GrowthBook v2), traffic \(F.plain(traffic * 100, maxDecimals: 2))%"])
            header.add(["Eligible", RuleMatchText.describe(eligible, file: experiment.position.file) ?? "every event"])
        }
        header.add(["Method", method(experiment.method)])
        let sample = experiment.sample
        let required = requiredSampleSize(baseRate: sample.baseRate, mde: sample.mde, confidence: sample.confidence,
                                          power: sample.power)
        header.add(["Sample", "\(required.map(F.grouped) ?? F.dash) units per variant (base rate "
            + "\(percent(sample.baseRate)), mde \(percent(sample.mde)), confidence \(percent(sample.confidence)), "
            + "power \(percent(sample.power)))"])
        header.add(["Post-test", "on_conclusive \(experiment.onConclusive.rawValue) · "
            + "on_inconclusive \(experiment.onInconclusive.rawValue)"])

        var goals = TextTable([.left, .left, .left, .left])
        goals.add(["Goal", "Metric", "Direction", "Declared at"])
        for (index, metric) in experiment.metrics.enumerated() {
            goals.add([ReportTable.label(metric.name, id: metric.id) + (index == 0 ? " (primary)" : ""),
                       "\(metric.kind.rawValue) per \(metric.unit.rawValue)", metric.direction.rawValue,
                       metric.position.description])
        }
        let matches = experiment.metrics.map { metric in
            RuleMatchText.describe(metric.filter, extra: metricExtras(metric), file: metric.position.file)
        }
        return ["Experiment " + ReportTable.label(experiment.name, id: experiment.id)
                + " (\(experiment.position))"]
            + header.lines(indent: "  ") + withMatches(goals.lines(indent: "  "), matches, indent: "    ")
    }

    /// What a metric counts beyond its matchers: goal_rate's goal, revenue's field, custom's value.
    static func metricExtras(_ metric: MetricRule) -> [String] {
        switch metric.kind {
        case .goalRate: return ["goal " + metric.field]
        case .revenue: return ["field " + metric.field]
        case .custom: return metric.value.map { ["value " + RuleMatchText.function($0, file: metric.position.file)] } ?? []
        case .conversionRate, .bounceRate, .exitRate, .pageView, .engagementValue: return []
        }
    }

    // MARK: Helpers

    static func number(_ value: RuleNumber) -> String {
        switch value {
        case .constant(let number): F.plain(number, maxDecimals: 6)
        case .function: "function"
        }
    }

    static func method(_ method: TestMethodSetting) -> String {
        switch method {
        case .fixed: "fixed"
        case .sequential(let tuning): "sequential (sequential_n \(F.plain(tuning)))"
        case .bayesian: "bayesian"
        }
    }

    static func percent(_ fraction: Double) -> String {
        F.plain(fraction * 100, maxDecimals: 4) + "%"
    }

    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// `30m`, `90s`, `1500ms`: the largest unit that divides the duration.
    static func duration(_ milliseconds: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where milliseconds > 0 && milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
