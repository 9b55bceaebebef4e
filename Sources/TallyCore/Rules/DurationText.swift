import Foundation

/// Durations written as text in rules and on the command line: `"30m"`, `"90s"`, `"1h"`,
/// `"1500ms"`, `"2d"`, or a bare number of seconds.
public enum DurationText {
    /// The longest duration accepted: 2^53 milliseconds (about 285,000 years), so that sums
    /// of durations and times stay within `Int64`.
    static let longest = 9_007_199_254_740_992.0

    /// The duration in milliseconds, or nil if `text` is not a duration (or longer than
    /// ``longest``).
    public static func milliseconds(_ text: String) -> Int64? {
        guard let milliseconds = anyMilliseconds(text), milliseconds <= longest else { return nil }
        return Int64(milliseconds)
    }

    private static func anyMilliseconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, factor: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite, value >= 0 else { continue }
            return (value * unit.factor).rounded()
        }
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return (seconds * 1000).rounded() }
        return nil
    }
}
