/// One treatment variant's row of a goal: its comparison with the control, the Holm-adjusted
/// p-value and whether it is significant.
public struct VariantComparison: Sendable, Hashable {
    /// The comparison with the control.
    public var comparison: Comparison
    /// The Holm-adjusted p-value over the goal's variants that have one (nil if degenerate).
    public var adjustedPValue: Double?
    /// SPEC §4 significance (nil if degenerate): adjusted p < 1 − confidence for `fixed` and
    /// `sequential`; chance to win ≥ confidence or ≤ 1 − confidence for `bayesian`.
    public var significant: Bool?
}

/// Compares every treatment variant of a goal with the control and applies Holm's correction.
///
/// Holm runs over the variants that have a p-value (degenerate ones are left out and get nil);
/// `p_value` and `confidence` in each estimate stay unadjusted (SPEC §4).
public func compareVariants(
    control: ArmStatistic, variants: [ArmStatistic], method: TestMethod = .fixed,
    confidence: Double = 0.95, direction: Direction = .increase
) -> [VariantComparison] {
    let comparisons = variants.map {
        compare(control: control, variant: $0, method: method, confidence: confidence, direction: direction)
    }
    let indices = comparisons.indices.filter { comparisons[$0].estimate != nil }
    let adjusted = holmAdjusted(indices.map { comparisons[$0].estimate!.pValue })
    var rows = comparisons.map { VariantComparison(comparison: $0, adjustedPValue: nil, significant: nil) }
    for (position, index) in indices.enumerated() {
        let estimate = comparisons[index].estimate!
        rows[index].adjustedPValue = adjusted[position]
        switch method {
        case .fixed, .sequential:
            rows[index].significant = adjusted[position] < 1 - confidence
        case .bayesian:
            rows[index].significant = estimate.chanceToWin >= confidence
                || estimate.chanceToWin <= 1 - confidence
        }
    }
    return rows
}
