#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// The result of a frequentist test of one variant against the control.
public struct FrequentistEffect: Sendable, Hashable {
    /// The point estimate: (v − c)/c on the relative scale, v − c on the absolute one.
    public var effect: Double
    /// The standard error √Var Δ of the point estimate.
    public var standardError: Double
    /// Welch–Satterthwaite degrees of freedom.
    public var degreesOfFreedom: Double
    /// Lower end of the two-sided interval.
    public var ciLow: Double
    /// Upper end of the two-sided interval.
    public var ciHigh: Double
    /// Two-sided p-value.
    public var pValue: Double
}

/// Two-sided Welch t-test of the variant against the control (gbstats `TwoSidedTTest`).
///
/// t = Δ/√Var Δ with Welch–Satterthwaite ν (see `EffectModel`); p = 2·P(T_ν > |t|);
/// interval Δ ± t_{ν, 1−α/2}·√Var Δ with α = 1 − confidence.
public func welchTest(
    control: ArmStatistic, variant: ArmStatistic, scale: EffectScale = .relative,
    confidence: Double = 0.95
) -> Result<FrequentistEffect, DegenerateReason> {
    guard confidence > 0, confidence < 1 else { return .failure(.invalidConfidence(confidence)) }
    return EffectModel.make(control: control, variant: variant, scale: scale).map {
        welchTest($0, confidence: confidence)
    }
}

/// The Welch test on a ready model.
func welchTest(_ model: EffectModel, confidence: Double) -> FrequentistEffect {
    let se = model.standardError
    let nu = model.degreesOfFreedom
    let t = abs(model.effect) / se
    let p = min(1, 2 * StudentT.survival(t, degreesOfFreedom: nu))
    let width = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: nu) * se
    return FrequentistEffect(
        effect: model.effect, standardError: se, degreesOfFreedom: nu,
        ciLow: model.effect - width, ciHigh: model.effect + width, pValue: p)
}

/// Two-sided sequential test with always-valid intervals and p-values (gbstats
/// `SequentialTwoSidedTTest`): asymptotic confidence sequences of Waudby-Smith et al.,
/// "Time-uniform central limit theory and asymptotic confidence sequences" (arXiv:2103.06476v7).
///
/// With N = n_c + nᵥ, α = 1 − confidence, tuning N* (`tuning`, default 5000):
/// ρ² = (−2 log α + log(1 − 2 log α))/N* (eq. 161); s² = N·Var Δ;
/// half-width = √s² · √(2τ·log(√τ/α)/(Nρ)²) with τ = Nρ² + 1 (eq. 9);
/// p = min(1, 1/E), E = exp(ρ²·st²/(2τ))/√τ with st² = N·Δ²/Var Δ (eq. 155).
public func sequentialTest(
    control: ArmStatistic, variant: ArmStatistic, scale: EffectScale = .relative,
    confidence: Double = 0.95, tuning: Double = 5000
) -> Result<FrequentistEffect, DegenerateReason> {
    guard confidence > 0, confidence < 1 else { return .failure(.invalidConfidence(confidence)) }
    guard tuning > 0, tuning.isFinite else { return .failure(.invalidTuning(tuning)) }
    return EffectModel.make(control: control, variant: variant, scale: scale).map {
        sequentialTest($0, confidence: confidence, tuning: tuning)
    }
}

/// The sequential test on a ready model.
///
/// st² = Δ²·N/Var Δ, τ = Nρ² + 1, log E = ρ²·st²/(2τ) − ½·log τ, p = exp(−max(0, log E)):
/// the e-value is kept in logs so that it never overflows.
func sequentialTest(_ model: EffectModel, confidence: Double, tuning: Double) -> FrequentistEffect {
    let alpha = 1 - confidence
    let n = model.totalUnits
    let logAlpha = log(alpha)
    let rho2 = (-2 * logAlpha + log(1 - 2 * logAlpha)) / tuning
    let tau = n * rho2 + 1
    let s2 = model.variance * n
    let width = s2.squareRoot()
        * (2 * tau * (0.5 * log(tau) - logAlpha) / (n * n * rho2)).squareRoot()
    let st2 = model.effect * model.effect * n / model.variance
    let logE = rho2 * st2 / (2 * tau) - 0.5 * log(tau)
    let p = exp(-max(0, logE))
    return FrequentistEffect(
        effect: model.effect, standardError: model.standardError,
        degreesOfFreedom: model.degreesOfFreedom,
        ciLow: model.effect - width, ciHigh: model.effect + width, pValue: p)
}
