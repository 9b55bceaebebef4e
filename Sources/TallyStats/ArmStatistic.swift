/// The sufficient statistics of one arm (variant) for one goal, whatever the metric's kind.
public enum ArmStatistic: Sendable, Hashable {
    /// A conversion rate per unit.
    case proportion(ProportionStatistic)
    /// A sample mean per unit.
    case mean(MeanStatistic)
    /// A ratio metric over guests (numerator and denominator per guest).
    case ratio(RatioStatistic)

    /// The number of units (guests for ratio metrics).
    public var n: Int {
        switch self {
        case .proportion(let s): s.n
        case .mean(let s): s.n
        case .ratio(let s): s.n
        }
    }

    /// The arm's mean: conversion rate, sample mean or Σm/Σd (0 while empty, as gbstats).
    public var mean: Double {
        switch self {
        case .proportion(let s): s.mean
        case .mean(let s): s.mean
        case .ratio(let s): s.mean
        }
    }

    /// The per-unit variance: p(1 − p), s², or the ratio's delta-method variance.
    public var variance: Double {
        switch self {
        case .proportion(let s): s.variance
        case .mean(let s): s.variance
        case .ratio(let s): s.variance
        }
    }

    /// The statistics of both arms together; nil when their kinds differ.
    public func merged(with other: ArmStatistic) -> ArmStatistic? {
        switch (self, other) {
        case let (.proportion(a), .proportion(b)): .proportion(a + b)
        case let (.mean(a), .mean(b)): .mean(a + b)
        case let (.ratio(a), .ratio(b)): .ratio(a + b)
        default: nil
        }
    }
}
