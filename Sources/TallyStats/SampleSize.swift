/// Sitecore's required sample size per variant for a conversion-rate test.
///
/// p₁ = baseRate, p₂ = p₁(1 + mde), p̄ = (p₁ + p₂)/2,
/// n = ⌈2p̄(1 − p̄)(z_{1−(1−c)/2} + z_power)² / (p₁ − p₂)²⌉ (SPEC §4; 21,110 for 0.02, 0.2, 0.95,
/// 0.8). Nil unless 0 < p₁ < 1, 0 < p₂ < 1, mde ≠ 0, and confidence and power are in (0, 1).
public func requiredSampleSize(
    baseRate: Double, mde: Double, confidence: Double = 0.95, power: Double = 0.8
) -> Int? {
    guard let plan = SampleSizePlanInputs(baseRate: baseRate, mde: mde, confidence: confidence, power: power)
    else { return nil }
    let z = plan.zConfidence + Normal.quantile(power)
    let n = 2 * plan.pooledVariance * z * z / (plan.difference * plan.difference)
    guard n.isFinite, n < 9e18 else { return nil }
    return Int(n.rounded(.up))
}

/// The power of the same test with `unitsPerVariant` units in each arm.
///
/// Inverting Sitecore's formula: power = Φ(|p₁ − p₂|·√(n/(2p̄(1 − p̄))) − z_{1−(1−c)/2}).
/// Nil for invalid rates or levels, or n < 1.
public func statisticalPower(
    baseRate: Double, mde: Double, confidence: Double = 0.95, unitsPerVariant n: Int
) -> Double? {
    guard n >= 1,
          let plan = SampleSizePlanInputs(baseRate: baseRate, mde: mde, confidence: confidence, power: 0.5)
    else { return nil }
    let signal = abs(plan.difference) * (Double(n) / (2 * plan.pooledVariance)).squareRoot()
    return Normal.cdf(signal - plan.zConfidence)
}

/// The smallest relative increase of `baseRate` that `unitsPerVariant` units per arm detect.
///
/// Solves n = 2p̄(1 − p̄)Z²/δ² for δ = p₂ − p₁ > 0 with p̄ = p₁ + δ/2 and
/// Z = z_{1−(1−c)/2} + z_power: (n + Z²/2)δ² − Z²(1 − 2p₁)δ − 2Z²p₁(1 − p₁) = 0; returns δ/p₁.
/// Nil for invalid inputs, n < 1, or when the detectable rate would reach 1.
public func minimumDetectableEffect(
    baseRate p1: Double, confidence: Double = 0.95, power: Double = 0.8, unitsPerVariant n: Int
) -> Double? {
    guard n >= 1, p1 > 0, p1 < 1, confidence > 0, confidence < 1, power > 0, power < 1 else {
        return nil
    }
    let z = Normal.quantile(1 - (1 - confidence) / 2) + Normal.quantile(power)
    let z2 = z * z
    let a = Double(n) + z2 / 2
    let b = -z2 * (1 - 2 * p1)
    let c = -2 * z2 * p1 * (1 - p1)
    let delta = (-b + (b * b - 4 * a * c).squareRoot()) / (2 * a)
    guard delta.isFinite, p1 + delta < 1 else { return nil }
    return delta / p1
}

/// Validated inputs shared by the sample-size functions.
struct SampleSizePlanInputs {
    /// p₁ − p₂.
    let difference: Double
    /// p̄(1 − p̄).
    let pooledVariance: Double
    /// z_{1−(1−c)/2}.
    let zConfidence: Double

    init?(baseRate p1: Double, mde: Double, confidence: Double, power: Double) {
        guard p1 > 0, p1 < 1, mde != 0, mde.isFinite, confidence > 0, confidence < 1,
              power > 0, power < 1 else { return nil }
        let p2 = p1 * (1 + mde)
        guard p2 > 0, p2 < 1 else { return nil }
        let pooled = (p1 + p2) / 2
        difference = p1 - p2
        pooledVariance = pooled * (1 - pooled)
        zConfidence = Normal.quantile(1 - (1 - confidence) / 2)
    }
}
