import Testing

@testable import TallyCore

/// The goal-metric kinds: what each declares, and that the prelude's constructors are built
/// from those declarations (so the DSL and Swift cannot disagree about a kind).
@Suite struct MetricKindTests {
    @Test(arguments: [
        (MetricKind.conversionRate, "conversion_rate", MetricUnit.guest, [MetricUnit.guest, .session],
         MetricDirection.increase, MetricValueStyle.rate(totalHeader: "Conversions"), true),
        (.revenue, "revenue", .session, [.guest, .session, .order], .increase, .money, false),
        (.bounceRate, "bounce_rate", .session, [], .decrease, .rate(totalHeader: "Bounces"), true),
        (.exitRate, "exit_rate", .session, [], .decrease, .rate(totalHeader: "Exits"), true),
        (.pageView, "page_view", .session, [.session, .guest], .increase, .rate(totalHeader: "Conversions"), true),
        (.goalRate, "goal_rate", .guest, [.guest, .session], .increase, .rate(totalHeader: "Conversions"), true),
        (.engagementValue, "engagement_value", .guest, [.guest, .session], .increase, .number, false),
        (.custom, "custom", .guest, [.guest, .session], .increase, .number, false),
    ])
    func declaration(kind: MetricKind, name: String, unit: MetricUnit, units: [MetricUnit], direction: MetricDirection,
                     style: MetricValueStyle, isProportion: Bool) {
        #expect(kind.rawValue == name)
        #expect(kind.defaultUnit == unit)
        #expect(kind.allowedUnits == units)
        #expect(kind.defaultDirection == direction)
        #expect(kind.valueStyle == style)
        #expect(kind.isProportion == isProportion)
    }

    @Test func everyKindHasAConstructorWithItsDefaults() throws {
        let goals = MetricKind.allCases.map { kind in
            "\(kind.rawValue) { " + (kind.requiredField.map { "\($0.name) = \(requiredValue($0.name))" } ?? "") + " }"
        }
        let rules = try RuleLoader().load(sources: [("r/a.lua", """
            goal "g" { on = "FORM" }
            experiment "e" { variants = { "a", "b" }, goals = { \(goals.joined(separator: ", ")) } }
            """)])
        let metrics = rules.experiments[0].metrics
        #expect(metrics.map(\.kind) == MetricKind.allCases)
        #expect(metrics.map(\.id) == MetricKind.allCases.map(\.rawValue))
        #expect(metrics.map(\.unit) == MetricKind.allCases.map(\.defaultUnit))
        #expect(metrics.map(\.direction) == MetricKind.allCases.map(\.defaultDirection))
    }

    @Test(arguments: MetricKind.allCases)
    func preludeAcceptsThePerValuesOfSwift(kind: MetricKind) {
        let known = (["direction", "id", "name"] + kind.fields.map(\.name)).sorted()
        let expected = kind.allowedUnits.isEmpty
            ? "\(kind.rawValue): unknown field 'per' (known fields: \(known.joined(separator: ", ")))"
            : "\(kind.rawValue): field 'per' must be one of "
                + kind.allowedUnits.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ", got \"year\""
        #expect(loadError(kind, fields: "per = \"year\"") == "r/a.lua:1: " + expected)
        for unit in kind.allowedUnits {
            #expect(loadError(kind, fields: "per = \"\(unit.rawValue)\"") == nil)
        }
    }

    @Test(arguments: MetricKind.allCases)
    func preludeChecksTheFieldsOfSwift(kind: MetricKind) {
        for field in kind.fields {
            let error = loadError(kind, fields: "\(field.name) = true")
            #expect(error?.hasPrefix("r/a.lua:1: \(kind.rawValue): field '\(field.name)' must be ") == true, "\(error ?? "")")
        }
        let missing = loadError(kind, fields: "")
        if let required = kind.requiredField {
            #expect(missing == "r/a.lua:1: \(kind.rawValue): field '\(required.name)' (\(required.description)) is required")
        } else {
            #expect(missing == nil)
        }
    }

    /// The error loading one experiment with one goal `kind { fields }` (required fields added
    /// unless `fields` is empty), or nil.
    private func loadError(_ kind: MetricKind, fields: String) -> String? {
        var fields = fields
        if !fields.isEmpty, let required = kind.requiredField, !fields.hasPrefix(required.name + " ") {
            fields += ", \(required.name) = \(requiredValue(required.name))"
        }
        let source = "experiment \"e\" { variants = { \"a\", \"b\" }, goals = { \(kind.rawValue) { \(fields) } } }\n"
            + "goal \"g\" { on = \"FORM\" }"
        do {
            _ = try RuleLoader().load(sources: [("r/a.lua", source)])
            return nil
        } catch {
            return error.description
        }
    }

    private func requiredValue(_ field: String) -> String {
        field == "goal" ? "\"g\"" : "function() return 1 end"
    }
}
