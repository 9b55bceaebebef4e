#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest
@testable import TallyStats

/// The purpose of the sequential test: peeking at every look keeps its false positive rate
/// under α, while the fixed-horizon test peeked at every look does not.
final class SequentialPeekingTests: XCTestCase {
    /// Conversions among `units` Bernoulli(p) trials, by geometric skips between successes.
    static func binomial(_ units: Int, _ p: Double, _ rng: inout SplitMix64) -> Int {
        let logFail = log1p(-p)
        var position = -1
        var successes = 0
        while true {
            position += 1 + Int(log(rng.nextDouble()) / logFail)
            if position >= units { return successes }
            successes += 1
        }
    }

    func testSequentialTestControlsFalsePositivesUnderPeeking() {
        let simulations = 2000
        let looks = 20
        let batch = 250  // units per arm per look
        let rate = 0.1
        var rng = SplitMix64(seed: 20_240_601)
        var fixedFalsePositives = 0
        var sequentialFalsePositives = 0
        var fixedAtTheEnd = 0
        for _ in 0..<simulations {
            var control = ProportionStatistic()
            var variant = ProportionStatistic()
            var fixedRejected = false
            var sequentialRejected = false
            for look in 1...looks {
                control += ProportionStatistic(n: batch, conversions: Self.binomial(batch, rate, &rng))
                variant += ProportionStatistic(n: batch, conversions: Self.binomial(batch, rate, &rng))
                let c = ArmStatistic.proportion(control)
                let v = ArmStatistic.proportion(variant)
                let fixedP = compare(control: c, variant: v, method: .fixed).estimate?.pValue ?? 1
                if fixedP < 0.05 {
                    fixedRejected = true
                    if look == looks { fixedAtTheEnd += 1 }
                }
                if !sequentialRejected,
                   let p = compare(control: c, variant: v, method: .sequential(n: 5000)).estimate?.pValue,
                   p < 0.05 {
                    sequentialRejected = true
                }
            }
            if fixedRejected { fixedFalsePositives += 1 }
            if sequentialRejected { sequentialFalsePositives += 1 }
        }
        let fixedRate = Double(fixedFalsePositives) / Double(simulations)
        let sequentialRate = Double(sequentialFalsePositives) / Double(simulations)
        let endRate = Double(fixedAtTheEnd) / Double(simulations)
        XCTAssertLessThan(sequentialRate, 0.05, "sequential false positive rate \(sequentialRate)")
        XCTAssertGreaterThan(fixedRate, 0.10, "peeking fixed test false positive rate \(fixedRate)")
        // Looked at once, at the end, the fixed test is calibrated.
        XCTAssertEqual(endRate, 0.05, accuracy: 0.015, "fixed test at the planned horizon")
    }
}
