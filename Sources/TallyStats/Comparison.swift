/// How a variant is tested against the control.
public enum TestMethod: Sendable, Hashable {
    /// Fixed-horizon two-sided Welch t-test on the relative effect.
    case fixed
    /// Sequential test with always-valid intervals and p-values; `n` is the tuning N*
    /// (gbstats `sequential_tuning_parameter`, SPEC `sequential_n`, default 5000).
    case sequential(n: Double)
    /// Gaussian Bayesian effect model with a flat prior.
    case bayesian
}

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

/// The comparison of one variant with the control: an estimate, or why there is none.
public enum Comparison: Sendable, Hashable {
    /// Every figure is available.
    case estimate(EffectEstimate)
    /// No figure is available (report them as null).
    case degenerate(DegenerateReason)

    /// The estimate, if any.
    public var estimate: EffectEstimate? {
        if case .estimate(let e) = self { return e }
        return nil
    }

    /// The reason there is no estimate, if so.
    public var degenerateReason: DegenerateReason? {
        if case .degenerate(let r) = self { return r }
        return nil
    }
}

/// Compares a variant with the control on the relative scale (SPEC §4, gbstats conventions).
///
/// uplift = (v − c)/c; interval and p-value from the Welch t-test (`fixed`), the sequential test
/// (`sequential`) or the flat-prior posterior (`bayesian`, whose p-value is the Welch test's);
/// confidence = 1 − p; chance to win from the flat-prior Gaussian posterior N(uplift, Var) in
/// the goal's `direction`. Degenerate inputs (an arm with n < 2, a control mean of 0, a
/// variance ≤ 0, a confidence outside (0, 1)) give `.degenerate`, never NaN or infinity.
public func compare(
    control: ArmStatistic, variant: ArmStatistic, method: TestMethod = .fixed,
    confidence: Double = 0.95, direction: Direction = .increase
) -> Comparison {
    guard confidence > 0, confidence < 1 else { return .degenerate(.invalidConfidence(confidence)) }
    if case .sequential(let tuning) = method, !(tuning > 0 && tuning.isFinite) {
        return .degenerate(.invalidTuning(tuning))
    }
    let model: EffectModel
    switch EffectModel.make(control: control, variant: variant, scale: .relative) {
    case .success(let m): model = m
    case .failure(let reason): return .degenerate(reason)
    }
    let fixed = welchTest(model, confidence: confidence)
    var low = fixed.ciLow
    var high = fixed.ciHigh
    var p = fixed.pValue
    var uplift = model.effect
    switch method {
    case .fixed:
        break
    case .sequential(let tuning):
        let sequential = sequentialTest(model, confidence: confidence, tuning: tuning)
        low = sequential.ciLow
        high = sequential.ciHigh
        p = sequential.pValue
    case .bayesian:
        let posterior = bayesianEffect(model, prior: .flat, confidence: confidence, direction: direction)
        uplift = posterior.mean
        low = posterior.ciLow
        high = posterior.ciHigh
    }
    let estimate = EffectEstimate(
        uplift: uplift, ciLow: low, ciHigh: high, pValue: p, confidence: 1 - p,
        chanceToWin: model.chanceToWin(direction: direction),
        standardError: model.standardError, degreesOfFreedom: model.degreesOfFreedom)
    let figures = [uplift, low, high, p, estimate.chanceToWin]
    guard figures.allSatisfy(\.isFinite) else { return .degenerate(.numericalFailure) }
    return .estimate(estimate)
}
