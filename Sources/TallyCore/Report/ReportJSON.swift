/// Renders a `Report` as the JSON document of SPEC §6, byte for byte the same for the same report.
///
/// - Keys appear in the order SPEC §6 lists them; arrays keep the report's order; `counters` is
///   an object sorted by name (UTF-8 byte order); `exposed` an object in variant declaration order.
/// - `nil` is `null`, and so is any non-finite number (never `NaN` or `Infinity`).
/// - Counts are JSON integers. Other numbers use Swift's shortest round-trip `description`
///   without a trailing `.0`: `250.0` is `250`, `-0.0` is `0`, and `0.125`, `1e-05`, `1e+16`
///   stay as Swift prints them (Swift switches to an exponent at 2^53 and below 1e-4).
/// - Strings escape `"`, `\` and every control character below U+0020 as `\u00XX` (lower-case
///   hex); everything else, non-ASCII included, is written as UTF-8.
/// - `.pretty` indents by two spaces with `"key": value`; `.compact` has no white space at all.
///   Neither adds a trailing newline.
public enum ReportJSON {
    /// The layout of the JSON text.
    public enum Style: Sendable {
        /// Two-space indentation, one member per line.
        case pretty
        /// One line, no white space.
        case compact
    }

    /// The JSON text of `report` (no trailing newline).
    public static func render(_ report: Report, style: Style = .pretty) -> String {
        JSONWriter.text(of: value(of: report), style: style)
    }

    /// The report as a JSON value tree, keys in SPEC §6 order.
    static func value(of report: Report) -> JSONWriter.Value {
        let counters = report.counters.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return .object([
            ("events", .object([
                ("accepted", .int(report.events.accepted)),
                ("rejected", .int(report.events.rejected)),
                ("out_of_order", .int(report.events.outOfOrder)),
                ("late", .int(report.events.late)),
            ])),
            ("guests", .object([
                ("count", .int(report.guests.count)),
                ("points", .number(report.guests.points)),
            ])),
            ("sessions", .object([
                ("count", .int(report.sessions.count)),
                ("points_per_session", .number(report.sessions.pointsPerSession)),
            ])),
            ("goals", .array(report.goals.map { goal in
                .object([
                    ("id", .string(goal.id)),
                    ("name", .string(goal.name)),
                    ("reached", .int(goal.reached)),
                    ("guests", .int(goal.guests)),
                    ("points", .number(goal.points)),
                ])
            })),
            ("outcomes", .array(report.outcomes.map { outcome in
                .object([
                    ("id", .string(outcome.id)),
                    ("name", .string(outcome.name)),
                    ("group", .string(outcome.group)),
                    ("reached", .int(outcome.reached)),
                    ("guests", .int(outcome.guests)),
                    ("value", .number(outcome.value)),
                    ("currency", .string(outcome.currency)),
                ])
            })),
            ("outcome_groups", .array(report.outcomeGroups.map { group in
                .object([
                    ("group", .string(group.group)),
                    ("guests", .int(group.guests)),
                    ("value", .number(group.value)),
                ])
            })),
            ("counters", .object(counters.map { ($0.name, .number($0.value)) })),
            ("rule_errors", .array(report.ruleErrors.map { error in
                .object([
                    ("rule", .string(error.rule)),
                    ("file", .string(error.file)),
                    ("line", .int(error.line)),
                    ("message", .string(error.message)),
                    ("count", .int(error.count)),
                ])
            })),
            ("experiments", .array(report.experiments.map(value(of:)))),
        ])
    }

    static func value(of experiment: Report.ExperimentSummary) -> JSONWriter.Value {
        .object([
            ("id", .string(experiment.id)),
            ("name", .string(experiment.name)),
            ("status", .string(experiment.status)),
            ("winner", .string(experiment.winner)),
            ("leading", .string(experiment.leading)),
            ("action", .string(experiment.action)),
            ("exposed", .object(experiment.exposed.map { ($0.variant, .int($0.guests)) })),
            ("multiple_exposures", .int(experiment.multipleExposures)),
            ("srm_p_value", .number(experiment.srmPValue)),
            ("srm", .bool(experiment.srm)),
            ("goals", .array(experiment.goals.map { goal in
                .object([
                    ("id", .string(goal.id)),
                    ("name", .string(goal.name)),
                    ("primary", .bool(goal.primary)),
                    ("metric", .string(goal.metric.rawValue)),
                    ("per", .string(goal.per)),
                    ("direction", .string(goal.direction)),
                    ("required_units", .int(goal.requiredUnits)),
                    ("variants", .array(goal.variants.map(value(of:)))),
                ])
            })),
        ])
    }

    static func value(of variant: Report.VariantSummary) -> JSONWriter.Value {
        .object([
            ("id", .string(variant.id)),
            ("control", .bool(variant.control)),
            ("guests", .int(variant.guests)),
            ("units", .int(variant.units)),
            ("total", .number(variant.total)),
            ("mean", .number(variant.mean)),
            ("uplift", .number(variant.uplift)),
            ("ci_low", .number(variant.ciLow)),
            ("ci_high", .number(variant.ciHigh)),
            ("p_value", .number(variant.pValue)),
            ("confidence", .number(variant.confidence)),
            ("chance_to_win", .number(variant.chanceToWin)),
            ("significant", .bool(variant.significant)),
        ])
    }
}
