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
