import XCTest
@testable import TallyStats

final class DegenerateComparisonTests: XCTestCase {
    static func rate(_ conversions: Int, _ n: Int) -> ArmStatistic {
        .proportion(ProportionStatistic(n: n, conversions: conversions))
    }

    static let methods: [TestMethod] = [.fixed, .sequential(n: 5000), .bayesian]

    func reason(_ control: ArmStatistic, _ variant: ArmStatistic, method: TestMethod = .fixed) -> DegenerateReason? {
        compare(control: control, variant: variant, method: method).degenerateReason
    }

    func testDegenerateInputsHaveAReason() {
        for method in Self.methods {
            XCTAssertEqual(reason(Self.rate(0, 0), Self.rate(5, 100), method: method), .emptyArm(.control))
            XCTAssertEqual(reason(Self.rate(5, 100), Self.rate(0, 0), method: method), .emptyArm(.variant))
            XCTAssertEqual(reason(Self.rate(1, 1), Self.rate(5, 100), method: method), .tooFewUnits(.control, n: 1))
            XCTAssertEqual(reason(Self.rate(5, 100), Self.rate(1, 1), method: method), .tooFewUnits(.variant, n: 1))
            XCTAssertEqual(reason(Self.rate(0, 100), Self.rate(5, 100), method: method), .zeroControlMean)
            XCTAssertEqual(reason(Self.rate(100, 100), Self.rate(5, 100), method: method),
                           .nonPositiveVariance(.control))
            XCTAssertEqual(reason(Self.rate(5, 100), Self.rate(0, 100), method: method),
                           .nonPositiveVariance(.variant))
        }
        let constant = ArmStatistic.mean(MeanStatistic(n: 10, sum: 50, sumOfSquares: 250))
        XCTAssertEqual(reason(constant, Self.rate(5, 100)), .nonPositiveVariance(.control))
        let infinite = ArmStatistic.mean(MeanStatistic(n: 10, sum: .infinity, sumOfSquares: 250))
        XCTAssertEqual(reason(Self.rate(5, 100), infinite), .numericalFailure)
        let noDenominator = ArmStatistic.ratio(RatioStatistic(
            n: 10, numeratorSum: 5, numeratorSumOfSquares: 5, denominatorSum: 0,
            denominatorSumOfSquares: 0, productSum: 0))
        XCTAssertEqual(reason(noDenominator, Self.rate(5, 100)), .zeroControlMean)
        XCTAssertEqual(reason(Self.rate(5, 100), noDenominator), .nonPositiveVariance(.variant))
        XCTAssertEqual(
            compare(control: Self.rate(5, 100), variant: Self.rate(6, 100), confidence: 1).degenerateReason,
            .invalidConfidence(1))
        XCTAssertEqual(reason(Self.rate(5, 100), Self.rate(6, 100), method: .sequential(n: 0)), .invalidTuning(0))
        XCTAssertEqual(
            bayesianEffect(control: Self.rate(5, 100), variant: Self.rate(6, 100),
                           prior: GaussianPrior(mean: 0, variance: 0)).map(\.mean),
            .failure(.invalidPrior))
        // An absolute effect does not need a non-zero control mean.
        let centred = ArmStatistic.mean(MeanStatistic(n: 10, sum: 0, sumOfSquares: 10))
        let shifted = ArmStatistic.mean(MeanStatistic(n: 10, sum: 5, sumOfSquares: 12.5))
        XCTAssertEqual(reason(centred, shifted), .zeroControlMean)
        XCTAssertEqual(try welchTest(control: centred, variant: shifted, scale: .absolute).get().effect, 0.5)
    }

    func testReasonsReadWell() {
        XCTAssertEqual(DegenerateReason.tooFewUnits(.variant, n: 1).description,
                       "the variant has 1 unit; at least 2 are needed")
        XCTAssertEqual(DegenerateReason.emptyArm(.control).description, "the control has no units yet")
        XCTAssertEqual(DegenerateReason.zeroControlMean.description,
                       "the control mean is 0, so a relative uplift is undefined")
    }

    func testHugeSamplesStayFinite() {
        let control = Self.rate(10_000_000_000_000_000, 100_000_000_000_000_000)
        let variant = Self.rate(10_000_001_000_000_000, 100_000_000_000_000_000)
        for method in Self.methods {
            guard let e = compare(control: control, variant: variant, method: method).estimate else {
                return XCTFail("\(method) is degenerate")
            }
            XCTAssertEqual(e.uplift, 1e-7, accuracy: 1e-15)
            for value in [e.ciLow, e.ciHigh, e.pValue, e.confidence, e.chanceToWin, e.degreesOfFreedom] {
                XCTAssertTrue(value.isFinite, "\(method)")
            }
            XCTAssertGreaterThan(e.chanceToWin, 0.999)
        }
        let fixed = compare(control: control, variant: variant).estimate
        XCTAssertLessThan(fixed?.pValue ?? 1, 1e-9)
        XCTAssertGreaterThan(fixed?.degreesOfFreedom ?? 0, 1e15)
    }

    func testDirectionFlipsChanceToWinOnly() {
        let c = Self.rate(200, 2000)
        let v = Self.rate(250, 2000)
        let up = compare(control: c, variant: v, direction: .increase).estimate
        let down = compare(control: c, variant: v, direction: .decrease).estimate
        XCTAssertEqual(up?.pValue, down?.pValue)
        XCTAssertEqual(up?.uplift, down?.uplift)
        XCTAssertEqual((up?.chanceToWin ?? 0) + (down?.chanceToWin ?? 0), 1, accuracy: 1e-15)
        XCTAssertEqual(up?.chanceToWin ?? 0, 0.9873263406612659, accuracy: 1e-12)
    }

    func testVariantsGetHolmAndSignificance() {
        let control = Self.rate(200, 2000)
        let variants = [Self.rate(250, 2000), Self.rate(1, 1), Self.rate(205, 2000), Self.rate(160, 2000)]
        let rows = compareVariants(control: control, variants: variants)
        XCTAssertEqual(rows.count, 4)
        XCTAssertNil(rows[1].adjustedPValue)
        XCTAssertNil(rows[1].significant)
        let p = [0, 2, 3].map { rows[$0].comparison.estimate!.pValue }
        let holm = holmAdjusted(p)
        XCTAssertEqual([0, 2, 3].map { rows[$0].adjustedPValue! }, holm)
        XCTAssertEqual(rows[0].adjustedPValue!, 2 * 0.02540280044571186, accuracy: 1e-12)
        XCTAssertEqual(rows[0].significant, false)  // 0.0508 after Holm
        XCTAssertEqual(rows[3].significant, true)   // 160 vs 200: significant in the wrong direction
        XCTAssertEqual(rows[2].significant, false)
        let bayes = compareVariants(control: control, variants: variants, method: .bayesian)
        XCTAssertEqual(bayes[0].significant, true)  // chance to win 0.987 ≥ 0.95
        XCTAssertEqual(bayes[3].significant, true)  // chance to win ≤ 0.05
        XCTAssertEqual(bayes[2].significant, false)
    }

    func testCorrectionsEdgeCases() {
        XCTAssertEqual(holmAdjusted([]), [])
        XCTAssertEqual(holmAdjusted([0.03]), [0.03])
        XCTAssertEqual(holmAdjusted([0.02, 0.02]), [0.04, 0.04])
        XCTAssertEqual(benjaminiHochbergAdjusted([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04])
        XCTAssertEqual(benjaminiHochbergAdjusted([0.9]), [0.9])
    }

    func testSampleRatioMismatchEdgeCases() {
        XCTAssertNil(srmTest(observed: [0, 0], weights: [1, 1]))
        XCTAssertNil(srmTest(observed: [10], weights: [1]))
        XCTAssertNil(srmTest(observed: [10, 12], weights: [1]))
        XCTAssertNil(srmTest(observed: [10, 12], weights: [1, -1]))
        XCTAssertNil(srmTest(observed: [10, 12], weights: [1, 0]))
        let balanced = srmTest(observed: [500, 500], weights: [1, 1])
        XCTAssertEqual(balanced?.chiSquare, 0)
        XCTAssertEqual(balanced?.pValue, 1)
        XCTAssertEqual(balanced?.isMismatch, false)
        // A zero-weight arm is left out of the sums and of the degrees of freedom.
        let skipped = srmTest(observed: [5000, 40, 5200], weights: [1, 0, 1])
        XCTAssertEqual(skipped?.degreesOfFreedom, 1)
        XCTAssertEqual(skipped?.chiSquare ?? 0, 3.9215686274509802, accuracy: 1e-12)
        XCTAssertEqual(srmTest(observed: [0, 50], weights: [1, 1])?.isMismatch, true)
    }

    func testSampleSizePowerAndDetectableEffect() {
        XCTAssertEqual(requiredSampleSize(baseRate: 0.02, mde: 0.2), 21110)
        XCTAssertNil(requiredSampleSize(baseRate: 0, mde: 0.2))
        XCTAssertNil(requiredSampleSize(baseRate: 0.02, mde: 0))
        XCTAssertNil(requiredSampleSize(baseRate: 0.6, mde: 1))
        XCTAssertNil(requiredSampleSize(baseRate: 0.02, mde: 0.2, confidence: 1))
        XCTAssertNil(requiredSampleSize(baseRate: 0.02, mde: 0.2, power: 0))
        XCTAssertNil(requiredSampleSize(baseRate: 1e-300, mde: 1e-300))
        // A decrease of the same size needs fewer units (p̄ is lower).
        XCTAssertEqual(requiredSampleSize(baseRate: 0.02, mde: -0.2), 17343)
        let power = statisticalPower(baseRate: 0.02, mde: 0.2, unitsPerVariant: 21110) ?? 0
        XCTAssertGreaterThanOrEqual(power, 0.8)
        XCTAssertLessThan(power, 0.8001)
        XCTAssertLessThan(statisticalPower(baseRate: 0.02, mde: 0.2, unitsPerVariant: 21109) ?? 1, 0.8)
        XCTAssertNil(statisticalPower(baseRate: 0.02, mde: 0.2, unitsPerVariant: 0))
        let mde = minimumDetectableEffect(baseRate: 0.02, unitsPerVariant: 21110) ?? 0
        XCTAssertLessThan(mde, 0.2)
        XCTAssertGreaterThan(mde, 0.1999)
        XCTAssertEqual(requiredSampleSize(baseRate: 0.02, mde: mde + 1e-9), 21110)
        XCTAssertNil(minimumDetectableEffect(baseRate: 0.9, unitsPerVariant: 3))
    }
}
