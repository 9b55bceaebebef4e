extension SignificanceReport {
    /// The report as an aligned text table with a one-line verdict, like an online A/B
    /// calculator: rates as percentages, the uplift with its interval, p-value, confidence,
    /// chance to win and significance per variant.
    public func table() -> String {
        let level = Self.levelText(confidence)
        var header = ["Arm"] + Self.armColumns(control)
        header += ["Uplift", "\(level) interval", "p-value", "Confidence", "Chance to win", "Significant"]
        var lines = [header]
        lines.append(["control"] + Self.armCells(control) + ["", "", "", "", "", ""])
        for (index, (arm, row)) in zip(variants, rows).enumerated() {
            var cells = [Self.name(ofVariant: index)] + Self.armCells(arm)
            if let e = row.comparison.estimate {
                cells += [
                    TextFormat.percent(e.uplift, 2, signed: true),
                    "[\(TextFormat.percent(e.ciLow, 2, signed: true)), \(TextFormat.percent(e.ciHigh, 2, signed: true))]",
                    TextFormat.pValue(e.pValue),
                    TextFormat.percent(e.confidence, 2),
                    TextFormat.percent(e.chanceToWin, 2),
                    row.significant == true ? "yes" : "no",
                ]
            } else {
                cells += ["n/a", "", "", "", "", ""]
            }
            lines.append(cells)
        }
        var out = "Significance: \(methodText), \(level) confidence, goal: \(direction.rawValue)\n\n"
        out += Self.aligned(lines)
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
        case .sequential(let n): "sequential test (N* = \(TextFormat.compact(n, significant: 6)))"
        case .bayesian: "Bayesian, flat prior"
        }
    }

    /// 0.95 → "95%", 0.975 → "97.5%".
    static func levelText(_ confidence: Double) -> String {
        var text = TextFormat.fixed(100 * confidence, 4)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
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
        let mean = arm.n == 0 ? "—" : nil
        switch arm {
        case .proportion(let s):
            return [TextFormat.grouped(s.n), TextFormat.grouped(s.conversions), mean ?? TextFormat.percent(s.mean, 2)]
        case .mean(let s):
            return [TextFormat.grouped(s.n), TextFormat.compact(s.sum, significant: 6), mean ?? TextFormat.compact(s.mean)]
        case .ratio(let s):
            return [
                TextFormat.grouped(s.n), TextFormat.compact(s.numeratorSum, significant: 6),
                TextFormat.compact(s.denominatorSum, significant: 6),
                s.denominatorSum == 0 ? "—" : TextFormat.compact(s.mean),
            ]
        }
    }

    /// Rows of cells as aligned columns: the first left-aligned, the others right-aligned.
    static func aligned(_ lines: [[String]]) -> String {
        let columns = lines.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for line in lines {
            for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for line in lines {
            var text = ""
            for i in 0..<columns {
                let cell = i < line.count ? line[i] : ""
                text += i == 0 ? TextFormat.pad(cell, widths[i]) : "  " + TextFormat.pad(cell, widths[i], right: true)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            out += text + "\n"
        }
        return out
    }
}
