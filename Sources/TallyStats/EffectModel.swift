#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// The normal approximation of an effect shared by every test: point estimate, its variance
/// and the Welch–Satterthwaite degrees of freedom.
///
/// As gbstats `frequentist_diff` / `frequentist_variance` / `TTest.dof`:
/// relative: Δ = (μᵥ − μ_c)/μ_c, Var Δ = s²ᵥ/(μ_c²·nᵥ) + s²_c·μᵥ²/(μ_c⁴·n_c) (delta method);
/// absolute: Δ = μᵥ − μ_c, Var Δ = s²ᵥ/nᵥ + s²_c/n_c;
/// ν = (s²ᵥ/nᵥ + s²_c/n_c)² / (s⁴ᵥ/(nᵥ²(nᵥ − 1)) + s⁴_c/(n_c²(n_c − 1))).
struct EffectModel: Sendable {
    /// The point estimate Δ.
    let effect: Double
    /// Var Δ.
    let variance: Double
    /// Welch–Satterthwaite degrees of freedom.
    let degreesOfFreedom: Double
    /// n_c + nᵥ.
    let totalUnits: Double

    /// √Var Δ.
    var standardError: Double { variance.squareRoot() }

    /// The model, or why there is none (empty or tiny arms, zero control mean, no variance).
    static func make(
        control: ArmStatistic, variant: ArmStatistic, scale: EffectScale
    ) -> Result<EffectModel, DegenerateReason> {
        let nc = control.n
        let nv = variant.n
        if nc == 0 { return .failure(.emptyArm(.control)) }
        if nv == 0 { return .failure(.emptyArm(.variant)) }
        if nc < 2 { return .failure(.tooFewUnits(.control, n: nc)) }
        if nv < 2 { return .failure(.tooFewUnits(.variant, n: nv)) }
        let mc = control.mean
        let mv = variant.mean
        let vc = control.variance
        let vv = variant.variance
        guard mc.isFinite, mv.isFinite, vc.isFinite, vv.isFinite else {
            return .failure(.numericalFailure)
        }
        if scale == .relative, mc == 0 { return .failure(.zeroControlMean) }
        if !(vc > 0) { return .failure(.nonPositiveVariance(.control)) }
        if !(vv > 0) { return .failure(.nonPositiveVariance(.variant)) }
        let nC = Double(nc)
        let nV = Double(nv)
        var effect: Double
        let variance: Double
        switch scale {
        case .relative:
            let mc2 = mc * mc
            effect = (mv - mc) / mc
            variance = vv / (mc2 * nV) + vc * mv * mv / (mc2 * mc2 * nC)
        case .absolute:
            effect = mv - mc
            variance = vv / nV + vc / nC
        }
        let pc = vc / nC
        let pv = vv / nV
        let dof = (pv + pc) * (pv + pc) / (pv * pv / (nV - 1) + pc * pc / (nC - 1))
        if let exact = exactProportionEffect(control: control, variant: variant, scale: scale) { effect = exact }
        guard effect.isFinite, variance.isFinite, variance > 0, dof.isFinite, dof > 0 else {
            return .failure(.numericalFailure)
        }
        return .success(EffectModel(
            effect: effect, variance: variance, degreesOfFreedom: dof, totalUnits: nC + nV))
    }

    /// For two proportions, the effect from the integer counts with a single rounding:
    /// relative (c_v·n_c − c_c·n_v)/(c_c·n_v), absolute (c_v·n_c − c_c·n_v)/(n_c·n_v), so that
    /// 250/2000 against 200/2000 is exactly +25%. Nil for other kinds or when a product overflows.
    static func exactProportionEffect(
        control: ArmStatistic, variant: ArmStatistic, scale: EffectScale
    ) -> Double? {
        guard case .proportion(let c) = control, case .proportion(let v) = variant else { return nil }
        let (a, overflowA) = v.conversions.multipliedReportingOverflow(by: c.n)
        let (b, overflowB) = c.conversions.multipliedReportingOverflow(by: v.n)
        let denominator = scale == .relative
            ? c.conversions.multipliedReportingOverflow(by: v.n)
            : c.n.multipliedReportingOverflow(by: v.n)
        let (difference, overflowD) = a.subtractingReportingOverflow(b)
        guard !overflowA, !overflowB, !overflowD, !denominator.overflow, denominator.partialValue != 0,
              Swift.abs(difference) < 1 << 53, denominator.partialValue < 1 << 53 else { return nil }
        return Double(difference) / Double(denominator.partialValue)
    }

    /// P(effect > 0 in the goal's direction) under the flat-prior Gaussian posterior
    /// N(Δ, Var Δ): Φ(Δ/√Var) for `increase`, Φ(−Δ/√Var) for `decrease`.
    func chanceToWin(direction: Direction) -> Double {
        let z = effect / standardError
        return Normal.cdf(direction == .increase ? z : -z)
    }
}
