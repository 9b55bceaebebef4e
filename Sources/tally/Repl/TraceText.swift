import TallyCore

/// The lines the REPL prints for one event's ``EventTrace`` (docs/repl.md):
///
/// ```
/// guest g1, session g1#1 (new)
/// goal Request pricing (request_pricing): +20 points, guest total 20
/// outcome Marketing qualified lead (mql): 250.00 USD
/// exposure checkout: one_page (new)
/// metric checkout/orders: one_page
/// rule error: mql at rules/leads.lua:7: attempt to compare nil with number
/// out of order: processed at the guest's previous time
/// ```
///
/// `no goals reached` follows the session line when the event reached, exposed, moved and
/// broke nothing.
enum TraceText {
    typealias F = TableFormatting

    static func lines(_ trace: EventTrace) -> [String] {
        var lines = ["guest \(trace.guest), session \(trace.sessionID) (\(trace.newSession ? "new" : "continued"))"]
        for goal in trace.goals {
            lines.append("goal \(ReportTable.label(goal.name, id: goal.id)): \(signed(goal.points)) points, "
                + "guest total \(F.plain(trace.guestPoints, maxDecimals: 6))")
        }
        for outcome in trace.outcomes {
            lines.append("outcome \(ReportTable.label(outcome.name, id: outcome.id)): "
                + "\(F.fixed(outcome.value, decimals: 2)) \(outcome.currency)")
        }
        for exposure in trace.exposures {
            let kind = exposure.kind == "conflict" ? "conflict: a multiple exposure, the first variant stays" : exposure.kind
            lines.append("exposure \(exposure.experiment): \(exposure.variant) (\(kind))")
        }
        for metric in trace.metrics {
            lines.append("metric \(metric.experiment)/\(metric.goal): \(metric.variant)")
        }
        for error in trace.ruleErrors {
            lines.append("rule error: \(error.rule) at \(error.file):\(error.line): \(ReplText.oneLine(error.message))")
        }
        if trace.outOfOrder {
            lines.append("out of order: processed at the guest's previous time")
        }
        if trace.goals.isEmpty && trace.outcomes.isEmpty && trace.exposures.isEmpty && trace.metrics.isEmpty
            && trace.ruleErrors.isEmpty {
            lines.insert("no goals reached", at: 1)
        }
        return lines
    }

    /// An experiment whose status changed as events arrived (``Engine/advance()``):
    /// `experiment checkout: winner one_page (action promote_winner)`.
    static func statusChange(_ experiment: Report.ExperimentSummary) -> String {
        var text = "experiment \(experiment.id): \(experiment.status)"
        if let winner = experiment.winner { text += " \(winner)" }
        if let action = experiment.action { text += " (action \(action))" }
        return text
    }

    /// `+20`, `-5`, `+2.5`.
    static func signed(_ value: Double) -> String {
        let text = F.plain(value, maxDecimals: 6)
        return text.hasPrefix("-") ? text : "+" + text
    }
}
