#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// The standard normal distribution N(0, 1).
public enum Normal {
    /// 1/√(2π).
    static let inverseSqrtTwoPi = 0.398_942_280_401_432_677_939_946_059_934_4

    /// The density φ(x) = exp(−x²/2)/√(2π).
    public static func density(_ x: Double) -> Double {
        inverseSqrtTwoPi * exp(-0.5 * x * x)
    }

    /// The distribution function Φ(x) = P(Z ≤ x) = ½·erfc(−x/√2).
    ///
    /// Uses the C library's `erfc`, so the lower tail keeps its relative accuracy down to the
    /// smallest normal doubles.
    public static func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        return 0.5 * erfc(-x * 0.5.squareRoot())
    }

    /// The survival function 1 − Φ(x) = Φ(−x), accurate in the upper tail.
    public static func survival(_ x: Double) -> Double {
        cdf(-x)
    }

    /// The quantile Φ⁻¹(p): the x with Φ(x) = p.
    ///
    /// Acklam's rational approximation (relative error below 1.2e-9) refined by two Halley steps
    /// on Φ, which brings it to full double precision. p > ½ uses Φ⁻¹(p) = −Φ⁻¹(1 − p), where
    /// 1 − p is exact. Returns −∞ for p = 0, +∞ for p = 1 and NaN outside [0, 1].
    public static func quantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// Φ⁻¹(p) for 0 < p < ½ (a negative number).
    private static func lowerQuantile(_ p: Double) -> Double {
        var x = acklam(p)
        for _ in 0..<2 {
            let phi = density(x)
            guard phi > 0, phi.isFinite else { break }
            let u = (cdf(x) - p) / phi
            x -= u / (1 + 0.5 * x * u)
        }
        return x
    }

    /// Acklam's approximation of Φ⁻¹(p) for 0 < p ≤ ½ (P. J. Acklam, "An algorithm for computing
    /// the inverse normal cumulative distribution function", 2003).
    private static func acklam(_ p: Double) -> Double {
        let pLow = 0.02425
        if p < pLow {
            let q = (-2 * log(p)).squareRoot()
            let num = ((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q
                - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
                + 4.374664141464968e+00) * q + 2.938163982698783e+00
            let den = (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q
                + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1
            return num / den
        }
        let q = p - 0.5
        let r = q * q
        let num = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r
            - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
            - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
        let den = ((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
            - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r
            - 1.328068155288572e+01) * r + 1
        return num / den
    }
}
