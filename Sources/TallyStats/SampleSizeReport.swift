/// The plan printed by `tally sample-size`: units per variant and in total.
public struct SampleSizeReport: Sendable, Equatable {
    /// Control conversion rate p₁.
    public let baseRate: Double
    /// Relative minimum detectable effect (p₂ = p₁(1 + mde)).
    public let mde: Double
    /// Confidence level.
    public let confidence: Double
    /// Power 1 − β.
    public let power: Double
    /// Number of arms, control included.
    public let variants: Int
    /// `requiredSampleSize` for one arm.
    public let requiredUnits: Int
    /// requiredUnits × variants.
    public let totalUnits: Int

    /// The plan, or nil when the inputs admit none (see `requiredSampleSize`) or variants < 2.
    public init?(baseRate: Double, mde: Double, confidence: Double = 0.95, power: Double = 0.8, variants: Int = 2) {
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

    /// `{"required_units": …, "total_units": …}`.
    public func json() -> String {
        StatsJSON.object([("required_units", .int(requiredUnits)), ("total_units", .int(totalUnits))]).rendered()
    }

    /// The plan as a short aligned list.
    public func table() -> String {
        let target = baseRate * (1 + mde)
        let lines = [
            ["Base rate", TextFormat.percent(baseRate, 2)],
            ["Minimum detectable effect",
             "\(TextFormat.percent(mde, 2, signed: true)) (\(TextFormat.percent(baseRate, 2)) → \(TextFormat.percent(target, 2)))"],
            ["Confidence", SignificanceReport.levelText(confidence)],
            ["Power", SignificanceReport.levelText(power)],
            ["Units per variant", TextFormat.grouped(requiredUnits)],
            ["Variants", String(variants)],
            ["Total units", TextFormat.grouped(totalUnits)],
        ]
        let width = lines.map { $0[0].count }.max() ?? 0
        return "Sample size for a conversion-rate test\n\n"
            + lines.map { "  " + TextFormat.pad($0[0], width) + "  " + $0[1] }.joined(separator: "\n") + "\n"
    }
}
