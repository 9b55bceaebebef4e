import XCTest
@testable import TallyStats

/// Distribution functions against SciPy 1.17 (Boost), whose values agree with 40-digit mpmath
/// to a few 1e-15 relative.
final class DistributionTests: XCTestCase {
    /// |actual − expected| ≤ rel·|expected| + abs.
    func assertClose(
        _ actual: Double, _ expected: Double, rel: Double = 1e-12, abs absTol: Double = 1e-300,
        _ message: String = "", file: StaticString = #filePath, line: UInt = #line
    ) {
        let tol = rel * abs(expected) + absTol
        XCTAssertTrue(
            abs(actual - expected) <= tol || actual == expected,
            "\(actual) vs \(expected) \(message)", file: file, line: line)
    }

    func testStudentTDistributionFunction() {
        for (t, nu, lower, upper) in Self.studentCDF {
            assertClose(StudentT.cdf(t, degreesOfFreedom: nu), lower, rel: 1e-12, "cdf(\(t), \(nu))")
            assertClose(StudentT.survival(t, degreesOfFreedom: nu), upper, rel: 1e-12, "sf(\(t), \(nu))")
        }
    }

    func testStudentTQuantile() {
        for (p, nu, q) in Self.studentQuantiles {
            assertClose(StudentT.quantile(p, degreesOfFreedom: nu), q, rel: 1e-12, abs: 1e-14, "q(\(p), \(nu))")
        }
    }

    func testNormalQuantile() {
        for (p, q) in Self.normalQuantiles {
            assertClose(Normal.quantile(p), q, rel: 1e-13, abs: 1e-15, "Φ⁻¹(\(p))")
        }
        XCTAssertEqual(Normal.quantile(0), -.infinity)
        XCTAssertEqual(Normal.quantile(1), .infinity)
        XCTAssertTrue(Normal.quantile(1.5).isNaN)
    }

    func testNormalDistributionFunction() {
        for (x, lower, upper) in Self.normalCDF {
            assertClose(Normal.cdf(x), lower, rel: 1e-13, "Φ(\(x))")
            assertClose(Normal.survival(x), upper, rel: 1e-13, "1 − Φ(\(x))")
        }
    }

    func testChiSquareSurvival() {
        for (x, k, sf) in Self.chiSquareSurvival {
            assertClose(ChiSquare.survival(x, degreesOfFreedom: k), sf, rel: 1e-12, abs: 1e-300, "χ²(\(x), \(k))")
        }
        XCTAssertEqual(ChiSquare.survival(0, degreesOfFreedom: 3), 1)
    }

    func testQuantileInvertsDistributionFunction() {
        for nu in [0.5, 1.5, 3, 12.25, 250, 300, 5e7] {
            for p in [1e-300, 1e-15, 1e-9, 0.01, 0.2, 0.45, 0.9, 0.99999] {
                if nu < 1, p < 1e-100 { continue }  // the quantile is beyond ±Double.greatestFiniteMagnitude
                let t = StudentT.quantile(p, degreesOfFreedom: nu)
                assertClose(StudentT.cdf(t, degreesOfFreedom: nu), p, rel: 1e-12, "ν = \(nu), p = \(p)")
            }
        }
    }

    func testHugeDegreesOfFreedomApproachTheNormal() {
        for p in [1e-12, 0.025, 0.7] {
            assertClose(StudentT.quantile(p, degreesOfFreedom: 1e300), Normal.quantile(p), rel: 1e-15)
            assertClose(StudentT.quantile(p, degreesOfFreedom: .infinity), Normal.quantile(p), rel: 1e-15)
        }
        assertClose(StudentT.cdf(-3, degreesOfFreedom: 1e17), Normal.cdf(-3), rel: 1e-14)
    }

    func testLogGammaAndLogBeta() {
        assertClose(SpecialFunctions.logGamma(0.5), 0.5723649429247001, rel: 1e-14)
        assertClose(SpecialFunctions.logGamma(1), 0, abs: 5e-15)
        assertClose(SpecialFunctions.logGamma(10), 12.801827480081469, rel: 1e-14)
        assertClose(SpecialFunctions.logGamma(1e6), 12815504.569147611, rel: 1e-15)
        // log B(5e8, ½) = logΓ(5e8) + logΓ(½) − logΓ(5e8 + ½), from mpmath
        assertClose(SpecialFunctions.logBeta(5e8, 0.5), -9.442694385018532, rel: 1e-14)
    }
}
