import TallyStats

/// An arm written in none of the accepted forms, e.g. `invalid arm "20/x": units must be a whole
/// number ≥ 0`.
struct InvalidArm: Error, Equatable, CustomStringConvertible {
    /// The text as given.
    let input: String
    /// What is wrong with it.
    let reason: String

    var description: String { "invalid arm \"\(input)\": \(reason)" }
}

extension ArmStatistic {
    /// The accepted forms, for error messages and help texts.
    static let acceptedForms =
        "CONVERSIONS/UNITS, n=N,sum=S,sum_squares=Q or "
        + "n=N,m_sum=M,m_sum_squares=MM,d_sum=D,d_sum_squares=DD,md_sum=MD"

    /// Parses an arm as written on the command line.
    ///
    /// `CONVERSIONS/UNITS` (a proportion, e.g. `200/2000`), `n=N,sum=S,sum_squares=Q` (a mean) or
    /// `n=N,m_sum=…,m_sum_squares=…,d_sum=…,d_sum_squares=…,md_sum=…` (a ratio). Spaces around
    /// parts are ignored; counts must be whole numbers ≥ 0 and every number finite.
    init(parsing text: String) throws(InvalidArm) {
        let input = text.trimmingSpaces()
        func fail(_ reason: String) -> InvalidArm {
            InvalidArm(input: text, reason: reason)
        }
        if input.isEmpty { throw fail("expected \(Self.acceptedForms)") }
        if !input.contains("=") {
            let parts = input.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw fail("expected \(Self.acceptedForms)") }
            guard let conversions = Self.wholeNumber(parts[0]) else {
                throw fail("conversions must be a whole number ≥ 0")
            }
            guard let units = Self.wholeNumber(parts[1]) else {
                throw fail("units must be a whole number ≥ 0")
            }
            guard conversions <= units else {
                throw fail("conversions (\(conversions)) exceed units (\(units))")
            }
            self = .proportion(ProportionStatistic(n: units, conversions: conversions))
            return
        }
        var fields: [String: Double] = [:]
        var nValue: Int?
        for part in input.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].trimmingSpaces()
            guard pair.count == 2 else { throw fail("\"\(part.trimmingSpaces())\" is not KEY=VALUE") }
            guard Self.meanKeys.contains(key) || Self.ratioKeys.contains(key) else {
                throw fail("unknown key \"\(key)\"")
            }
            guard fields[key] == nil else { throw fail("\(key) is given twice") }
            if key == "n" {
                guard let n = Self.wholeNumber(pair[1]) else { throw fail("n must be a whole number ≥ 0") }
                nValue = n
                fields[key] = Double(n)
                continue
            }
            guard let value = Double(pair[1].trimmingSpaces()), value.isFinite else {
                throw fail("\(key) must be a finite number")
            }
            if key.hasSuffix("squares"), value < 0 { throw fail("\(key) must be ≥ 0") }
            fields[key] = value
        }
        let keys = Set(fields.keys)
        let isRatio = keys.contains { $0.hasPrefix("m_") || $0.hasPrefix("d_") || $0.hasPrefix("md_") }
        let required = isRatio ? Self.ratioKeys : Self.meanKeys
        if let extra = keys.subtracting(required).sorted().first {
            throw fail("\(extra) does not belong in a \(isRatio ? "ratio" : "mean") arm")
        }
        if let missing = required.first(where: { fields[$0] == nil }) {
            throw fail("missing \(missing)")
        }
        let n = nValue ?? 0
        if isRatio {
            self = .ratio(RatioStatistic(
                n: n, numeratorSum: fields["m_sum"]!, numeratorSumOfSquares: fields["m_sum_squares"]!,
                denominatorSum: fields["d_sum"]!, denominatorSumOfSquares: fields["d_sum_squares"]!,
                productSum: fields["md_sum"]!))
        } else {
            self = .mean(MeanStatistic(n: n, sum: fields["sum"]!, sumOfSquares: fields["sum_squares"]!))
        }
    }

    static let meanKeys = ["n", "sum", "sum_squares"]
    static let ratioKeys = ["n", "m_sum", "m_sum_squares", "d_sum", "d_sum_squares", "md_sum"]

    /// A whole number 0…2⁵³ written as an integer or a float (`2000`, `2e3`).
    static func wholeNumber(_ text: Substring) -> Int? {
        let trimmed = text.trimmingSpaces()
        if let value = Int(trimmed) { return value >= 0 ? value : nil }
        guard let value = Double(trimmed), value >= 0, value <= 9_007_199_254_740_992,
              value == value.rounded() else { return nil }
        return Int(value)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
