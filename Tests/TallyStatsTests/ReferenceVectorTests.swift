import Foundation
import XCTest
@testable import TallyStats

/// Every case of `Fixtures/stats.json` (gbstats 0.8.0 and SciPy; see `Fixtures/README.md`), to
/// 1e-9 (relative for values above 1).
final class ReferenceVectorTests: XCTestCase {
    /// Where the vectors file is: `Fixtures/` beside this file.
    static let vectorsURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures/stats.json")

    /// The parsed vectors file, or why it could not be read (which fails every test that asks).
    static var loaded: Result<[String: Any], VectorsUnreadable> {
        guard let data = try? Data(contentsOf: vectorsURL) else {
            return .failure(VectorsUnreadable(reason: "cannot read \(vectorsURL.path)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return .failure(VectorsUnreadable(reason: "\(vectorsURL.path) is not a JSON object"))
        }
        return .success(object)
    }

    struct VectorsUnreadable: Error { var reason: String }

    /// The cases under `key`; a missing file, key or empty list fails the calling test.
    func cases(_ key: String, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        switch Self.loaded {
        case .failure(let problem):
            XCTFail("reference vectors: \(problem.reason)", file: file, line: line)
            return []
        case .success(let vectors):
            let list = vectors[key] as? [[String: Any]] ?? []
            XCTAssertFalse(list.isEmpty, "no \"\(key)\" cases in stats.json", file: file, line: line)
            return list
        }
    }

    func assertMatches(
        _ actual: Double?, _ expected: Any?, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let expected = (expected as? NSNumber)?.doubleValue else {
            return XCTFail("\(what): no reference value", file: file, line: line)
        }
        guard let actual else { return XCTFail("\(what): nil, expected \(expected)", file: file, line: line) }
        let tolerance = 1e-9 * max(1, abs(expected))
        XCTAssertLessThanOrEqual(
            abs(actual - expected), tolerance, "\(what): \(actual) vs \(expected)", file: file, line: line)
    }

    static func number(_ object: [String: Any], _ key: String) -> Double {
        (object[key] as? NSNumber)?.doubleValue ?? .nan
    }

    /// The arm from its JSON form (`kind`, `n`, `sum`, … as in `Fixtures/stats.json`).
    static func arm(_ json: [String: Any]) -> ArmStatistic {
        let n = Int(number(json, "n"))
        switch json["kind"] as? String {
        case "proportion":
            return .proportion(ProportionStatistic(n: n, conversions: Int(number(json, "sum"))))
        case "mean":
            return .mean(MeanStatistic(n: n, sum: number(json, "sum"), sumOfSquares: number(json, "sum_squares")))
        default:
            let values = ["m_sum", "m_sum_squares", "d_sum", "d_sum_squares", "md_sum"].map { number(json, $0) }
            return .ratio(RatioStatistic(
                n: n, numeratorSum: values[0], numeratorSumOfSquares: values[1],
                denominatorSum: values[2], denominatorSumOfSquares: values[3], productSum: values[4]))
        }
    }

    func testComparisons() throws {
        for vector in cases("comparisons") {
            let name = vector["name"] as? String ?? "?"
            let control = Self.arm(vector["control"] as? [String: Any] ?? [:])
            let variant = Self.arm(vector["variant"] as? [String: Any] ?? [:])
            try checkComparison(name, vector, control: control, variant: variant)
        }
    }

    func checkComparison(
        _ name: String, _ vector: [String: Any], control: ArmStatistic, variant: ArmStatistic
    ) throws {
        func section(_ key: String) -> [String: Any] { vector[key] as? [String: Any] ?? [:] }
        func ci(_ s: [String: Any]) -> [Any] { s["ci"] as? [Any] ?? [] }

        let relative = section("fixed_relative")
        let welch = try welchTest(control: control, variant: variant).get()
        assertMatches(welch.effect, relative["uplift"], "\(name) fixed uplift")
        assertMatches(welch.ciLow, ci(relative).first, "\(name) fixed ci low")
        assertMatches(welch.ciHigh, ci(relative).last, "\(name) fixed ci high")
        assertMatches(welch.pValue, relative["p_value"], "\(name) fixed p")
        let fixed = compare(control: control, variant: variant, method: .fixed).estimate
        assertMatches(fixed?.uplift, relative["uplift"], "\(name) compare uplift")
        assertMatches(fixed?.ciLow, ci(relative).first, "\(name) compare ci low")
        assertMatches(fixed?.ciHigh, ci(relative).last, "\(name) compare ci high")
        assertMatches(fixed?.pValue, relative["p_value"], "\(name) compare p")
        assertMatches(fixed.map { 1 - $0.confidence }, relative["p_value"], "\(name) confidence")

        let absolute = section("fixed_absolute")
        let welchAbsolute = try welchTest(control: control, variant: variant, scale: .absolute).get()
        assertMatches(welchAbsolute.effect, absolute["effect"], "\(name) absolute effect")
        assertMatches(welchAbsolute.ciLow, ci(absolute).first, "\(name) absolute ci low")
        assertMatches(welchAbsolute.ciHigh, ci(absolute).last, "\(name) absolute ci high")
        assertMatches(welchAbsolute.pValue, absolute["p_value"], "\(name) absolute p")

        let seq = section("sequential_relative_n_star_5000")
        let sequential = compare(control: control, variant: variant, method: .sequential(n: 5000)).estimate
        assertMatches(sequential?.uplift, seq["uplift"], "\(name) sequential uplift")
        assertMatches(sequential?.ciLow, ci(seq).first, "\(name) sequential ci low")
        assertMatches(sequential?.ciHigh, ci(seq).last, "\(name) sequential ci high")
        assertMatches(sequential?.pValue, seq["p_value"], "\(name) sequential p")
        let direct = try sequentialTest(control: control, variant: variant).get()
        assertMatches(direct.pValue, seq["p_value"], "\(name) sequentialTest p")

        let flat = section("bayesian_flat")
        let posterior = try bayesianEffect(control: control, variant: variant).get()
        assertMatches(posterior.chanceToWin, flat["chance_to_win"], "\(name) flat chance to win")
        assertMatches(posterior.ciLow, ci(flat).first, "\(name) flat ci low")
        assertMatches(posterior.ciHigh, ci(flat).last, "\(name) flat ci high")
        let risk = flat["risk"] as? [Any] ?? []
        assertMatches(posterior.riskOfControl, risk.first, "\(name) flat risk of control")
        assertMatches(posterior.riskOfVariant, risk.last, "\(name) flat risk of variant")
        let bayes = compare(control: control, variant: variant, method: .bayesian).estimate
        assertMatches(bayes?.chanceToWin, flat["chance_to_win"], "\(name) compare chance to win")
        assertMatches(fixed?.chanceToWin, flat["chance_to_win"], "\(name) fixed chance to win")
        assertMatches(bayes?.ciLow, ci(flat).first, "\(name) compare credible low")
        assertMatches(bayes?.ciHigh, ci(flat).last, "\(name) compare credible high")
        assertMatches(bayes?.pValue, relative["p_value"], "\(name) bayesian reports the Welch p")
        // The goal's direction flips the chance to win and swaps the risks.
        let decrease = try bayesianEffect(control: control, variant: variant, direction: .decrease).get()
        assertMatches(decrease.chanceToWin, 1 - posterior.chanceToWin, "\(name) decrease chance")
        XCTAssertEqual(decrease.riskOfControl, posterior.riskOfVariant)

        let informed = section("bayesian_prior_mean0_var0.09")
        let prior = GaussianPrior(mean: 0, variance: 0.09)
        let proper = try bayesianEffect(control: control, variant: variant, prior: prior).get()
        assertMatches(proper.chanceToWin, informed["chance_to_win"], "\(name) prior chance to win")
        assertMatches(proper.mean, informed["expected"], "\(name) prior expected")
        assertMatches(proper.ciLow, ci(informed).first, "\(name) prior ci low")
        assertMatches(proper.ciHigh, ci(informed).last, "\(name) prior ci high")
    }

    func testSampleSize() {
        for vector in cases("sample_size") {
            let n = requiredSampleSize(
                baseRate: Self.number(vector, "base_rate"), mde: Self.number(vector, "mde"),
                confidence: Self.number(vector, "confidence"), power: Self.number(vector, "power"))
            XCTAssertEqual(n, (vector["required_units"] as? NSNumber)?.intValue, "\(vector)")
        }
    }

    func testSampleRatioMismatch() {
        for vector in cases("srm") {
            let observed = (vector["observed"] as? [NSNumber] ?? []).map(\.intValue)
            let weights = (vector["weights"] as? [NSNumber] ?? []).map(\.doubleValue)
            let result = srmTest(observed: observed, weights: weights)
            assertMatches(result?.chiSquare, vector["chi_square"], "χ² \(observed)")
            assertMatches(result?.pValue, vector["p_value"], "SRM p \(observed)")
            // The smallest p-value (1.5e-12) is checked relative to itself, too.
            if let p = result?.pValue, let expected = (vector["p_value"] as? NSNumber)?.doubleValue {
                XCTAssertEqual(p, expected, accuracy: 1e-9 * expected, "SRM p \(observed)")
            }
        }
    }

    func testCorrections() {
        for vector in cases("holm") {
            let p = (vector["p"] as? [NSNumber] ?? []).map(\.doubleValue)
            let expected = vector["adjusted"] as? [Any] ?? []
            for (actual, want) in zip(holmAdjusted(p), expected) { assertMatches(actual, want, "Holm \(p)") }
        }
        for vector in cases("benjamini_hochberg") {
            let p = (vector["p"] as? [NSNumber] ?? []).map(\.doubleValue)
            let expected = vector["adjusted"] as? [Any] ?? []
            for (actual, want) in zip(benjaminiHochbergAdjusted(p), expected) { assertMatches(actual, want, "BH \(p)") }
        }
    }

    func testQuantiles() {
        for vector in cases("quantiles") {
            let p = Self.number(vector, "p")
            assertMatches(Normal.quantile(p), vector["normal"], "Φ⁻¹(\(p))")
            assertMatches(StudentT.quantile(p, degreesOfFreedom: 3), vector["t_df3"], "t₃(\(p))")
            assertMatches(StudentT.quantile(p, degreesOfFreedom: 41.54), vector["t_df41.54"], "t₄₁.₅₄(\(p))")
            assertMatches(StudentT.quantile(p, degreesOfFreedom: 1e6), vector["t_df1e6"], "t₁ₑ₆(\(p))")
        }
    }
}
