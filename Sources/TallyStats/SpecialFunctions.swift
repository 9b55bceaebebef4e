#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Log-gamma, log-beta and the regularized incomplete beta and gamma functions.
///
/// Everything here works on logarithms and passes complements (`y = 1 − x`) explicitly, so the
/// distribution functions built on top keep their relative accuracy far into the tails.
enum SpecialFunctions {
    /// ½·log(2π).
    static let halfLogTwoPi = 0.918_938_533_204_672_741_780_329_736_4

    /// Stirling's remainder δ(x) = logΓ(x) − [(x − ½)·log x − x + ½·log 2π], for x ≥ 10.
    ///
    /// Asymptotic series Σ B₂ₖ / (2k(2k − 1)·x^(2k−1)) (Abramowitz & Stegun 6.1.41), eight terms:
    /// below 1e-17 absolute for x ≥ 10.
    static func stirlingRemainder(_ x: Double) -> Double {
        let r = 1 / x
        let r2 = r * r
        // B2/2, B4/12, B6/30, B8/56, B10/90, B12/132, B14/182, B16/240
        var s = -3617.0 / 122_400.0
        s = s * r2 + 1.0 / 156.0
        s = s * r2 - 691.0 / 360_360.0
        s = s * r2 + 1.0 / 1188.0
        s = s * r2 - 1.0 / 1680.0
        s = s * r2 + 1.0 / 1260.0
        s = s * r2 - 1.0 / 360.0
        s = s * r2 + 1.0 / 12.0
        return s * r
    }

    /// logΓ(x) for x > 0: Stirling's series for x ≥ 10, shifted by the recurrence below 10.
    ///
    /// logΓ(x) = logΓ(x + k) − log(x(x + 1)…(x + k − 1)); about 1e-15 absolute error.
    static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "logGamma needs a positive argument")
        var y = x
        var product = 1.0
        while y < 10 {
            product *= y
            y += 1
        }
        let stirling = (y - 0.5) * log(y) - y + halfLogTwoPi + stirlingRemainder(y)
        return product == 1 ? stirling : stirling - log(product)
    }

    /// log B(a, b) = logΓ(a) + logΓ(b) − logΓ(a + b), without cancellation when one argument
    /// is large.
    ///
    /// For q = max(a, b) ≥ 10 and p = min(a, b) < 10:
    /// logΓ(q) − logΓ(p + q) = −p·log q − (p + q − ½)·log1p(p/q) + p + δ(q) − δ(p + q)
    /// (Stirling's formula rearranged, as in DiDonato & Morris, ACM TOMS 18 (1992) 360, `betaln`).
    /// When both are ≥ 10 the result is accurate to about 1e-15 relative to its own magnitude.
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b)
        let q = max(a, b)
        if q < 10 {
            return logGamma(p) + logGamma(q) - logGamma(p + q)
        }
        if p < 10 {
            let ratio = -p * log(q) - (p + q - 0.5) * log1p(p / q) + p
                + stirlingRemainder(q) - stirlingRemainder(p + q)
            return logGamma(p) + ratio
        }
        let sum = p + q
        return halfLogTwoPi - 0.5 * log(sum) + (p - 0.5) * log(p / sum)
            + (q - 0.5) * log1p(-p / sum)
            + stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(sum)
    }

    /// log x given x and its complement y = 1 − x, using whichever is exact.
    @inline(__always)
    static func logOf(_ x: Double, complement y: Double) -> Double {
        x < 0.5 ? log(x) : log1p(-y)
    }

    /// The regularized incomplete beta function I_x(a, b), given x and y = 1 − x.
    ///
    /// I_x(a, b) = x^a·y^b / (a·B(a, b)) · CF, with the continued fraction of Numerical Recipes
    /// (3rd ed., §6.4) evaluated by the modified Lentz method, and the symmetry
    /// I_x(a, b) = 1 − I_y(b, a) when x > (a + 1)/(a + b + 2), where the fraction converges
    /// slowly. The tail returned directly keeps its relative accuracy.
    static func incompleteBeta(a: Double, b: Double, x: Double, y: Double) -> Double {
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        if x < (a + 1) / (a + b + 2) {
            return incompleteBetaTerm(a: a, b: b, x: x, y: y)
        }
        return 1 - incompleteBetaTerm(a: b, b: a, x: y, y: x)
    }

    /// The complement 1 − I_x(a, b) = I_y(b, a), with the same care as `incompleteBeta`.
    static func incompleteBetaComplement(a: Double, b: Double, x: Double, y: Double) -> Double {
        incompleteBeta(a: b, b: a, x: y, y: x)
    }

    /// x^a·y^b / (a·B(a, b)) times the continued fraction; valid for x < (a + 1)/(a + b + 2).
    private static func incompleteBetaTerm(a: Double, b: Double, x: Double, y: Double) -> Double {
        let logFront = a * logOf(x, complement: y) + b * logOf(y, complement: x) - logBeta(a, b)
        return exp(logFront) * betaContinuedFraction(a: a, b: b, x: x) / a
    }

    /// The continued fraction for I_x(a, b) (NR §6.4, `betacf`), modified Lentz.
    private static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let mm = Double(m)
            let m2 = 2 * mm
            var aa = mm * (b - mm) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + mm) * (qab + mm) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }

    /// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a).
    ///
    /// Series for P = 1 − Q when x < a + 1, Legendre's continued fraction (modified Lentz)
    /// otherwise (Numerical Recipes, 3rd ed., §6.2), so a small Q keeps its relative accuracy.
    static func upperIncompleteGamma(a: Double, x: Double) -> Double {
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        let logFront = -x + a * log(x) - logGamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var k = a
            for _ in 0..<100_000 {
                k += 1
                term *= x / k
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return 1 - sum * exp(logFront)
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...100_000 {
            let ii = Double(i)
            let an = -ii * (ii - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logFront) * h
    }
}
