/// Number formatting and fixed-width columns for the table report. Locale-independent: `,`
/// groups thousands and `.` separates decimals, whatever the environment says.
package enum TableFormatting {
    /// Shown for a missing value.
    package static let dash = "—"

    /// `1234567` → `1,234,567`.
    package static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + groupDigits(digits)
    }

    /// `value` rounded half away from zero to `decimals` places, thousands grouped:
    /// `fixed(12340, decimals: 2)` → `12,340.00`. Non-finite values are `—`.
    package static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return dash }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return value.description }  // beyond Int64: rare, print exactly
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        var text = groupDigits(String(units / divisor))
        if decimals > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }

    /// A plain number: at most `maxDecimals` places, trailing zeros dropped, thousands grouped:
    /// `2340` → `2,340`, `17.5` → `17.5`, `13.4567` → `13.46`.
    package static func plain(_ value: Double, maxDecimals: Int = 2) -> String {
        var text = fixed(value, decimals: maxDecimals)
        guard text.contains("."), value.isFinite else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A number with about `digits` significant digits, trailing zeros dropped, thousands
    /// grouped: `0.001234` → `0.001234`, `1234.5` → `1,235`, `10.5` → `10.5`.
    package static func significant(_ value: Double, digits: Int = 4) -> String {
        guard value.isFinite else { return dash }
        let magnitude = value.magnitude
        if magnitude == 0 { return "0" }
        var decimals = digits - 1
        var bound = 1.0
        while magnitude >= bound * 10, decimals > 0 {
            bound *= 10
            decimals -= 1
        }
        var scaled = magnitude
        while scaled < 1, decimals < 12 {
            scaled *= 10
            decimals += 1
        }
        return plain(value, maxDecimals: decimals)
    }

    /// A fraction as a percentage: `0.0585` → `5.9%` (one decimal by default).
    package static func percent(_ fraction: Double, decimals: Int = 1) -> String {
        guard fraction.isFinite else { return dash }
        return fixed(fraction * 100, decimals: decimals) + "%"
    }

    /// A relative change as a signed percentage: `0.25` → `+25.0%`, `-0.031` → `-3.1%`.
    package static func signedPercent(_ fraction: Double, decimals: Int = 1) -> String {
        guard fraction.isFinite else { return dash }
        let text = fixed(fraction * 100, decimals: decimals)
        return (text.hasPrefix("-") ? "" : "+") + text + "%"
    }

    /// A monetary amount with two decimals: `$12,340.00` for USD, otherwise `12,340.00 EUR`.
    package static func money(_ value: Double, currency: String) -> String {
        let amount = fixed(value, decimals: 2)
        guard value.isFinite else { return amount }
        if currency == "USD" {
            return amount.hasPrefix("-") ? "-$" + amount.dropFirst() : "$" + amount
        }
        return amount + " " + currency
    }

    /// Inserts `,` every three digits from the right.
    private static func groupDigits(_ digits: String) -> String {
        var result = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// `text` padded with spaces to `width` characters, on the right (`.left`) or left (`.right`).
    package static func pad(_ text: String, to width: Int, align: TextTable.Alignment) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return align == .left ? text + padding : padding + text
    }
}

/// Rows of cells laid out in fixed-width columns, two spaces apart, trailing spaces trimmed.
package struct TextTable {
    package enum Alignment: Sendable { case left, right }

    package var alignments: [Alignment]
    package var rows: [[String]] = []

    package init(_ alignments: [Alignment]) {
        self.alignments = alignments
    }

    /// Adds a row; missing trailing cells are empty.
    package mutating func add(_ cells: [String]) {
        rows.append(cells)
    }

    /// The table's lines, each prefixed with `indent`.
    package func lines(indent: String = "") -> [String] {
        var widths = Array(repeating: 0, count: alignments.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return rows.map { row in
            var line = indent
            for column in alignments.indices {
                let cell = column < row.count ? row[column] : ""
                if column > 0 { line += "  " }
                line += TableFormatting.pad(cell, to: widths[column], align: alignments[column])
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
