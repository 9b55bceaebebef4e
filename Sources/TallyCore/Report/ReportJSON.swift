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
        var writer = JSONWriter(style: style)
        writer.write(value(of: report))
        return writer.output
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

/// A small JSON writer with a fixed member order: build a `Value` tree, then `write` it.
struct JSONWriter {
    /// A JSON value whose objects keep their members in the order given.
    indirect enum Value: Equatable {
        case null
        case bool(Bool)
        case int(Int)
        /// Non-finite numbers are written as `null`.
        case double(Double)
        case string(String)
        case array([Value])
        case object([(String, Value)])

        static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.null, .null): true
            case let (.bool(a), .bool(b)): a == b
            case let (.int(a), .int(b)): a == b
            case let (.double(a), .double(b)): a == b || (a.isNaN && b.isNaN)
            case let (.string(a), .string(b)): a == b
            case let (.array(a), .array(b)): a == b
            case let (.object(a), .object(b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
            default: false
            }
        }

        /// A number, or `null` when absent.
        static func number(_ value: Double?) -> Value { value.map(Value.double) ?? .null }
        /// A string, or `null` when absent.
        static func string(_ value: String?) -> Value { value.map(Value.string) ?? .null }
        /// A boolean, or `null` when absent.
        static func bool(_ value: Bool?) -> Value { value.map(Value.bool) ?? .null }
    }

    let style: ReportJSON.Style
    private(set) var output = ""

    init(style: ReportJSON.Style) {
        self.style = style
    }

    /// Appends `value` at the current indentation depth.
    mutating func write(_ value: Value, depth: Int = 0) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number): output += Self.number(number)
        case .string(let text): Self.appendQuoted(text, to: &output)
        case .array(let elements):
            writeContainer(open: "[", close: "]", count: elements.count, depth: depth) { writer, index in
                writer.write(elements[index], depth: depth + 1)
            }
        case .object(let members):
            writeContainer(open: "{", close: "}", count: members.count, depth: depth) { writer, index in
                Self.appendQuoted(members[index].0, to: &writer.output)
                writer.output += writer.style == .pretty ? ": " : ":"
                writer.write(members[index].1, depth: depth + 1)
            }
        }
    }

    private mutating func writeContainer(
        open: String, close: String, count: Int, depth: Int, element: (inout JSONWriter, Int) -> Void
    ) {
        output += open
        guard count > 0 else {
            output += close
            return
        }
        for index in 0..<count {
            if index > 0 { output += "," }
            newline(depth: depth + 1)
            element(&self, index)
        }
        newline(depth: depth)
        output += close
    }

    private mutating func newline(depth: Int) {
        guard style == .pretty else { return }
        output += "\n"
        output += String(repeating: "  ", count: depth)
    }

    /// A finite number as JSON: Swift's shortest round-trip `description` without a trailing
    /// `.0` (`250.0` is `250`, `-0.0` is `0`); `null` for NaN and infinities.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// Appends `text` as a JSON string literal.
    static func appendQuoted(_ text: String, to output: inout String) {
        output += "\""
        if !text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            output += text  // nothing to escape (nearly every name and id)
            output += "\""
            return
        }
        var start = text.unicodeScalars.startIndex
        var index = start
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\"" || scalar == "\\" || scalar.value < 0x20 {
                output.unicodeScalars.append(contentsOf: scalars[start..<index])
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                default:
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u00" + (hex.count == 1 ? "0" : "") + hex
                }
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        output.unicodeScalars.append(contentsOf: scalars[start..<scalars.endIndex])
        output += "\""
    }
}
