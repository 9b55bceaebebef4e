import TallyCore
import TallyStats

extension SignificanceReport {
    typealias F = TableFormatting

    /// The report as an aligned text table with a one-line verdict, like an online A/B
    /// calculator: rates as percentages, the uplift with its interval, p-value, confidence,
    /// chance to win and significance per variant.
    func table() -> String {
        let level = Self.levelText(confidence)
        var header = ["Arm"] + Self.armColumns(control)
        header += ["Uplift", "\(level) interval", "p-value", "Confidence", "Chance to win", "Significant"]
        var lines = [header]
        lines.append(["control"] + Self.armCells(control))
        for (index, (arm, row)) in zip(variants, rows).enumerated() {
            var cells = [Self.name(ofVariant: index)] + Self.armCells(arm)
            if let e = row.comparison.estimate {
                cells += [
                    Self.signedPercent(e.uplift),
                    "[\(Self.signedPercent(e.ciLow)), \(Self.signedPercent(e.ciHigh))]",
                    Self.pValue(e.pValue),
                    F.percent(e.confidence, decimals: 2),
                    F.percent(e.chanceToWin, decimals: 2),
                    row.significant == true ? "yes" : "no",
                ]
            } else {
                cells.append("n/a")
            }
            lines.append(cells)
        }
        // An arm of another kind than the control's has more cells than the header.
        let columns = lines.map(\.count).max() ?? 0
        var table = TextTable([.left] + Array(repeating: .right, count: max(0, columns - 1)))
        lines.forEach { table.add($0) }
        var out = "Significance: \(methodText), \(level) confidence, goal: \(direction.rawValue)\n\n"
        out += table.lines().map { $0 + "\n" }.joined()
        var notes: [String] = []
        for (index, row) in rows.enumerated() {
            if let reason = row.comparison.degenerateReason {
                notes.append("\(Self.name(ofVariant: index)): not enough data, \(reason).")
            }
        }
        let tested = rows.filter { $0.adjustedPValue != nil }.count
        if tested > 1, method != .bayesian {
            notes.append("Significance uses Holm-adjusted p-values across the \(tested) variants tested.")
        }
        if !notes.isEmpty { out += "\n" + notes.joined(separator: "\n") + "\n" }
        return out + "\n" + verdict + "\n"
    }

    /// "fixed-horizon t-test", "sequential test (N* = 5,000)" or "Bayesian, flat prior".
    var methodText: String {
        switch method {
        case .fixed: "fixed-horizon t-test"
        case .sequential(let n): "sequential test (N* = \(F.significant(n, digits: 6)))"
        case .bayesian: "Bayesian, flat prior"
        }
    }

    /// 0.95 → "95%", 0.975 → "97.5%".
    static func levelText(_ confidence: Double) -> String {
        F.plain(100 * confidence, maxDecimals: 4) + "%"
    }

    /// A relative change with `decimals` places, "+" only when above zero: `+25.00%`, `0.00%`,
    /// `-4.12%`.
    static func signedPercent(_ fraction: Double, decimals: Int = 2) -> String {
        fraction > 0 ? F.signedPercent(fraction, decimals: decimals) : F.percent(fraction, decimals: decimals)
    }

    /// A p-value: four decimals, or "< 0.0001".
    static func pValue(_ p: Double) -> String {
        p < 0.0001 ? "< 0.0001" : F.fixed(p, decimals: 4)
    }

    /// Column titles describing the control's kind of metric.
    static func armColumns(_ arm: ArmStatistic) -> [String] {
        switch arm {
        case .proportion: ["Units", "Conversions", "Rate"]
        case .mean: ["Units", "Total", "Mean"]
        case .ratio: ["Guests", "Numerator", "Denominator", "Ratio"]
        }
    }

    /// The cells for those columns (blank where the arm is of another kind).
    static func armCells(_ arm: ArmStatistic) -> [String] {
        let mean = arm.n == 0 ? F.dash : nil
        switch arm {
        case .proportion(let s):
            return [F.grouped(s.n), F.grouped(s.conversions), mean ?? F.percent(s.mean, decimals: 2)]
        case .mean(let s):
            return [F.grouped(s.n), F.significant(s.sum, digits: 6), mean ?? F.significant(s.mean)]
        case .ratio(let s):
            return [
                F.grouped(s.n), F.significant(s.numeratorSum, digits: 6),
                F.significant(s.denominatorSum, digits: 6),
                s.denominatorSum == 0 ? F.dash : F.significant(s.mean),
            ]
        }
    }
}
