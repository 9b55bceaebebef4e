import TallyCore
import TallyStats

/// The outcome of an A/B/n significance test on ready sufficient statistics: what
/// `tally significance` prints, as JSON or as a table a marketer can read.
struct SignificanceReport: Sendable {
    /// The control arm.
    let control: ArmStatistic
    /// The treatment arms, in the order given.
    let variants: [ArmStatistic]
    /// One row per treatment arm, Holm-corrected across them.
    let rows: [VariantComparison]
    /// The test used.
    let method: TestMethod
    /// The confidence level (interval level, significance threshold 1 − confidence).
    let confidence: Double
    /// The goal's direction.
    let direction: Direction

    /// Compares every variant with the control (`compareVariants`).
    init(
        control: ArmStatistic, variants: [ArmStatistic], method: TestMethod = .fixed,
        confidence: Double = 0.95, direction: Direction = .increase
    ) {
        self.control = control
        self.variants = variants
        self.method = method
        self.confidence = confidence
        self.direction = direction
        rows = compareVariants(
            control: control, variants: variants, method: method, confidence: confidence,
            direction: direction)
    }

    /// The arm's mean, or nil while it has no units.
    static func mean(_ arm: ArmStatistic) -> Double? {
        arm.n == 0 ? nil : arm.mean
    }

    /// `{"control": {"n", "mean"}, "variants": [{"n", "mean", "uplift", "ci_low", "ci_high",
    /// "p_value", "p_value_adjusted", "confidence", "chance_to_win", "significant"}]}`;
    /// degenerate figures are null, never NaN. Written by the report's `JSONWriter`.
    func json() -> String {
        let variantObjects: [JSONWriter.Value] = zip(variants, rows).map { arm, row in
            let e = row.comparison.estimate
            return .object([
                ("n", .int(arm.n)),
                ("mean", .number(Self.mean(arm))),
                ("uplift", .number(e?.uplift)),
                ("ci_low", .number(e?.ciLow)),
                ("ci_high", .number(e?.ciHigh)),
                ("p_value", .number(e?.pValue)),
                ("p_value_adjusted", .number(row.adjustedPValue)),
                ("confidence", .number(e?.confidence)),
                ("chance_to_win", .number(e?.chanceToWin)),
                ("significant", .bool(row.significant)),
            ])
        }
        return JSONWriter.text(of: .object([
            ("control", .object([("n", .int(control.n)), ("mean", .number(Self.mean(control)))])),
            ("variants", .array(variantObjects)),
        ]))
    }

    /// The arm's display name: "control", "variant 1", "variant 2", …
    static func name(ofVariant index: Int) -> String { "variant \(index + 1)" }

    /// Whether an uplift points in the goal's direction.
    func isImprovement(_ uplift: Double) -> Bool {
        direction == .increase ? uplift > 0 : uplift < 0
    }

    /// A one-line verdict following SPEC §4's status rules (without the sample-size gate).
    ///
    /// The significant variant with the largest uplift in the goal's direction wins (ties go to
    /// the first); the control wins when every variant is significant in the wrong direction;
    /// otherwise there is no significant difference yet, or not enough data.
    var verdict: String {
        let estimates = rows.map(\.comparison.estimate)
        var best: Int?
        for (i, row) in rows.enumerated() {
            guard row.significant == true, let e = estimates[i], isImprovement(e.uplift) else { continue }
            if let b = best, let current = estimates[b] {
                let better = direction == .increase ? e.uplift > current.uplift : e.uplift < current.uplift
                if !better { continue }
            }
            best = i
        }
        if let b = best, let e = estimates[b] {
            return "\(Self.name(ofVariant: b).capitalizedFirst) wins: \(Self.signedPercent(e.uplift, decimals: 1)) "
                + "uplift with \(evidence(e, row: rows[b]))."
        }
        if !rows.isEmpty, rows.allSatisfy({ $0.significant == true }),
           estimates.allSatisfy({ $0.map { !isImprovement($0.uplift) } ?? false }) {
            return "The control wins: every variant does significantly worse."
        }
        if let reason = rows.first?.comparison.degenerateReason, rows.allSatisfy({ $0.comparison.estimate == nil }) {
            return "Not enough data to compare: \(reason)."
        }
        return "No significant difference yet: keep the test running."
    }

    /// "97.5% confidence" or "a 98.7% chance to win", per method.
    func evidence(_ e: EffectEstimate, row: VariantComparison) -> String {
        switch method {
        case .bayesian:
            return "a \(TableFormatting.percent(e.chanceToWin, decimals: 1)) chance to win"
        case .fixed, .sequential:
            return "\(TableFormatting.percent(e.confidence, decimals: 1)) confidence"
        }
    }
}

extension String {
    /// The string with its first character upper-cased.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
