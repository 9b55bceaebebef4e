import TallyStats

/// Sums over one variant's units for one metric, kept current as participants' values move:
/// n, Σx, Σx² for per-guest metrics; n (guests with d > 0), Σm, Σm², Σd, Σd², Σmd for ratios.
struct UnitStatistics: Codable, Sendable {
    /// Guests counted: every participant (per guest), or those with d > 0 (ratio).
    private(set) var guests = 0
    private var sum = CompensatedSum()
    private var sumOfSquares = CompensatedSum()
    private var denominatorSum = CompensatedSum()
    private var denominatorSumOfSquares = CompensatedSum()
    private var productSum = CompensatedSum()

    /// A new participant with x = 0 (per-guest metrics).
    mutating func enroll() { guests += 1 }

    /// A participant's x moved from `old` to `new`.
    mutating func replaceValue(old: Double, new: Double) {
        sum.add(new - old)
        sumOfSquares.add(new * new - old * old)
    }

    /// A participant's (m, d) moved from `old` to `new`.
    mutating func replaceRatio(old: UnitValue, new: UnitValue) {
        if old.denominator == 0, new.denominator > 0 { guests += 1 }
        sum.add(new.numerator - old.numerator)
        sumOfSquares.add(new.numerator * new.numerator - old.numerator * old.numerator)
        denominatorSum.add(new.denominator - old.denominator)
        denominatorSumOfSquares.add(new.denominator * new.denominator - old.denominator * old.denominator)
        productSum.add(new.numerator * new.denominator - old.numerator * old.denominator)
    }

    /// The numerator sum (conversions, revenue, bounces, ...).
    var total: Double { sum.value }

    /// Units: guests (per guest) or the denominator sum (sessions, eligible sessions, orders).
    func units(_ unit: MetricUnit) -> Int {
        unit == .guest ? guests : Int(denominatorSum.value.rounded())
    }

    /// The statistic TallyStats compares.
    func arm(kind: MetricKind, unit: MetricUnit) -> ArmStatistic {
        if unit != .guest {
            return .ratio(RatioStatistic(
                n: guests, numeratorSum: sum.value, numeratorSumOfSquares: sumOfSquares.value,
                denominatorSum: denominatorSum.value, denominatorSumOfSquares: denominatorSumOfSquares.value,
                productSum: productSum.value))
        }
        if kind.isProportion {
            return .proportion(ProportionStatistic(n: guests, conversions: Int(sum.value.rounded())))
        }
        return .mean(MeanStatistic(n: guests, sum: sum.value, sumOfSquares: sumOfSquares.value))
    }
}
