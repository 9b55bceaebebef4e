/// Sufficient statistics of a per-unit sample mean (revenue per guest, engagement value, …).
///
/// Keeps n, a compensated Σx and the centred sum of squares M₂ = Σ(x − x̄)² (Welford's update,
/// Chan et al.'s merge), so the variance never suffers the cancellation of Σx² − (Σx)²/n when
/// values are large and alike. Variance as gbstats `SampleMeanStatistic`:
/// s² = (Σx² − (Σx)²/n)/(n − 1) = M₂/(n − 1), and 0 for n ≤ 1.
public struct MeanStatistic: Sendable, Hashable {
    /// Units observed.
    public private(set) var n: Int
    /// Σx, compensated.
    var total: CompensatedSum
    /// M₂ = Σ(x − x̄)².
    var centredSquares: Double

    /// An empty sample.
    public init() {
        n = 0
        total = CompensatedSum()
        centredSquares = 0
    }

    /// Statistics from their sums: n, Σx and Σx² (M₂ = Σx² − (Σx)²/n).
    public init(n: Int, sum: Double, sumOfSquares: Double) {
        self.n = n
        total = CompensatedSum(sum)
        centredSquares = n > 0 ? sumOfSquares - sum * sum / Double(n) : 0
    }

    /// Records one value in O(1) (Welford: M₂ += (x − x̄ₒₗ𝒹)(x − x̄ₙₑ𝓌)).
    public mutating func add(_ x: Double) {
        let oldMean = mean
        n += 1
        total.add(x)
        centredSquares += (x - oldMean) * (x - mean)
    }

    /// Takes back a value recorded with `add`, in O(1) (Welford's update reversed):
    /// to change a unit's value, remove the old one and add the new one.
    public mutating func remove(_ x: Double) {
        guard n > 1 else {
            self = MeanStatistic()
            return
        }
        let oldMean = mean
        n -= 1
        total.add(-x)
        centredSquares -= (x - oldMean) * (x - mean)
        if centredSquares < 0 { centredSquares = 0 }
    }

    /// Σx.
    public var sum: Double { total.value }

    /// Σx², recovered as M₂ + (Σx)²/n.
    public var sumOfSquares: Double {
        n == 0 ? 0 : centredSquares + sum * sum / Double(n)
    }

    /// The sample mean Σx/n (0 while empty, as gbstats).
    public var mean: Double { n == 0 ? 0 : total.value / Double(n) }

    /// The sample variance M₂/(n − 1) (0 for n ≤ 1, as gbstats).
    public var variance: Double { n <= 1 ? 0 : centredSquares / Double(n - 1) }

    /// The statistics of both samples together (Chan, Golub & LeVeque 1979):
    /// M₂ = M₂ₐ + M₂ᵦ + δ²·nₐnᵦ/n with δ = x̄ᵦ − x̄ₐ.
    public static func + (lhs: MeanStatistic, rhs: MeanStatistic) -> MeanStatistic {
        if rhs.n == 0 { return lhs }
        if lhs.n == 0 { return rhs }
        var result = lhs
        let delta = rhs.mean - lhs.mean
        result.n = lhs.n + rhs.n
        result.total = lhs.total + rhs.total
        let weight = Double(lhs.n) / Double(result.n) * Double(rhs.n)
        result.centredSquares = lhs.centredSquares + rhs.centredSquares + delta * delta * weight
        return result
    }

    /// Merges another sample in place.
    public static func += (lhs: inout MeanStatistic, rhs: MeanStatistic) {
        lhs = lhs + rhs
    }
}
