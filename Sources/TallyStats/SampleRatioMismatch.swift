/// The chi-square test of exposed units per variant against the planned weights.
public struct SampleRatioMismatch: Sendable, Hashable {
    /// Pearson's statistic Σ (oᵢ − eᵢ)²/eᵢ.
    public var chiSquare: Double
    /// Arms with a positive weight, minus one.
    public var degreesOfFreedom: Int
    /// P(χ²_df > chiSquare).
    public var pValue: Double

    /// SPEC §4: a mismatch is flagged below p = 0.001.
    public var isMismatch: Bool { pValue < 0.001 }
}

/// Sample ratio mismatch test: Pearson's chi-square of observed units against the weights
/// (gbstats `check_srm`).
///
/// eᵢ = wᵢ/Σw · Σo; χ² = Σ (oᵢ − eᵢ)²/eᵢ with k − 1 degrees of freedom. Arms with no units count
/// (they are the strongest evidence); arms with weight 0 are left out entirely, of the sums and
/// of k. Nil while nobody is exposed, when fewer than two arms have a positive weight, or when
/// the lists differ in length or hold a negative or non-finite number.
public func srmTest(observed: [Int], weights: [Double]) -> SampleRatioMismatch? {
    guard observed.count == weights.count,
          observed.allSatisfy({ $0 >= 0 }),
          weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else { return nil }
    let arms = zip(observed, weights).filter { $0.1 > 0 }
    guard arms.count >= 2 else { return nil }
    let totalObserved = Double(arms.reduce(0) { $0 + $1.0 })
    guard totalObserved > 0 else { return nil }
    let totalWeight = arms.reduce(0.0) { $0 + $1.1 }
    var chiSquare = 0.0
    for (o, w) in arms {
        let expected = w / totalWeight * totalObserved
        let difference = Double(o) - expected
        chiSquare += difference * difference / expected
    }
    let df = arms.count - 1
    return SampleRatioMismatch(
        chiSquare: chiSquare, degreesOfFreedom: df,
        pValue: ChiSquare.survival(chiSquare, degreesOfFreedom: Double(df)))
}
