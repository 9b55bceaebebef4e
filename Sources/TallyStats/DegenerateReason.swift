/// Which side of a comparison an input problem is on.
public enum Arm: String, Sendable, Hashable {
    /// The control arm.
    case control
    /// The treatment arm being compared.
    case variant
}

/// Why a comparison has no estimate. Every figure of such a comparison is null, never NaN.
public enum DegenerateReason: Error, Sendable, Hashable, CustomStringConvertible {
    /// An arm has no units yet.
    case emptyArm(Arm)
    /// An arm has fewer than two units, so its variance is unknown.
    case tooFewUnits(Arm, n: Int)
    /// The control mean is 0, so a relative uplift is undefined.
    case zeroControlMean
    /// An arm's variance is 0 or negative (all values alike, or inconsistent sums).
    case nonPositiveVariance(Arm)
    /// The confidence level is not strictly between 0 and 1.
    case invalidConfidence(Double)
    /// The sequential tuning parameter N* is not a positive number.
    case invalidTuning(Double)
    /// A proper prior with a variance that is not a positive number.
    case invalidPrior
    /// The arithmetic overflowed or produced a non-number (e.g. sums that are not finite).
    case numericalFailure

    /// A readable sentence, e.g. "the variant has 1 unit; at least 2 are needed".
    public var description: String {
        switch self {
        case .emptyArm(let arm):
            "the \(arm.rawValue) has no units yet"
        case let .tooFewUnits(arm, n):
            "the \(arm.rawValue) has \(n) unit\(n == 1 ? "" : "s"); at least 2 are needed"
        case .zeroControlMean:
            "the control mean is 0, so a relative uplift is undefined"
        case .nonPositiveVariance(let arm):
            "the \(arm.rawValue)'s values do not vary, so no variance can be estimated"
        case .invalidConfidence(let c):
            "the confidence level \(c) is not between 0 and 1"
        case .invalidTuning(let n):
            "the sequential tuning N* = \(n) is not a positive number"
        case .invalidPrior:
            "the prior variance is not a positive number"
        case .numericalFailure:
            "the statistics are not finite numbers"
        }
    }
}
