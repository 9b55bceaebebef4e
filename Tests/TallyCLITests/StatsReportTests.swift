import XCTest
import TallyStats
@testable import tally

/// The significance and sample-size reports' table and JSON (`tally significance`, `tally sample-size`).
final class StatsReportTests: XCTestCase {
    static func rate(_ conversions: Int, _ n: Int) -> ArmStatistic {
        .proportion(ProportionStatistic(n: n, conversions: conversions))
    }

    func testSignificanceJSON() {
        let report = SignificanceReport(control: Self.rate(200, 2000), variants: [Self.rate(250, 2000), Self.rate(1, 1)])
        let rows = report.rows
        let e = rows[0].comparison.estimate!
        let expected = """
            {
              "control": {
                "n": 2000,
                "mean": 0.1
              },
              "variants": [
                {
                  "n": 2000,
                  "mean": 0.125,
                  "uplift": \(e.uplift),
                  "ci_low": \(e.ciLow),
                  "ci_high": \(e.ciHigh),
                  "p_value": \(e.pValue),
                  "p_value_adjusted": \(rows[0].adjustedPValue!),
                  "confidence": \(e.confidence),
                  "chance_to_win": \(e.chanceToWin),
                  "significant": true
                },
                {
                  "n": 1,
                  "mean": 1,
                  "uplift": null,
                  "ci_low": null,
                  "ci_high": null,
                  "p_value": null,
                  "p_value_adjusted": null,
                  "confidence": null,
                  "chance_to_win": null,
                  "significant": null
                }
              ]
            }
            """
        XCTAssertEqual(report.json(), expected)
        XCTAssertEqual(e.pValue, 0.02540280044571186, accuracy: 1e-12)
        XCTAssertEqual(e.uplift, 0.25)  // exact: formed from the integer counts
        XCTAssertEqual(rows[0].adjustedPValue, e.pValue)
        let empty = SignificanceReport(control: Self.rate(0, 0), variants: [Self.rate(0, 0)]).json()
        XCTAssertTrue(empty.contains("\"mean\": null"))
        XCTAssertFalse(empty.contains("nan"))
    }

    func testSignificanceTable() {
        let report = SignificanceReport(
            control: Self.rate(200, 2000), variants: [Self.rate(250, 2000), Self.rate(1, 1), Self.rate(160, 2000)])
        let expected = """
            Significance: fixed-horizon t-test, 95% confidence, goal: increase

            Arm        Units  Conversions     Rate   Uplift       95% interval  p-value  Confidence  Chance to win  Significant
            control    2,000          200   10.00%
            variant 1  2,000          250   12.50%  +25.00%  [+3.08%, +46.92%]   0.0254      97.46%         98.73%          yes
            variant 2      1            1  100.00%      n/a
            variant 3  2,000          160    8.00%  -20.00%  [-35.88%, -4.12%]   0.0136      98.64%          0.68%          yes

            variant 2: not enough data, the variant has 1 unit; at least 2 are needed.
            Significance uses Holm-adjusted p-values across the 2 variants tested.

            Variant 1 wins: +25.0% uplift with 97.5% confidence.

            """
        XCTAssertEqual(report.table(), expected)
    }

    func testVerdicts() {
        let control = Self.rate(200, 2000)
        XCTAssertEqual(SignificanceReport(control: control, variants: [Self.rate(160, 2000)]).verdict,
                       "The control wins: every variant does significantly worse.")
        XCTAssertEqual(SignificanceReport(control: control, variants: [Self.rate(160, 2000)], direction: .decrease).verdict,
                       "Variant 1 wins: -20.0% uplift with 98.6% confidence.")
        XCTAssertEqual(SignificanceReport(control: control, variants: [Self.rate(210, 2000)]).verdict,
                       "No significant difference yet: keep the test running.")
        XCTAssertEqual(SignificanceReport(control: Self.rate(0, 0), variants: [Self.rate(3, 10)]).verdict,
                       "Not enough data to compare: the control has no units yet.")
        XCTAssertEqual(SignificanceReport(control: control, variants: [Self.rate(250, 2000)], method: .bayesian).verdict,
                       "Variant 1 wins: +25.0% uplift with a 98.7% chance to win.")
        XCTAssertEqual(
            SignificanceReport(control: control, variants: [Self.rate(250, 2000)], method: .sequential(n: 5000)).verdict,
            "No significant difference yet: keep the test running.")
        // The larger significant uplift wins.
        XCTAssertEqual(
            SignificanceReport(control: control, variants: [Self.rate(250, 2000), Self.rate(290, 2000)]).verdict,
            "Variant 2 wins: +45.0% uplift with 100.0% confidence.")
    }

    func testMeanAndRatioTables() {
        let mean = SignificanceReport(
            control: .mean(MeanStatistic(n: 10, sum: 100, sumOfSquares: 1002.25)),
            variants: [.mean(MeanStatistic(n: 10, sum: 105, sumOfSquares: 1111.5))], method: .bayesian)
        XCTAssertTrue(mean.table().contains("Arm        Units  Total  Mean  Uplift"), mean.table())
        XCTAssertTrue(mean.table().contains("variant 1     10    105  10.5  +5.00%  [-2.00%, +12.00%]   0.1845"), mean.table())
        let ratio = SignificanceReport(
            control: .ratio(RatioStatistic(n: 100, numeratorSum: 270, numeratorSumOfSquares: 848.79,
                                           denominatorSum: 510, denominatorSumOfSquares: 810, productSum: -900)),
            variants: [.ratio(RatioStatistic(n: 120, numeratorSum: 300, numeratorSumOfSquares: 869,
                                             denominatorSum: 500, denominatorSumOfSquares: 800, productSum: -905))],
            confidence: 0.9)
        XCTAssertTrue(ratio.table().hasPrefix("Significance: fixed-horizon t-test, 90% confidence, goal: increase"))
        XCTAssertTrue(ratio.table().contains("Guests  Numerator  Denominator   Ratio"), ratio.table())
    }

    func testSampleSizeReport() {
        let report = SampleSizeReport(baseRate: 0.02, mde: 0.2)
        XCTAssertEqual(report?.json(), "{\n  \"required_units\": 21110,\n  \"total_units\": 42220\n}")
        XCTAssertEqual(SampleSizeReport(baseRate: 0.02, mde: 0.2, variants: 3)?.totalUnits, 63330)
        XCTAssertNil(SampleSizeReport(baseRate: 0.02, mde: 0.2, variants: 1))
        XCTAssertNil(SampleSizeReport(baseRate: 0.02, mde: 0))
        XCTAssertEqual(report?.table(), """
            Sample size for a conversion-rate test

              Base rate                  2.00%
              Minimum detectable effect  +20.00% (2.00% → 2.40%)
              Confidence                 95%
              Power                      80%
              Units per variant          21,110
              Variants                   2
              Total units                42,220

            """)
    }

    func testFormatting() {
        XCTAssertEqual(SignificanceReport.signedPercent(0.25, decimals: 1), "+25.0%")
        XCTAssertEqual(SignificanceReport.signedPercent(-0.0412), "-4.12%")
        XCTAssertEqual(SignificanceReport.signedPercent(0), "0.00%")
        XCTAssertEqual(SignificanceReport.signedPercent(-0.00001), "0.00%")
        XCTAssertEqual(SignificanceReport.pValue(0.00001), "< 0.0001")
        XCTAssertEqual(SignificanceReport.pValue(0.02540280044571186), "0.0254")
        XCTAssertEqual(SignificanceReport.levelText(0.975), "97.5%")
        XCTAssertEqual(SignificanceReport.levelText(0.95), "95%")
        XCTAssertEqual(SignificanceReport(control: Self.rate(1, 10), variants: [Self.rate(1, 10)],
                                          method: .sequential(n: 12345.5)).methodText,
                       "sequential test (N* = 12,345.5)")
    }
}
