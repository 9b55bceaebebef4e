import LuaKit

/// The kind of a goal metric (SPEC §4), named after its constructor. Everything that differs
/// per kind is declared here, in exhaustive switches: the prelude builds its constructors from
/// ``preludeSchema``, so adding a kind is a case here plus what the compiler then asks for
/// (how the tracker counts it).
public enum MetricKind: String, Sendable, Codable, CaseIterable {
    case conversionRate = "conversion_rate"
    case revenue
    case bounceRate = "bounce_rate"
    case exitRate = "exit_rate"
    case pageView = "page_view"
    case goalRate = "goal_rate"
    case engagementValue = "engagement_value"
    case custom

    /// The fields the constructor accepts besides `id`, `name`, `direction` and `per`.
    var fields: [(name: String, type: DSLFieldType)] {
        switch self {
        case .conversionRate: [("on", .matcher), ("page", .matcher), ("where", .filter)]
        case .revenue: [("on", .matcher), ("where", .filter), ("field", .string)]
        case .bounceRate, .exitRate, .pageView: [("page", .matcher)]
        case .goalRate: [("goal", .string)]
        case .engagementValue: []
        case .custom: [("on", .matcher), ("page", .matcher), ("where", .filter), ("value", .function)]
        }
    }

    /// The field a rule must give, with how its error message describes it.
    var requiredField: (name: String, description: String)? {
        switch self {
        case .goalRate: ("goal", "a goal id")
        case .custom: ("value", "a function")
        case .conversionRate, .revenue, .bounceRate, .exitRate, .pageView, .engagementValue: nil
        }
    }

    /// The `per` values a rule may give, in the order error messages list them; empty when
    /// `per` is not a field and the unit is always ``defaultUnit``.
    var allowedUnits: [MetricUnit] {
        switch self {
        case .conversionRate, .goalRate, .engagementValue, .custom: [.guest, .session]
        case .revenue: [.guest, .session, .order]
        case .pageView: [.session, .guest]
        case .bounceRate, .exitRate: []
        }
    }

    /// The unit when the rule gives no `per`.
    var defaultUnit: MetricUnit {
        switch self {
        case .revenue, .bounceRate, .exitRate, .pageView: .session
        case .conversionRate, .goalRate, .engagementValue, .custom: .guest
        }
    }

    /// The direction when the rule gives no `direction`.
    var defaultDirection: MetricDirection {
        switch self {
        case .bounceRate, .exitRate: .decrease
        case .conversionRate, .revenue, .pageView, .goalRate, .engagementValue, .custom: .increase
        }
    }

    /// How the report shows the metric's totals and means.
    var valueStyle: MetricValueStyle {
        switch self {
        case .conversionRate, .pageView, .goalRate: .rate(totalHeader: "Conversions")
        case .bounceRate: .rate(totalHeader: "Bounces")
        case .exitRate: .rate(totalHeader: "Exits")
        case .revenue: .money
        case .engagementValue, .custom: .number
        }
    }

    /// True when a unit's value is 0 or 1 (a rate), so that per guest the statistics compare
    /// proportions rather than means.
    var isProportion: Bool {
        if case .rate = valueStyle { return true }
        return false
    }
}

/// How the report shows a metric's values: rates as percentages, money with two decimals.
enum MetricValueStyle: Equatable {
    /// A proportion; `totalHeader` names what its total counts ("Conversions", "Bounces").
    case rate(totalHeader: String)
    case money
    case number
}

/// The type of a field in the prelude's schemas (`field_types` in `stdlib/prelude.lua`).
enum DSLFieldType: String {
    case string, matcher, function
    /// A `where` table or function.
    case filter = "where"
}

extension MetricKind {
    /// What the prelude builds its metric constructors from, passed as `host.metric_kinds`:
    /// `{ [kind] = { fields = { [field] = type }, per = { unit, ... }?, required = { field, description }? } }`.
    static var preludeSchema: LuaValue {
        var kinds: [LuaValue: LuaValue] = [:]
        for kind in allCases {
            var fields: [LuaValue: LuaValue] = [:]
            for field in kind.fields { fields[.string(field.name)] = .string(field.type.rawValue) }
            var definition: [LuaValue: LuaValue] = ["fields": .table(fields)]
            if !kind.allowedUnits.isEmpty {
                definition["per"] = .array(kind.allowedUnits.map { .string($0.rawValue) })
            }
            if let required = kind.requiredField {
                definition["required"] = .array([.string(required.name), .string(required.description)])
            }
            kinds[.string(kind.rawValue)] = .table(definition)
        }
        return .table(kinds)
    }
}
