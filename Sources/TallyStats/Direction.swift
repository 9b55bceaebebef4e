/// The direction in which a goal improves.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    /// Higher is better (conversion rate, revenue).
    case increase
    /// Lower is better (bounce rate, exit rate).
    case decrease
}

/// The scale on which an effect is measured.
public enum EffectScale: Sendable, Hashable {
    /// (v − c)/c, with the delta-method variance of the ratio of means.
    case relative
    /// v − c.
    case absolute
}
