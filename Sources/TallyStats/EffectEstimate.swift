/// The estimate of one variant against the control, all on the relative scale.
public struct EffectEstimate: Sendable, Hashable {
    /// (v − c)/c; for `bayesian`, the posterior mean (the same number under the flat prior).
    public var uplift: Double
    /// Lower end of the interval at the requested confidence: t interval (`fixed`),
    /// confidence sequence (`sequential`) or credible interval (`bayesian`).
    public var ciLow: Double
    /// Upper end of that interval.
    public var ciHigh: Double
    /// Two-sided p-value of the method; `bayesian` reports the fixed Welch test's p-value.
    public var pValue: Double
    /// Sitecore's confidence index 1 − p.
    public var confidence: Double
    /// Flat-prior Gaussian posterior probability that the variant beats the control in the
    /// goal's direction, whatever the method.
    public var chanceToWin: Double
    /// Standard error of the uplift (delta method).
    public var standardError: Double
    /// Welch–Satterthwaite degrees of freedom.
    public var degreesOfFreedom: Double
}
