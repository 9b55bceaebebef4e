/// Sufficient statistics of a conversion rate: units and the units that converted.
///
/// gbstats `ProportionStatistic`: mean p = conversions/n, per-unit variance p(1 − p).
public struct ProportionStatistic: Sendable, Hashable {
    /// Units observed (guests or sessions).
    public private(set) var n: Int
    /// Units with a conversion.
    public private(set) var conversions: Int

    /// Statistics of `n` units of which `conversions` converted.
    public init(n: Int = 0, conversions: Int = 0) {
        self.n = n
        self.conversions = conversions
    }

    /// Records one unit in O(1).
    public mutating func add(converted: Bool) {
        n += 1
        if converted { conversions += 1 }
    }

    /// Takes back one unit recorded with `add(converted:)`, in O(1): to change a unit's
    /// outcome, remove it as it was and add it as it is.
    public mutating func remove(converted: Bool) {
        n -= 1
        if converted { conversions -= 1 }
    }

    /// The conversion rate p = conversions/n (0 while empty, as gbstats).
    public var mean: Double { n == 0 ? 0 : Double(conversions) / Double(n) }

    /// The per-unit variance p(1 − p).
    public var variance: Double {
        let p = mean
        return p * (1 - p)
    }

    /// The statistics of both groups together.
    public static func + (lhs: ProportionStatistic, rhs: ProportionStatistic) -> ProportionStatistic {
        ProportionStatistic(n: lhs.n + rhs.n, conversions: lhs.conversions + rhs.conversions)
    }

    /// Merges another group in place.
    public static func += (lhs: inout ProportionStatistic, rhs: ProportionStatistic) {
        lhs = lhs + rhs
    }
}
