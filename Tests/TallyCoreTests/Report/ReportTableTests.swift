import Testing

@testable import TallyCore

/// The table report: number formatting, and the key lines of a small report.
@Suite struct ReportTableTests {
    static var concluded: Report {
        var report = ReportSamples.small
        report.experiments[0].status = "winner"
        report.experiments[0].winner = "one_page"
        report.experiments[0].action = "promote_winner"
        report.experiments[0].srm = true
        report.experiments[0].srmPValue = 0.0004
        report.experiments[0].multipleExposures = 3
        report.experiments[0].goals[0].variants[1] = .init(
            id: "one_page", control: false, guests: 1234, units: 1234, total: 25, mean: 0.025,
            uplift: 0.25, ciLow: 0.029, ciHigh: 0.471, pValue: 0.02, confidence: 0.98, chanceToWin: 0.99,
            significant: true)
        report.experiments[0].goals.append(.init(
            id: "revenue", name: "Revenue per session", primary: false, metric: .revenue, per: "session",
            direction: "increase", requiredUnits: 21110,
            variants: [
                .init(id: "control", control: true, guests: 2, units: 3, total: 1234.5, mean: 411.5,
                      uplift: nil, ciLow: nil, ciHigh: nil, pValue: nil, confidence: nil, chanceToWin: nil,
                      significant: nil),
                .init(id: "one_page", control: false, guests: 0, units: 0, total: 0, mean: nil, uplift: -0.031,
                      ciLow: nil, ciHigh: nil, pValue: 0.7, confidence: 0.3, chanceToWin: 0.35, significant: false),
            ]))
        return report
    }

    @Test func wholeSmallReport() {
        let expected = """
            Tally report
              Events accepted       12
              Events rejected        2
              Out of order           1
              Late                   0
              Guests                 3
              Sessions               4
              Points                70
              Points per session  17.5

            Goals
              Goal                               Reached  Guests  Points
              Request pricing (request_pricing)        3       2      60

            Outcomes
              Outcome                           Reached  Guests     Value
              Lead lifecycle
                Marketing qualified lead (mql)        1       1   $250.00
                Total                                         1   $250.00
              (no group)
                loose                                 0       0  0.00 EUR

            Counters
              Counter  Value
              a            1
              b          2.5

            Rule errors
              Rule  Where             Count  Message
              mql   rules/lead.lua:7      2  attempt to index a nil value

            Experiment One-page checkout (checkout)
              Status    collecting · leading one_page
              Exposed   control 2 · one_page 1
              Progress  units 1 / 21,110 per variant (0.0%)

              Goal orders (primary) · conversion_rate per guest · increase · required 21,110 per variant
                Variant   Units  Conversions     Rate  Uplift [interval]  Confidence  Chance to win  Significant
                control       2            1   50.00%  —                           —              —  —
                one_page      1            1  100.00%  —                           —              —  —

            """
        #expect(ReportTable.render(ReportSamples.small) == expected)
    }

    @Test func experimentPerformanceView() {
        let lines = ReportTable.render(Self.concluded).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        let expected = [
            "  Status    winner one_page · leading one_page · action promote_winner · "
                + "SRM warning: sample ratio mismatch (p = 0.0004) · multiple exposures 3",
            "  Progress  units 1,234 / 21,110 per variant (5.8%)",
            "    one_page  1,234           25   2.50%  +25.0% [+2.9%, +47.1%]       98.0%          99.0%  yes",
            "  Goal Revenue per session (revenue) · revenue per session · increase · required 21,110 per variant",
            "    Variant   Units   Revenue    Mean  Uplift [interval]  Confidence  Chance to win  Significant",
            "    control       3  1,234.50  411.50  —                           —              —  —",
            "    one_page      0      0.00       —  -3.1%                   30.0%          35.0%  no",
        ]
        for line in expected {
            #expect(lines.contains(line), "missing line: \(line)")
        }
    }

    @Test func emptyReportHasOnlyTheSummary() {
        #expect(ReportTable.render(Report()) == """
            Tally report
              Events accepted     0
              Events rejected     0
              Out of order        0
              Late                0
              Guests              0
              Sessions            0
              Points              0
              Points per session  0

            """)
    }

    @Test func outcomeGroupsWithMixedCurrencies() {
        var report = Report()
        report.outcomes = [
            .init(id: "a", name: "a", group: "Shop", reached: 2, guests: 2, value: 12340, currency: "EUR"),
            .init(id: "b", name: "b", group: nil, reached: 1, guests: 1, value: 5, currency: "USD"),
            .init(id: "c", name: "c", group: "Shop", reached: 1, guests: 1, value: 10, currency: "GBP"),
        ]
        report.outcomeGroups = [.init(group: "Shop", guests: 3, value: 12350)]
        let text = ReportTable.render(report)
        #expect(text.contains("""
              Outcome     Reached  Guests                      Value
              Shop
                a               2       2              12,340.00 EUR
                c               1       1                  10.00 GBP
                Total                   3  12,350 (mixed currencies)
              (no group)
                b               1       1                      $5.00
            """))
    }

    @Test(arguments: [
        (MetricKind.conversionRate, "Conversions", "Rate", "1,234.5", "25.00%"),
        (.revenue, "Revenue", "Mean", "1,234.50", "0.25"),
        (.bounceRate, "Bounces", "Rate", "1,234.5", "25.00%"),
        (.exitRate, "Exits", "Rate", "1,234.5", "25.00%"),
        (.pageView, "Conversions", "Rate", "1,234.5", "25.00%"),
        (.goalRate, "Conversions", "Rate", "1,234.5", "25.00%"),
        (.engagementValue, "Total", "Mean", "1,234.5", "0.25"),
        (.custom, "Total", "Mean", "1,234.5", "0.25"),
    ])
    func goalColumnsFollowTheKind(kind: MetricKind, totalHeader: String, meanHeader: String, total: String,
                                  mean: String) {
        let goal = Report.ExperimentGoalSummary(
            id: "g", name: "g", primary: false, metric: kind, per: "guest", direction: "increase", requiredUnits: 0,
            variants: [.init(id: "control", control: true, guests: 4938, units: 4938, total: 1234.5, mean: 0.25, uplift: nil,
                             ciLow: nil, ciHigh: nil, pValue: nil, confidence: nil, chanceToWin: nil, significant: nil)])
        let lines = ReportTable.goalBlock(goal).map { $0.split(separator: " ").map(String.init) }
        #expect(lines[0] == ["Goal", "g", "·", kind.rawValue, "per", "guest", "·", "increase", "·", "required", "0",
                             "per", "variant"])
        #expect(lines[1].prefix(4) == ["Variant", "Units", totalHeader, meanHeader])
        #expect(lines[2].prefix(4) == ["control", "4,938", total, mean])
    }

    @Test func progressUsesTheSmallestTreatment() {
        let goal = Report.ExperimentGoalSummary(
            id: "g", name: "g", primary: true, metric: .custom, per: "guest", direction: "increase",
            requiredUnits: 1000,
            variants: [("c", true, 5), ("b1", false, 900), ("b2", false, 250)].map {
                .init(id: $0.0, control: $0.1, guests: $0.2, units: $0.2, total: 0, mean: 0, uplift: nil, ciLow: nil,
                      ciHigh: nil, pValue: nil, confidence: nil, chanceToWin: nil, significant: nil)
            })
        #expect(ReportTable.progress(goal) == "units 250 / 1,000 per variant (25.0%)")
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (-1234567, "-1,234,567"), (21110, "21,110")])
    func grouped(value: Int, text: String) {
        #expect(TableFormatting.grouped(value) == text)
    }

    @Test(arguments: [
        (12340.0, 2, "12,340.00"), (0.005, 2, "0.01"), (-0.004, 2, "0.00"), (-1234.5, 1, "-1,234.5"),
        (2.5, 0, "3"), (Double.nan, 2, "—"), (1e6, 0, "1,000,000"),
    ])
    func fixed(value: Double, decimals: Int, text: String) {
        #expect(TableFormatting.fixed(value, decimals: decimals) == text)
    }

    @Test(arguments: [(2340.0, "2,340"), (17.5, "17.5"), (13.4567, "13.46"), (-0.001, "0"), (0.1, "0.1")])
    func plain(value: Double, text: String) {
        #expect(TableFormatting.plain(value) == text)
    }

    @Test(arguments: [
        (0.001234, 4, "0.001234"), (1234.5, 4, "1,235"), (10.5, 4, "10.5"), (0, 4, "0"), (5000, 6, "5,000"),
        (-0.5294117647, 4, "-0.5294"), (1e17, 6, "100,000,000,000,000,000"), (.nan, 4, "—"),
    ] as [(Double, Int, String)])
    func significantDigits(value: Double, digits: Int, text: String) {
        #expect(TableFormatting.significant(value, digits: digits) == text)
    }

    @Test func percentages() {
        #expect(TableFormatting.percent(0.0585) == "5.9%")
        #expect(TableFormatting.percent(0.025, decimals: 2) == "2.50%")
        #expect(TableFormatting.signedPercent(0.25) == "+25.0%")
        #expect(TableFormatting.signedPercent(-0.031) == "-3.1%")
        #expect(TableFormatting.signedPercent(-0.0001) == "+0.0%")
        #expect(TableFormatting.signedPercent(.infinity) == "—")
    }

    @Test func money() {
        #expect(TableFormatting.money(12340, currency: "USD") == "$12,340.00")
        #expect(TableFormatting.money(-5, currency: "USD") == "-$5.00")
        #expect(TableFormatting.money(12340, currency: "EUR") == "12,340.00 EUR")
        #expect(TableFormatting.money(.nan, currency: "EUR") == "—")
    }

    @Test func textTableAlignsAndTrims() {
        var table = TextTable([.left, .right, .left])
        table.add(["a", "1", ""])
        table.add(["long name", "1,000", "x"])
        table.add(["—"])
        #expect(table.lines(indent: "  ") == ["  a              1", "  long name  1,000  x", "  —"])
    }
}
