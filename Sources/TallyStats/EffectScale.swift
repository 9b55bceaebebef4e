/// The scale on which an effect is measured.
public enum EffectScale: Sendable, Hashable {
    /// (v − c)/c, with the delta-method variance of the ratio of means.
    case relative
    /// v − c.
    case absolute
}
