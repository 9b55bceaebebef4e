#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// A Gaussian prior on the effect, on the scale of the test (relative by default).
public struct GaussianPrior: Sendable, Hashable {
    /// Prior mean.
    public var mean: Double
    /// Prior variance.
    public var variance: Double
    /// False for the improper flat prior, which leaves the data alone.
    public var proper: Bool

    /// A prior N(mean, variance); `proper: false` ignores both (flat prior).
    public init(mean: Double = 0, variance: Double = 1, proper: Bool = true) {
        self.mean = mean
        self.variance = variance
        self.proper = proper
    }

    /// The improper flat prior (gbstats' default `GaussianPrior(proper=False)`).
    public static let flat = GaussianPrior(mean: 0, variance: 1, proper: false)
}

/// The Gaussian posterior of an effect (gbstats `EffectBayesianABTest`).
public struct BayesianEffect: Sendable, Hashable {
    /// Posterior mean of the effect.
    public var mean: Double
    /// Posterior standard deviation.
    public var standardDeviation: Double
    /// Lower end of the equal-tailed credible interval.
    public var ciLow: Double
    /// Upper end of the equal-tailed credible interval.
    public var ciHigh: Double
    /// Posterior probability that the variant beats the control in the goal's direction.
    public var chanceToWin: Double
    /// Expected loss of keeping the control: E[max(effect, 0)] in the goal's direction.
    public var riskOfControl: Double
    /// Expected loss of choosing the variant: E[max(−effect, 0)] in the goal's direction.
    public var riskOfVariant: Double
}

/// The Gaussian Bayesian effect model: data Δ ~ N(effect, Var Δ) (see `EffectModel`) with a
/// Gaussian prior.
///
/// Precision 1/σ² = 1/Var Δ + 1/σ₀² (proper prior; 1/Var Δ for the flat one), mean
/// μ = σ²·(Δ/Var Δ + μ₀/σ₀²) (Δ for the flat one); interval μ ± z_{1−α/2}·σ;
/// chance to win Φ(μ/σ) (`increase`) or Φ(−μ/σ) (`decrease`); with z = μ/σ the risks are the
/// normal partial expectations E[max(X, 0)] = μΦ(z) + σφ(z) and E[max(−X, 0)] = −μΦ(−z) + σφ(z)
/// (gbstats `get_risk` via truncated normal means), swapped for `decrease`.
public func bayesianEffect(
    control: ArmStatistic, variant: ArmStatistic, prior: GaussianPrior = .flat,
    scale: EffectScale = .relative, confidence: Double = 0.95, direction: Direction = .increase
) -> Result<BayesianEffect, DegenerateReason> {
    guard confidence > 0, confidence < 1 else { return .failure(.invalidConfidence(confidence)) }
    if prior.proper, !(prior.variance > 0 && prior.variance.isFinite && prior.mean.isFinite) {
        return .failure(.invalidPrior)
    }
    return EffectModel.make(control: control, variant: variant, scale: scale).map {
        bayesianEffect($0, prior: prior, confidence: confidence, direction: direction)
    }
}

/// The posterior on a ready model.
func bayesianEffect(
    _ model: EffectModel, prior: GaussianPrior, confidence: Double, direction: Direction
) -> BayesianEffect {
    var mean = model.effect
    var precision = 1 / model.variance
    if prior.proper {
        precision += 1 / prior.variance
        mean = (model.effect / model.variance + prior.mean / prior.variance) / precision
    }
    let sd = (1 / precision).squareRoot()
    let width = -Normal.quantile((1 - confidence) / 2) * sd
    let z = mean / sd
    let phi = Normal.density(z)
    let gain = mean * Normal.cdf(z) + sd * phi       // E[max(X, 0)]
    let loss = -mean * Normal.cdf(-z) + sd * phi     // E[max(−X, 0)]
    let increase = direction == .increase
    return BayesianEffect(
        mean: mean, standardDeviation: sd, ciLow: mean - width, ciHigh: mean + width,
        chanceToWin: Normal.cdf(increase ? z : -z),
        riskOfControl: increase ? gain : loss, riskOfVariant: increase ? loss : gain)
}
