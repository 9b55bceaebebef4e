/// Renders a `Report` as plain text for a person: totals first, then goals, outcomes by group,
/// counters, rule errors, and a performance view per experiment. Fixed-width columns, no colours;
/// `—` marks a missing value. Sections with nothing to show are left out.
public enum ReportTable {
    /// The table text, ending with a newline.
    public static func render(_ report: Report) -> String {
        var sections = [summary(report)]
        if !report.goals.isEmpty { sections.append(goals(report)) }
        if !report.outcomes.isEmpty { sections.append(outcomes(report)) }
        if !report.counters.isEmpty { sections.append(counters(report)) }
        if !report.ruleErrors.isEmpty { sections.append(ruleErrors(report)) }
        sections += report.experiments.map(experiment)
        return sections.map { $0.joined(separator: "\n") + "\n" }.joined(separator: "\n")
    }

    typealias F = TableFormatting

    static func summary(_ report: Report) -> [String] {
        var table = TextTable([.left, .right])
        table.add(["Events accepted", F.grouped(report.events.accepted)])
        table.add(["Events rejected", F.grouped(report.events.rejected)])
        table.add(["Out of order", F.grouped(report.events.outOfOrder)])
        table.add(["Late", F.grouped(report.events.late)])
        table.add(["Guests", F.grouped(report.guests.count)])
        table.add(["Sessions", F.grouped(report.sessions.count)])
        table.add(["Points", F.plain(report.guests.points)])
        table.add(["Points per session", F.plain(report.sessions.pointsPerSession)])
        return ["Tally report"] + table.lines(indent: "  ")
    }

    static func goals(_ report: Report) -> [String] {
        var table = TextTable([.left, .right, .right, .right])
        table.add(["Goal", "Reached", "Guests", "Points"])
        for goal in report.goals {
            table.add([label(goal.name, id: goal.id), F.grouped(goal.reached), F.grouped(goal.guests),
                       F.plain(goal.points)])
        }
        return ["Goals"] + table.lines(indent: "  ")
    }

    /// Outcomes under their group's name (in order of first appearance, ungrouped last), each
    /// group followed by its total: distinct guests and value.
    static func outcomes(_ report: Report) -> [String] {
        // Group names are told apart by their bytes, as the engine keeps them.
        var groupOrder: [ByteString?] = []
        for outcome in report.outcomes where !groupOrder.contains(outcome.group.map { ByteString($0) }) {
            groupOrder.append(outcome.group.map { ByteString($0) })
        }
        if let index = groupOrder.firstIndex(of: nil) { groupOrder.append(groupOrder.remove(at: index)) }

        var table = TextTable([.left, .right, .right, .right])
        table.add(["Outcome", "Reached", "Guests", "Value"])
        for group in groupOrder {
            let members = report.outcomes.filter { $0.group.map { ByteString($0) } == group }
            table.add([group?.string ?? "(no group)"])
            for outcome in members {
                table.add(["  " + label(outcome.name, id: outcome.id), F.grouped(outcome.reached),
                           F.grouped(outcome.guests), F.money(outcome.value, currency: outcome.currency)])
            }
            guard let group, let total = report.outcomeGroups.first(where: { ByteString($0.group) == group }) else { continue }
            let currencies = Set(members.map(\.currency))
            let value = currencies.count == 1
                ? F.money(total.value, currency: currencies.first!)
                : F.plain(total.value) + " (mixed currencies)"
            table.add(["  Total", "", F.grouped(total.guests), value])
        }
        return ["Outcomes"] + table.lines(indent: "  ")
    }

    static func counters(_ report: Report) -> [String] {
        var table = TextTable([.left, .right])
        table.add(["Counter", "Value"])
        for counter in report.counters.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            table.add([counter.name, F.plain(counter.value)])
        }
        return ["Counters"] + table.lines(indent: "  ")
    }

    static func ruleErrors(_ report: Report) -> [String] {
        var table = TextTable([.left, .left, .right, .left])
        table.add(["Rule", "Where", "Count", "Message"])
        for error in report.ruleErrors {
            table.add([error.rule, "\(error.file):\(error.line)", F.grouped(error.count), oneLine(error.message)])
        }
        return ["Rule errors"] + table.lines(indent: "  ")
    }

    // MARK: Experiments

    static func experiment(_ experiment: Report.ExperimentSummary) -> [String] {
        var lines = ["Experiment " + label(experiment.name, id: experiment.id)]
        var status = [experiment.status == "winner" ? "winner " + (experiment.winner ?? F.dash) : experiment.status]
        status.append("leading " + (experiment.leading ?? F.dash))
        if let action = experiment.action { status.append("action " + action) }
        if experiment.srm == true {
            let p = experiment.srmPValue.map { " (p = " + pValue($0) + ")" } ?? ""
            status.append("SRM warning: sample ratio mismatch" + p)
        }
        if experiment.multipleExposures > 0 {
            status.append("multiple exposures " + F.grouped(experiment.multipleExposures))
        }
        var header = TextTable([.left, .left])
        header.add(["Status", status.joined(separator: " · ")])
        header.add(["Exposed", experiment.exposed.map { "\($0.variant) \(F.grouped($0.guests))" }
            .joined(separator: " · ")])
        if let primary = experiment.goals.first(where: \.primary) ?? experiment.goals.first,
           let progress = progress(primary) {
            header.add(["Progress", progress])
        }
        lines += header.lines(indent: "  ")
        for goal in experiment.goals {
            lines.append("")
            lines += goalBlock(goal)
        }
        return lines
    }

    /// `units 1,234 / 21,110 per variant (5.8%)`, from the smallest non-control variant.
    static func progress(_ goal: Report.ExperimentGoalSummary) -> String? {
        let treatments = goal.variants.filter { !$0.control }
        guard let units = (treatments.isEmpty ? goal.variants : treatments).map(\.units).min() else { return nil }
        guard goal.requiredUnits > 0 else { return "units \(F.grouped(units)) per variant" }
        let share = F.percent(Double(units) / Double(goal.requiredUnits))
        return "units \(F.grouped(units)) / \(F.grouped(goal.requiredUnits)) per variant (\(share))"
    }

    static func goalBlock(_ goal: Report.ExperimentGoalSummary) -> [String] {
        let style = goal.metric.valueStyle
        var title = "Goal " + label(goal.name, id: goal.id)
        if goal.primary { title += " (primary)" }
        title += " · \(goal.metric.rawValue) per \(goal.per) · \(goal.direction)"
        title += " · required \(F.grouped(goal.requiredUnits)) per variant"

        var table = TextTable([.left, .right, .right, .right, .left, .right, .right, .left])
        table.add(["Variant", "Units", style.totalHeader, style.meanHeader, "Uplift [interval]", "Confidence",
                   "Chance to win", "Significant"])
        for variant in goal.variants {
            table.add([
                variant.id + (variant.control && variant.id != "control" ? " (control)" : ""),
                F.grouped(variant.units),
                style.total(variant.total),
                variant.mean.map(style.mean) ?? F.dash,
                uplift(variant),
                variant.confidence.map { F.percent($0) } ?? F.dash,
                variant.chanceToWin.map { F.percent($0) } ?? F.dash,
                variant.significant.map { $0 ? "yes" : "no" } ?? F.dash,
            ])
        }
        return ["  " + title] + table.lines(indent: "    ")
    }

    /// `+25.0% [+2.9%, +47.1%]`, or `—`.
    static func uplift(_ variant: Report.VariantSummary) -> String {
        guard let uplift = variant.uplift else { return F.dash }
        var text = F.signedPercent(uplift)
        if let low = variant.ciLow, let high = variant.ciHigh {
            text += " [\(F.signedPercent(low)), \(F.signedPercent(high))]"
        }
        return text
    }

    // MARK: Helpers

    /// `Name (id)`, or just the id when the name is the id.
    package static func label(_ name: String, id: String) -> String {
        name == id ? id : "\(name) (\(id))"
    }

    /// A p-value with enough digits to see how small it is: `0.0004`, `1.2e-07`.
    static func pValue(_ value: Double) -> String {
        value >= 0.0001 ? F.plain(value, maxDecimals: 4) : scientific(value)
    }

    private static func scientific(_ value: Double) -> String {
        guard value > 0 else { return "0" }
        var exponent = 0
        var mantissa = value
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        return F.plain(mantissa, maxDecimals: 1) + "e" + String(exponent)
    }

    /// Messages on one line: line breaks and tabs become spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}

/// How a metric's totals and means read in the table.
extension MetricValueStyle {
    typealias F = TableFormatting

    /// The header of the totals column: what a rate counts, "Revenue" or "Total".
    var totalHeader: String {
        switch self {
        case .rate(let header): header
        case .money: "Revenue"
        case .number: "Total"
        }
    }

    /// The header of the column of `total / units`.
    var meanHeader: String {
        if case .rate = self { return "Rate" }
        return "Mean"
    }

    /// A total: money with two decimals, else with up to two.
    func total(_ value: Double) -> String {
        self == .money ? F.fixed(value, decimals: 2) : F.plain(value)
    }

    /// A mean: rates as percentages with two decimals, money with two, numbers with up to three.
    func mean(_ value: Double) -> String {
        switch self {
        case .rate: F.percent(value, decimals: 2)
        case .money: F.fixed(value, decimals: 2)
        case .number: F.plain(value, maxDecimals: 3)
        }
    }
}
