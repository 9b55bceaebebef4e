/// Sufficient statistics of a ratio metric over guests (revenue per session, per order, …).
///
/// Each guest contributes a numerator m and a denominator d. Kept as n, compensated Σm and Σd,
/// and the centred moments Σ(m − m̄)², Σ(d − d̄)², Σ(m − m̄)(d − d̄) (Welford/Chan), from which
/// gbstats `RatioStatistic` takes its delta-method variance of m̄/d̄:
/// Var = s²ₘ/d̄² − 2·cov(m, d)·m̄/d̄³ + m̄²·s²_d/d̄⁴.
public struct RatioStatistic: Sendable, Hashable {
    /// Guests observed.
    public private(set) var n: Int
    var numeratorTotal: CompensatedSum
    var denominatorTotal: CompensatedSum
    var numeratorSquares: Double
    var denominatorSquares: Double
    var coMoment: Double

    /// An empty sample.
    public init() {
        n = 0
        numeratorTotal = CompensatedSum()
        denominatorTotal = CompensatedSum()
        numeratorSquares = 0
        denominatorSquares = 0
        coMoment = 0
    }

    /// Statistics from their sums: n, Σm, Σm², Σd, Σd² and Σmd.
    public init(
        n: Int, numeratorSum: Double, numeratorSumOfSquares: Double,
        denominatorSum: Double, denominatorSumOfSquares: Double, productSum: Double
    ) {
        self.n = n
        numeratorTotal = CompensatedSum(numeratorSum)
        denominatorTotal = CompensatedSum(denominatorSum)
        let count = Double(n)
        numeratorSquares = n > 0 ? numeratorSumOfSquares - numeratorSum * numeratorSum / count : 0
        denominatorSquares = n > 0
            ? denominatorSumOfSquares - denominatorSum * denominatorSum / count : 0
        coMoment = n > 0 ? productSum - numeratorSum * denominatorSum / count : 0
    }

    /// Records one guest's numerator and denominator in O(1).
    public mutating func add(numerator m: Double, denominator d: Double) {
        let oldM = numeratorMean
        let oldD = denominatorMean
        n += 1
        numeratorTotal.add(m)
        denominatorTotal.add(d)
        let newD = denominatorMean
        numeratorSquares += (m - oldM) * (m - numeratorMean)
        denominatorSquares += (d - oldD) * (d - newD)
        coMoment += (m - oldM) * (d - newD)
    }

    /// Takes back a guest recorded with `add`, in O(1) (the update reversed): to change a
    /// guest's figures, remove the old pair and add the new one.
    public mutating func remove(numerator m: Double, denominator d: Double) {
        guard n > 1 else {
            self = RatioStatistic()
            return
        }
        let oldM = numeratorMean
        let oldD = denominatorMean
        n -= 1
        numeratorTotal.add(-m)
        denominatorTotal.add(-d)
        let newD = denominatorMean
        numeratorSquares = max(0, numeratorSquares - (m - oldM) * (m - numeratorMean))
        denominatorSquares = max(0, denominatorSquares - (d - oldD) * (d - newD))
        coMoment -= (m - numeratorMean) * (d - oldD)
    }

    /// Σm.
    public var numeratorSum: Double { numeratorTotal.value }
    /// Σd.
    public var denominatorSum: Double { denominatorTotal.value }
    /// Σm².
    public var numeratorSumOfSquares: Double {
        n == 0 ? 0 : numeratorSquares + numeratorSum * numeratorSum / Double(n)
    }
    /// Σd².
    public var denominatorSumOfSquares: Double {
        n == 0 ? 0 : denominatorSquares + denominatorSum * denominatorSum / Double(n)
    }
    /// Σmd.
    public var productSum: Double {
        n == 0 ? 0 : coMoment + numeratorSum * denominatorSum / Double(n)
    }

    /// m̄ = Σm/n.
    public var numeratorMean: Double { n == 0 ? 0 : numeratorSum / Double(n) }
    /// d̄ = Σd/n.
    public var denominatorMean: Double { n == 0 ? 0 : denominatorSum / Double(n) }
    /// s²ₘ (0 for n ≤ 1).
    public var numeratorVariance: Double { n <= 1 ? 0 : numeratorSquares / Double(n - 1) }
    /// s²_d (0 for n ≤ 1).
    public var denominatorVariance: Double { n <= 1 ? 0 : denominatorSquares / Double(n - 1) }
    /// cov(m, d) = Σ(m − m̄)(d − d̄)/(n − 1) (0 for n ≤ 1).
    public var covariance: Double { n <= 1 ? 0 : coMoment / Double(n - 1) }

    /// The ratio Σm/Σd (0 when Σd = 0, as gbstats).
    public var mean: Double {
        let d = denominatorSum
        return d == 0 ? 0 : numeratorSum / d
    }

    /// The delta-method variance of the ratio per guest (0 when d̄ = 0 or n ≤ 1, as gbstats).
    public var variance: Double {
        let dMean = denominatorMean
        if dMean == 0 || n <= 1 { return 0 }
        let mMean = numeratorMean
        let d2 = dMean * dMean
        return numeratorVariance / d2
            - 2 * covariance * mMean / (d2 * dMean)
            + mMean * mMean * denominatorVariance / (d2 * d2)
    }

    /// The statistics of both samples together (Chan et al.'s pairwise merge of co-moments).
    public static func + (lhs: RatioStatistic, rhs: RatioStatistic) -> RatioStatistic {
        if rhs.n == 0 { return lhs }
        if lhs.n == 0 { return rhs }
        let deltaM = rhs.numeratorMean - lhs.numeratorMean
        let deltaD = rhs.denominatorMean - lhs.denominatorMean
        var result = lhs
        result.n = lhs.n + rhs.n
        result.numeratorTotal = lhs.numeratorTotal + rhs.numeratorTotal
        result.denominatorTotal = lhs.denominatorTotal + rhs.denominatorTotal
        let weight = Double(lhs.n) / Double(result.n) * Double(rhs.n)
        result.numeratorSquares = lhs.numeratorSquares + rhs.numeratorSquares + deltaM * deltaM * weight
        result.denominatorSquares = lhs.denominatorSquares + rhs.denominatorSquares
            + deltaD * deltaD * weight
        result.coMoment = lhs.coMoment + rhs.coMoment + deltaM * deltaD * weight
        return result
    }

    /// Merges another sample in place.
    public static func += (lhs: inout RatioStatistic, rhs: RatioStatistic) {
        lhs = lhs + rhs
    }
}
