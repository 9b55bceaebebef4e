import TallyCore
import TallyStats

/// The plan printed by `tally sample-size`: units per variant and in total.
struct SampleSizeReport: Sendable, Equatable {
    /// Control conversion rate p₁.
    let baseRate: Double
    /// Relative minimum detectable effect (p₂ = p₁(1 + mde)).
    let mde: Double
    /// Confidence level.
    let confidence: Double
    /// Power 1 − β.
    let power: Double
    /// Number of arms, control included.
    let variants: Int
    /// `requiredSampleSize` for one arm.
    let requiredUnits: Int
    /// requiredUnits × variants.
    let totalUnits: Int

    /// The plan, or nil when the inputs admit none (see `requiredSampleSize`) or variants < 2.
    init?(baseRate: Double, mde: Double, confidence: Double = 0.95, power: Double = 0.8, variants: Int = 2) {
        guard variants >= 2,
              let n = requiredSampleSize(baseRate: baseRate, mde: mde, confidence: confidence, power: power)
        else { return nil }
        let (total, overflow) = n.multipliedReportingOverflow(by: variants)
        guard !overflow else { return nil }
        self.baseRate = baseRate
        self.mde = mde
        self.confidence = confidence
        self.power = power
        self.variants = variants
        requiredUnits = n
        totalUnits = total
    }

    /// `{"required_units": …, "total_units": …}`, written by the report's `JSONWriter`.
    func json() -> String {
        JSONWriter.text(of: .object([("required_units", .int(requiredUnits)), ("total_units", .int(totalUnits))]))
    }

    /// The plan as a short aligned list.
    func table() -> String {
        typealias F = TableFormatting
        let target = baseRate * (1 + mde)
        var table = TextTable([.left, .left])
        table.add(["Base rate", F.percent(baseRate, decimals: 2)])
        table.add(["Minimum detectable effect",
                   "\(SignificanceReport.signedPercent(mde)) (\(F.percent(baseRate, decimals: 2)) → \(F.percent(target, decimals: 2)))"])
        table.add(["Confidence", SignificanceReport.levelText(confidence)])
        table.add(["Power", SignificanceReport.levelText(power)])
        table.add(["Units per variant", F.grouped(requiredUnits)])
        table.add(["Variants", String(variants)])
        table.add(["Total units", F.grouped(totalUnits)])
        return "Sample size for a conversion-rate test\n\n" + table.lines(indent: "  ").joined(separator: "\n") + "\n"
    }
}
