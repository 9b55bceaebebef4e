/// Holm's step-down adjusted p-values, in the order given.
///
/// With p₍₁₎ ≤ … ≤ p₍ₘ₎: p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎) (S. Holm, "A simple
/// sequentially rejective multiple test procedure", Scand. J. Statist. 6 (1979) 65).
/// Rejecting where p̃ < α controls the family-wise error rate at α.
public func holmAdjusted(_ pValues: [Double]) -> [Double] {
    let m = pValues.count
    let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
    var adjusted = [Double](repeating: 0, count: m)
    var running = 0.0
    for (rank, index) in order.enumerated() {
        running = max(running, min(1, Double(m - rank) * pValues[index]))
        adjusted[index] = running
    }
    return adjusted
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the order given.
///
/// With p₍₁₎ ≤ … ≤ p₍ₘ₎: p̃₍ᵢ₎ = min_{j ≥ i} min(1, m·p₍ⱼ₎/j) (Y. Benjamini & Y. Hochberg,
/// J. R. Statist. Soc. B 57 (1995) 289). Rejecting where p̃ < q controls the false discovery
/// rate at q.
public func benjaminiHochbergAdjusted(_ pValues: [Double]) -> [Double] {
    let m = pValues.count
    let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
    var adjusted = [Double](repeating: 0, count: m)
    var running = 1.0
    for rank in stride(from: m - 1, through: 0, by: -1) {
        let index = order[rank]
        running = min(running, Double(m) * pValues[index] / Double(rank + 1))
        adjusted[index] = running
    }
    return adjusted
}
