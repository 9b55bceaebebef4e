#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Student's t distribution with any positive real degrees of freedom ν.
///
/// Above 1e16 degrees of freedom (and for ν = ∞) it is the standard normal: the difference is
/// then below 1e-15 relative.
public enum StudentT {
    /// Degrees of freedom from which the normal distribution is used instead.
    static let normalLimit = 1e16

    /// The distribution function P(T ≤ t).
    ///
    /// For t ≤ 0: P(T ≤ t) = ½·I_x(ν/2, ½) with x = ν/(ν + t²) (Abramowitz & Stegun 26.7.1),
    /// x and 1 − x formed without cancellation; the upper half by symmetry.
    /// Returns NaN for ν ≤ 0 or NaN arguments.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard !t.isNaN, nu > 0 else { return .nan }
        return t <= 0 ? lowerTail(t, nu) : 1 - lowerTail(-t, nu)
    }

    /// The survival function P(T > t) = P(T ≤ −t), accurate in the upper tail.
    public static func survival(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        cdf(-t, degreesOfFreedom: nu)
    }

    /// The density f(t) = (1 + t²/ν)^(−(ν+1)/2) / (√ν·B(ν/2, ½)).
    public static func density(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard !t.isNaN, nu > 0 else { return .nan }
        if nu > normalLimit { return Normal.density(t) }
        return exp(logDensity(t, nu))
    }

    /// log f(t), finite even where f(t) underflows.
    static func logDensity(_ t: Double, _ nu: Double) -> Double {
        if nu > normalLimit { return -0.5 * t * t - SpecialFunctions.halfLogTwoPi }
        return -0.5 * (nu + 1) * logOnePlusSquareOver(t, nu)
            - SpecialFunctions.logBeta(0.5 * nu, 0.5) - 0.5 * log(nu)
    }

    /// The quantile: the t with P(T ≤ t) = p.
    ///
    /// Exact for ν = 1 and ν = 2; otherwise Hill's start (G. W. Hill, "Algorithm 396: Student's
    /// t-quantiles", CACM 13 (1970) 619) refined by safeguarded Newton steps on log P(T ≤ t),
    /// which converge to the precision of the distribution function. p > ½ by symmetry
    /// (1 − p is exact there). Returns ∓∞ for p = 0 or 1 and NaN for p outside [0, 1] or ν ≤ 0.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        guard p >= 0, p <= 1, nu > 0 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p > 0.5 { return -lowerQuantile(1 - p, nu) }
        return lowerQuantile(p, nu)
    }

    // MARK: - Lower tail

    /// log(1 + t²/ν) without overflow for huge |t|.
    static func logOnePlusSquareOver(_ t: Double, _ nu: Double) -> Double {
        let r = abs(t) / nu.squareRoot()
        if r > 1e150 { return 2 * log(r) }
        return log1p(r * r)
    }

    /// P(T ≤ t) for t ≤ 0.
    static func lowerTail(_ t: Double, _ nu: Double) -> Double {
        if nu > normalLimit { return Normal.cdf(t) }
        if nu >= 200, let value = largeDegreesLowerTail(t, nu) { return value }
        let t2 = t * t
        let x: Double
        let y: Double
        if t2 > nu {
            let r = (nu / abs(t)) / abs(t)  // ν/t², no overflow
            x = r / (1 + r)
            y = 1 / (1 + r)
        } else {
            let r = t2 / nu
            x = 1 / (1 + r)
            y = r / (1 + r)
        }
        return 0.5 * SpecialFunctions.incompleteBeta(a: 0.5 * nu, b: 0.5, x: x, y: y)
    }

    // MARK: - Quantile

    /// The quantile for 0 < p < ½ (a negative number).
    static func lowerQuantile(_ p: Double, _ nu: Double) -> Double {
        if nu > normalLimit { return Normal.quantile(p) }
        if nu == 1 {
            // Cauchy: t = tan(π(p − ½)) = −cos(πp)/sin(πp)
            return -cos(Double.pi * p) / sin(Double.pi * p)
        }
        if nu == 2 {
            return (2 * p - 1) / (2 * p * (1 - p)).squareRoot()
        }
        return refine(start: -hillStart(twoSided: 2 * p, nu), p: p, nu: nu)
    }

    /// Safeguarded Newton iteration on g(t) = log P(T ≤ t) − log p, t < 0.
    ///
    /// Keeps a bracket lo < t < hi (P(lo) < p < P(hi)) and bisects whenever a step leaves it.
    static func refine(start: Double, p: Double, nu: Double) -> Double {
        var t = start < 0 && start.isFinite ? start : -1
        var lo = -Double.infinity
        var hi = 0.0
        let logP = log(p)
        for _ in 0..<300 {
            let cdfValue = lowerTail(t, nu)
            if cdfValue == p { return t }
            if cdfValue < p { lo = t } else { hi = t }
            var next = Double.nan
            if cdfValue > 0 {
                let logCDF = log(cdfValue)
                // g'(t) = f(t)/P(T ≤ t), formed in logs so that it never underflows.
                let slope = exp(logDensity(t, nu) - logCDF)
                next = t - (logCDF - logP) / slope
            }
            if !(next > lo && next < hi) {
                next = lo.isInfinite ? 2 * t : 0.5 * (lo + hi)
            }
            if abs(next - t) <= 1e-14 * max(abs(t), 1) { return next }
            t = next
        }
        return t
    }

    /// Hill's (1970) approximation of the upper quantile for a two-sided tail probability P,
    /// as used in R's `qt`; ν ≠ 1, 2. A starting point only: `refine` makes it exact.
    static func hillStart(twoSided P: Double, _ nu: Double) -> Double {
        if nu < 1 {
            // Tail asymptote P(T ≤ −q) ≈ ν^((ν−1)/2)·q^(−ν) / B(ν/2, ½) / √ν … solved for q.
            let logC = 0.5 * (nu - 1) * log(nu) - SpecialFunctions.logBeta(0.5 * nu, 0.5)
                - 0.5 * log(nu)
            return max(exp((logC - log(0.5 * P)) / nu), 1)
        }
        let a = 1 / (nu - 0.5)
        let b = 48 / (a * a)
        var c = ((20700 * a / b - 98) * a - 16) * a + 96.36
        let d = ((94.5 / (b + c) - 3) / b + 1) * (a * Double.pi / 2).squareRoot() * nu
        let logY = 2 / nu * (log(d) + log(P))
        if logY > log(0.05 + a) {
            // Asymptotic inverse expansion about the normal.
            let x = Normal.quantile(0.5 * P)
            var y = x * x
            if nu < 5 { c += 0.3 * (nu - 4.5) * (x + 0.6) }
            c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
            y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
            y = expm1(a * y * y)
            return (nu * y).squareRoot()
        }
        if logY < -600 {
            // y underflows: the last term 1/y dominates.
            return nu.squareRoot() * exp(-0.5 * logY)
        }
        let y = exp(logY)
        let z = ((1 / (((nu + 6) / (nu * y) - 0.089 * d - 0.822) * (nu + 2) * 3) + 0.5 / (nu + 4))
            * y - 1) * (nu + 1) / (nu + 2) + 1 / y
        return (nu * z).squareRoot()
    }

    // MARK: - Large degrees of freedom

    /// Taylor coefficients cₙ of h(w) = √((w/2)/sinh(w/2)) = Σ cₙ·w²ⁿ (computed with mpmath).
    static let sinhKernelCoefficients: [Double] = [
        1.0, -0.020833333333333333333, 0.000390625, -7.8796709656084656085e-6,
        1.6967665791721781305e-7, -3.8050641917219065657e-9, 8.7483775963154073041e-11,
        -2.0445233594119738176e-12, 4.8333517979677044083e-14, -1.1524341017673859239e-15,
        2.7660520435993700423e-17, -6.6742819508916599512e-19, 1.6174550771815798882e-20,
        -3.9339779200913800155e-22, 9.5976340625860466913e-24,
    ]

    /// P(T ≤ t) for t ≤ 0 and large ν, where the continued fraction loses digits (its terms
    /// cancel as x = ν/(ν + t²) → 1). Nil outside the expansion's range.
    ///
    /// With s = e^(−w) in I_x(a, ½) = B(a, ½)⁻¹ ∫₀ˣ s^(a−1)(1 − s)^(−½) ds, T = a − ¼ and
    /// w₀ = log(1 + t²/ν), the integrand becomes e^(−Tw)·w^(−½)·h(w) with the even function
    /// h(w) = √((w/2)/sinh(w/2)); expanding h term by term gives
    /// I_x(a, ½) = B(a, ½)⁻¹ Σ cₙ T^(−2n−½) Γ(2n + ½, T·w₀)
    /// (the idea of DiDonato & Morris's BGRAT, ACM TOMS 18 (1992) 360, eq. 9, for b = ½).
    /// The incomplete gammas follow from Γ(½, u) = √π·erfc(√u) and Γ(s + 1, u) = sΓ(s, u) + uˢe⁻ᵘ.
    static func largeDegreesLowerTail(_ t: Double, _ nu: Double) -> Double? {
        let w0 = logOnePlusSquareOver(t, nu)
        let T = 0.5 * nu - 0.25
        let u = T * w0
        guard w0 < 1, u < 700 else { return nil }
        let rootU = u.squareRoot()
        let upperHalf = erfc(rootU)  // Γ(½, u)/√π
        guard upperHalf > 0 else { return nil }
        // q = u^½·e^(−u)/Γ(½, u); E = q·w₀²ⁿ; R = Γ(2n + ½, u)/(Γ(½, u)·T²ⁿ).
        let q = rootU * exp(-u) / (Double.pi.squareRoot() * upperHalf)
        let w2 = w0 * w0
        let inverseT2 = 1 / (T * T)
        var e = q
        var r = 1.0
        var sum = 1.0
        for n in 1..<sinhKernelCoefficients.count {
            let s = 2 * Double(n - 1) + 0.5
            r = ((s + 1) * s * r + (s + 1 + u) * e) * inverseT2
            e *= w2
            let term = sinhKernelCoefficients[n] * r
            sum += term
            if abs(term) < 1e-17 * abs(sum) { break }
        }
        let logFront = 0.5 * log(Double.pi) - SpecialFunctions.logBeta(0.5 * nu, 0.5) - 0.5 * log(T)
        return 0.5 * upperHalf * exp(logFront) * sum
    }
}
