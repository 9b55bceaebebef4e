import XCTest
@testable import TallyStats

final class SufficientStatisticsTests: XCTestCase {
    /// 1e9 + 0.25k for k < count: exactly representable, with a closed-form variance.
    static func revenue(_ k: Int) -> Double { 1e9 + 0.25 * Double(k) }
    /// Var of 1e9 + 0.25k, k = 0…N−1: 0.25²·N(N + 1)/12.
    static func revenueVariance(_ count: Int) -> Double {
        0.0625 * Double(count) * Double(count + 1) / 12
    }

    func testLargeRevenueValuesKeepTheirVariance() {
        let count = 100_000
        var one = MeanStatistic()
        var chunks = [MeanStatistic](repeating: MeanStatistic(), count: 10)
        for k in 0..<count {
            one.add(Self.revenue(k))
            chunks[k % 10].add(Self.revenue(k))
        }
        let merged = chunks.reduce(MeanStatistic(), +)
        let expectedMean = 1e9 + 0.25 * Double(count - 1) / 2
        for stat in [one, merged] {
            XCTAssertEqual(stat.n, count)
            XCTAssertEqual(stat.sum, expectedMean * Double(count), accuracy: 1e-6)
            XCTAssertEqual(stat.mean, expectedMean, accuracy: 1e-6)
            XCTAssertEqual(stat.variance, Self.revenueVariance(count), accuracy: 1e-9 * Self.revenueVariance(count))
        }
    }

    func testNearlyConstantLargeValuesWithoutCancellation() {
        // 1e9 + {0, 0.25, 0.5, 0.75} in turn: s² = 0.078125·N/(N − 1).
        let count = 100_000
        var stat = MeanStatistic()
        var sum = 0.0
        var squares = 0.0
        for k in 0..<count {
            let x = 1e9 + 0.25 * Double(k % 4)
            stat.add(x)
            sum += x
            squares += x * x
        }
        let expected = 0.078125 * Double(count) / Double(count - 1)
        XCTAssertEqual(stat.variance, expected, accuracy: 1e-9 * expected)
        XCTAssertEqual(stat.sum, 1e14 + 0.375 * Double(count))
        // The textbook Σx² − (Σx)²/n loses every digit here.
        let naive = (squares - sum * sum / Double(count)) / Double(count - 1)
        XCTAssertGreaterThan(abs(naive - expected), expected)
        // A comparison on such arms still works: variant shifted up by 0.1.
        var shifted = MeanStatistic()
        for k in 0..<count { shifted.add(1e9 + 0.1 + 0.25 * Double(k % 4)) }
        let estimate = compare(control: .mean(stat), variant: .mean(shifted)).estimate
        XCTAssertEqual(estimate?.uplift ?? 0, 1e-10, accuracy: 1e-15)
        XCTAssertEqual(estimate?.pValue ?? 1, 0, accuracy: 1e-12)
    }

    func testRatioOfLargeRevenueValues() {
        let count = 20_000
        var ratio = RatioStatistic()
        for k in 0..<count { ratio.add(numerator: Self.revenue(k), denominator: 2) }
        // d is constant: Var(m̄/d̄) per guest = s²ₘ/d̄².
        XCTAssertEqual(ratio.variance, Self.revenueVariance(count) / 4, accuracy: 1e-9 * Self.revenueVariance(count))
        XCTAssertEqual(ratio.mean, (1e9 + 0.25 * Double(count - 1) / 2) / 2, accuracy: 1e-6)
        XCTAssertEqual(ratio.denominatorVariance, 0)
        XCTAssertEqual(ratio.covariance, 0)
    }

    func testMergeIsAssociative() {
        var rng = SplitMix64(seed: 42)
        var parts = [MeanStatistic](repeating: MeanStatistic(), count: 3)
        var ratios = [RatioStatistic](repeating: RatioStatistic(), count: 3)
        var all = MeanStatistic()
        var allRatio = RatioStatistic()
        for i in 0..<3000 {
            let x = 50 + 30 * rng.nextDouble() + (i % 7 == 0 ? 400 : 0)
            let d = Double(1 + i % 4)
            parts[i % 3].add(x)
            all.add(x)
            ratios[i / 1000].add(numerator: x, denominator: d)
            allRatio.add(numerator: x, denominator: d)
        }
        let left = (parts[0] + parts[1]) + parts[2]
        let right = parts[0] + (parts[1] + parts[2])
        for stat in [left, right] {
            XCTAssertEqual(stat.n, all.n)
            XCTAssertEqual(stat.sum, all.sum, accuracy: 1e-12 * all.sum)
            XCTAssertEqual(stat.variance, all.variance, accuracy: 1e-12 * all.variance)
            XCTAssertEqual(stat.sumOfSquares, all.sumOfSquares, accuracy: 1e-12 * all.sumOfSquares)
        }
        let ratioLeft = (ratios[0] + ratios[1]) + ratios[2]
        let ratioRight = ratios[0] + (ratios[1] + ratios[2])
        for stat in [ratioLeft, ratioRight] {
            XCTAssertEqual(stat.n, 3000)
            XCTAssertEqual(stat.mean, allRatio.mean, accuracy: 1e-12 * allRatio.mean)
            XCTAssertEqual(stat.variance, allRatio.variance, accuracy: 1e-11 * allRatio.variance)
            XCTAssertEqual(stat.covariance, allRatio.covariance, accuracy: 1e-11 * abs(allRatio.covariance))
            XCTAssertEqual(stat.productSum, allRatio.productSum, accuracy: 1e-12 * allRatio.productSum)
        }
        let a = ProportionStatistic(n: 10, conversions: 3)
        let b = ProportionStatistic(n: 5, conversions: 5)
        XCTAssertEqual((a + b) + a, a + (b + a))
        XCTAssertEqual((a + b).mean, 8.0 / 15)
        XCTAssertEqual(MeanStatistic() + MeanStatistic(), MeanStatistic())
    }

    func testRemoveUndoesAdd() {
        var rng = SplitMix64(seed: 7)
        let values = (0..<200).map { _ in (100 * rng.nextDouble(), Double(1 + Int(4 * rng.nextDouble()))) }
        var mean = MeanStatistic()
        var ratio = RatioStatistic()
        var rate = ProportionStatistic()
        for (x, d) in values {
            mean.add(x)
            ratio.add(numerator: x, denominator: d)
            rate.add(converted: x > 50)
        }
        // A guest's revenue changes from values[0] to 500: remove the old, add the new.
        mean.remove(values[0].0)
        mean.add(500)
        ratio.remove(numerator: values[0].0, denominator: values[0].1)
        ratio.add(numerator: 500, denominator: values[0].1)
        rate.remove(converted: values[0].0 > 50)
        rate.add(converted: true)
        var expectedMean = MeanStatistic(), expectedRatio = RatioStatistic(), expectedRate = ProportionStatistic()
        for (x, d) in values.dropFirst() + [(500, values[0].1)] {
            expectedMean.add(x)
            expectedRatio.add(numerator: x, denominator: d)
            expectedRate.add(converted: x > 50)
        }
        XCTAssertEqual(rate, expectedRate)
        XCTAssertEqual(mean.n, expectedMean.n)
        XCTAssertEqual(mean.sum, expectedMean.sum, accuracy: 1e-10)
        XCTAssertEqual(mean.variance, expectedMean.variance, accuracy: 1e-10 * expectedMean.variance)
        XCTAssertEqual(ratio.variance, expectedRatio.variance, accuracy: 1e-10 * expectedRatio.variance)
        XCTAssertEqual(ratio.covariance, expectedRatio.covariance, accuracy: 1e-10 * abs(expectedRatio.covariance))
        XCTAssertEqual(ratio.denominatorVariance, expectedRatio.denominatorVariance,
                       accuracy: 1e-10 * expectedRatio.denominatorVariance)
        var single = MeanStatistic()
        single.add(3)
        single.remove(3)
        XCTAssertEqual(single, MeanStatistic())
    }

    func testSumsRoundTrip() {
        let mean = MeanStatistic(n: 3407, sum: 1396.87, sumOfSquares: 52377.9767)
        XCTAssertEqual(mean.sum, 1396.87)
        XCTAssertEqual(mean.sumOfSquares, 52377.9767, accuracy: 1e-10)
        XCTAssertEqual(mean.variance, (52377.9767 - 1396.87 * 1396.87 / 3407) / 3406, accuracy: 1e-15)
        var built = MeanStatistic()
        for x in [2.0, 4, 4, 4, 5, 5, 7, 9] { built.add(x) }
        XCTAssertEqual(built.mean, 5)
        XCTAssertEqual(built.variance, 32.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(built.sumOfSquares, 232, accuracy: 1e-12)
        var ratio = RatioStatistic()
        for (m, d) in [(3.0, 1.0), (0, 2), (10, 3), (4, 1)] { ratio.add(numerator: m, denominator: d) }
        XCTAssertEqual(ratio.numeratorSum, 17)
        XCTAssertEqual(ratio.denominatorSum, 7)
        XCTAssertEqual(ratio.numeratorSumOfSquares, 125, accuracy: 1e-12)
        XCTAssertEqual(ratio.denominatorSumOfSquares, 15, accuracy: 1e-12)
        XCTAssertEqual(ratio.productSum, 37, accuracy: 1e-12)
        XCTAssertEqual(ratio.mean, 17.0 / 7)
    }

    func testCompensatedSum() {
        var sum = CompensatedSum()
        for _ in 0..<10 { sum.add(0.1) }
        XCTAssertEqual(sum.value, 1.0)
        var big = CompensatedSum(1e16)
        big.add(1)
        big.add(-1e16)
        XCTAssertEqual(big.value, 1)
        XCTAssertEqual((CompensatedSum(1e16) + CompensatedSum(1)).value - 1e16, 0)
    }

    func testArmStatisticAccessorsAndMerge() {
        let p = ArmStatistic.proportion(ProportionStatistic(n: 200, conversions: 50))
        XCTAssertEqual(p.n, 200)
        XCTAssertEqual(p.mean, 0.25)
        XCTAssertEqual(p.variance, 0.1875)
        XCTAssertEqual(p.merged(with: p)?.n, 400)
        XCTAssertNil(p.merged(with: .mean(MeanStatistic())))
        XCTAssertEqual(ArmStatistic.mean(MeanStatistic()).mean, 0)
        XCTAssertEqual(ArmStatistic.ratio(RatioStatistic()).variance, 0)
    }
}

/// A seeded, deterministic generator (SplitMix64, Steele, Lea & Flood 2014).
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func nextDouble() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }
}
