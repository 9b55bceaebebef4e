@testable import TallyCore

/// Hand-built reports shared by the renderer tests.
enum ReportSamples {
    /// One of everything: a goal, a grouped and an ungrouped outcome, counters, a rule error and a
    /// collecting two-variant experiment.
    static var small: Report {
        var report = Report()
        report.events = .init(accepted: 12, rejected: 2, outOfOrder: 1)
        report.guests = .init(count: 3, points: 70)
        report.sessions = .init(count: 4, pointsPerSession: 17.5)
        report.goals = [.init(id: "request_pricing", name: "Request pricing", reached: 3, guests: 2, points: 60)]
        report.outcomes = [
            .init(id: "mql", name: "Marketing qualified lead", group: "Lead lifecycle", reached: 1, guests: 1,
                  value: 250, currency: "USD"),
            .init(id: "loose", name: "loose", group: nil, reached: 0, guests: 0, value: 0, currency: "EUR"),
        ]
        report.outcomeGroups = [.init(group: "Lead lifecycle", guests: 1, value: 250)]
        report.counters = [.init(name: "b", value: 2.5), .init(name: "a", value: 1)]
        report.ruleErrors = [
            .init(rule: "mql", file: "rules/lead.lua", line: 7, message: "attempt to index a nil value", count: 2),
        ]
        report.experiments = [
            .init(
                id: "checkout", name: "One-page checkout", status: "collecting", winner: nil, leading: "one_page",
                action: nil, exposed: [("control", 2), ("one_page", 1)], multipleExposures: 0,
                srmPValue: 0.5637028616507731, srm: false,
                goals: [
                    .init(
                        id: "orders", name: "orders", primary: true, metric: .conversionRate, per: "guest",
                        direction: "increase", requiredUnits: 21110,
                        variants: [
                            .init(id: "control", control: true, guests: 2, units: 2, total: 1, mean: 0.5, uplift: nil,
                                  ciLow: nil, ciHigh: nil, pValue: nil, confidence: nil, chanceToWin: nil,
                                  significant: nil),
                            .init(id: "one_page", control: false, guests: 1, units: 1, total: 1, mean: 1, uplift: nil,
                                  ciLow: nil, ciHigh: nil, pValue: nil, confidence: nil, chanceToWin: nil,
                                  significant: nil),
                        ])
                ])
        ]
        return report
    }
}
